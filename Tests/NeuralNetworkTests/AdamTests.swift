import BenchCore
import NeuralNetwork
import Testing

/// Adam's vector update against its definition (Kingma and Ba, Algorithm 1) computed in
/// double precision with the library square root, and its independence of thread count.
@Suite struct AdamTests {
    @Test func updatesFollowTheDefinitionAndIgnoreThreads() {
        // 70,001 parameters: several pieces of 16,384 (so two threads share them) and a tail
        // that is not a whole vector; gradients from 10⁻⁹ to 10, one part or two.
        let count = 70_001, steps = 5
        var generator = SplitMix64(seed: 11)
        var parameters = (0 ..< count).map { _ in 2 * generator.nextUnitFloat() - 1 }
        let gradients = (0 ..< steps).map { _ in
            (0 ..< count).map { _ in (2 * generator.nextUnitFloat() - 1) * Float.pow10(generator.nextInt(below: 11) - 9) }
        }
        var one = Adam(parameterCount: count, learningRate: 1e-3, beta1: 0.9, beta2: 0.999, weightDecay: 0.01), two = one, teamed = one
        var (p1, p2, p3) = (parameters, parameters, parameters)
        let team = ThreadTeam(threads: 2)
        defer { team.stop() }
        var (m, v) = ([Double](repeating: 0, count: count), [Double](repeating: 0, count: count))
        for step in 1 ... steps {
            let g = gradients[step - 1]
            // Two parts that sum to g exactly (halves of a float are exact).
            let half = g.map { $0 / 2 }
            half.withUnsafeBufferPointer { h in
                one.update(&p1, gradientParts: [h.baseAddress!, h.baseAddress!], threads: 1)
                two.update(&p2, gradientParts: [h.baseAddress!, h.baseAddress!], threads: 2)
                teamed.update(&p3, gradientParts: [h.baseAddress!, h.baseAddress!], team: team)
            }
            for i in 0 ..< count {
                let gi = Double(g[i])
                m[i] = 0.9 * m[i] + 0.1 * gi
                v[i] = 0.999 * v[i] + 0.001 * gi * gi
                let mHat = m[i] / (1 - Foundation_pow(0.9, step)), vHat = v[i] / (1 - Foundation_pow(0.999, step))
                let p = Double(parameters[i])
                parameters[i] = Float(p - 1e-3 * (mHat / (vHat.squareRoot() + 1e-8) + 0.01 * p))
            }
        }
        #expect(p1 == p2, "the update depends on the thread count")
        #expect(p1 == p3, "the update on a thread team differs")
        let worst = zip(p1, parameters).map { abs(Double($0) - Double($1)) }.max()!
        // Five steps of at most lr·(1 + decay) each; float rounding of the moments is far below this.
        #expect(worst < 2e-6, "off the double-precision definition by \(worst)")
    }
}

private func Foundation_pow(_ base: Double, _ exponent: Int) -> Double {
    (0 ..< exponent).reduce(1.0) { r, _ in r * base }
}

private extension Float {
    static func pow10(_ n: Int) -> Float { n >= 0 ? (0 ..< n).reduce(1) { r, _ in r * 10 } : (0 ..< -n).reduce(1) { r, _ in r / 10 } }
}
