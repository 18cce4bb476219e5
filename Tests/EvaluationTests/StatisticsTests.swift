import Evaluation
import Foundation
import Testing

/// The statistics against cases computed by hand from their definitions.
@Suite struct StatisticsTests {
    @Test func wilsonIntervalsMatchTheFormula() {
        let z = WilsonInterval.z95, z2 = z * z
        // 50 of 100: symmetric about 0.5, half-width z/(1 + z²/n) · √(1/400 + z²/40000).
        let half = WilsonInterval(successes: 50, trials: 100)
        let expectedHalf = z / (1 + z2 / 100) * (0.0025 + z2 / 40_000).squareRoot()
        #expect(abs(half.low - (0.5 - expectedHalf)) < 1e-12 && abs(half.high - (0.5 + expectedHalf)) < 1e-12)
        // Accuracy 0 and 1: the interval reaches the bound and extends z²/(n + z²) into the other side.
        let none = WilsonInterval(successes: 0, trials: 10), all = WilsonInterval(successes: 10, trials: 10)
        #expect(none.low == 0 && abs(none.high - z2 / (10 + z2)) < 1e-12)
        #expect(all.high == 1 && abs(all.low - 10 / (10 + z2)) < 1e-12)
        #expect(WilsonInterval(successes: 0, trials: 0) == WilsonInterval(successes: 0, trials: 0))
        #expect(WilsonInterval(successes: 0, trials: 0).low == 0 && WilsonInterval(successes: 0, trials: 0).high == 1)
        // 98% of 10,000: about ±0.27 points, as the issue says.
        let mnist = WilsonInterval(successes: 9800, trials: 10_000)
        #expect(abs((mnist.high - mnist.low) / 2 - 0.00274) < 0.00002)
    }

    @Test func mcnemarIsTheExactTwoSidedBinomialOnDiscordantPairs() {
        #expect(McNemarTest(firstOnly: 0, secondOnly: 0).p == 1, "no discordant pair")
        #expect(McNemarTest(firstOnly: 1, secondOnly: 0).p == 1)
        #expect(abs(McNemarTest(firstOnly: 5, secondOnly: 0).p - 2.0 / 32) < 1e-12)
        #expect(abs(McNemarTest(firstOnly: 0, secondOnly: 5).p - 2.0 / 32) < 1e-12, "symmetric")
        #expect(abs(McNemarTest(firstOnly: 10, secondOnly: 2).p - 2.0 * (1 + 12 + 66) / 4096) < 1e-12)
        #expect(McNemarTest(firstOnly: 3, secondOnly: 3).p == 1)
        // One classifier right on every image, the other on none (accuracies 1 and 0): p = 2 · 2⁻ⁿ.
        let n = 40
        let truth = [Int](repeating: 1, count: n)
        let test = McNemarTest(truth: truth, first: truth, second: [Int](repeating: 0, count: n))
        #expect(test.firstOnly == n && test.secondOnly == 0)
        #expect(abs(test.p / (2 * pow(0.5, Double(n))) - 1) < 1e-9)
        // Large n: the log-gamma terms stay accurate (b = 60, c = 40: 2 · P(X ≤ 40), X ~ B(100, ½)).
        var tail = 0.0, term = pow(0.5, 100.0)
        for i in 0 ... 40 { tail += term; term *= Double(100 - i) / Double(i + 1) }
        #expect(abs(McNemarTest(firstOnly: 60, secondOnly: 40).p - 2 * tail) < 1e-12)
    }

    @Test func holmStepsDownAndKeepsTheOrder() {
        let adjusted = holmAdjusted([0.01, 0.04, 0.03, 0.005])
        // Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1: 0.02, 0.03, 0.06, 0.04 → running maximum 0.06.
        for (value, expected) in zip(adjusted, [0.03, 0.06, 0.06, 0.02]) { #expect(abs(value - expected) < 1e-12) }
        #expect(holmAdjusted([0.5, 0.9]) == [1, 1], "capped at 1")
        #expect(holmAdjusted([]) == [])
        #expect(holmAdjusted([0.2]) == [0.2])
    }

    @Test func correctedTTestMatchesClosedFormsOfStudentsT() throws {
        // Two folds, n_test/n_train = 1/2: t = √2 on 1 degree of freedom (Cauchy): p = 1 − (2/π) atan(√2).
        let one = try #require(CorrectedResampledTTest(differences: [0.01, 0.03], testFraction: 0.5))
        #expect(abs(one.t - 2.0.squareRoot()) < 1e-9 && one.degreesOfFreedom == 1)
        #expect(abs(one.p - (1 - 2 / Double.pi * atan(2.0.squareRoot()))) < 1e-9)
        // Three folds, fraction 1/4: var 1e-4, t = 0.02 / √((1/3 + 1/4) · 1e-4); 2 df: p = 1 − t / √(2 + t²).
        let two = try #require(CorrectedResampledTTest(differences: [0.01, 0.02, 0.03], testFraction: 0.25))
        let t = 0.02 / ((1.0 / 3 + 0.25) * 1e-4).squareRoot()
        #expect(abs(two.t - t) < 1e-9)
        #expect(abs(two.p - (1 - t / (2 + t * t).squareRoot())) < 1e-9)
        // The correction: the plain t would be larger.
        #expect(two.t < 0.02 / (1e-4 / 3).squareRoot())
        // Equal differences: no spread.
        #expect(CorrectedResampledTTest(differences: [0, 0, 0], testFraction: 0.25)?.p == 1)
        #expect(CorrectedResampledTTest(differences: [0.01, 0.01], testFraction: 0.25)?.p == 0)
        #expect(CorrectedResampledTTest(differences: [0.01], testFraction: 0.25) == nil)
        // Symmetric in sign.
        let negative = try #require(CorrectedResampledTTest(differences: [-0.01, -0.02, -0.03], testFraction: 0.25))
        #expect(abs(negative.t + t) < 1e-9 && abs(negative.p - two.p) < 1e-12)
    }
}
