import Foundation

/// McNemar's test on paired predictions of two classifiers on the same images, in its
/// **exact** form (McNemar, Psychometrika 12(2), 1947; exact version as in statsmodels'
/// `mcnemar(table, exact=True)`, which some libraries do not use by default): only the
/// discordant images count, b where the first is right and the second wrong and c the other
/// way; under the null hypothesis of equal accuracy each discordant image is a fair coin, so
///
///     p = min(1, 2 · P(X ≤ min(b, c))),  X ~ Binomial(b + c, 1/2),
///
/// and p = 1 when there is no discordant image.
public struct McNemarTest: Sendable, Equatable {
    /// Images the first classifier got right and the second wrong, and the other way round.
    public let firstOnly: Int
    public let secondOnly: Int
    /// The two-sided exact p-value.
    public let p: Double

    public init(firstOnly b: Int, secondOnly c: Int) {
        firstOnly = b
        secondOnly = c
        p = min(1, 2 * binomialLowerTail(min(b, c), trials: b + c))
    }

    /// The test on predictions of the same images with their true labels.
    /// - Precondition: the three arrays have the same length.
    public init(truth: [Int], first: [Int], second: [Int]) {
        precondition(truth.count == first.count && truth.count == second.count, "McNemarTest: predictions of different images")
        var b = 0, c = 0
        for (label, (x, y)) in zip(truth, zip(first, second)) {
            if x == label && y != label { b += 1 }
            if x != label && y == label { c += 1 }
        }
        self.init(firstOnly: b, secondOnly: c)
    }
}

/// log(n!) from the log-gamma function.
func logFactorial(_ n: Int) -> Double {
    Foundation.lgamma(Double(n) + 1)
}

/// P(X ≤ k) for X ~ Binomial(n, 1/2): Σ_{i ≤ k} C(n, i) / 2ⁿ, each term from log-gamma so
/// that n in the tens of thousands neither overflows nor underflows before the sum.
func binomialLowerTail(_ k: Int, trials n: Int) -> Double {
    guard n > 0 else { return 1 }
    guard k >= 0 else { return 0 }
    if k >= n { return 1 }
    let logHalf = Double(n) * log(0.5), logN = logFactorial(n)
    var total = 0.0
    for i in 0 ... k {
        let logTerm: Double = logN - logFactorial(i) - logFactorial(n - i) + logHalf
        total += exp(logTerm)
    }
    return min(1, total)
}
