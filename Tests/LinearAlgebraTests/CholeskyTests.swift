import BenchCore
import LinearAlgebra
import Testing

@Suite struct CholeskyTests {
    /// A random symmetric positive definite matrix: BᵀB / n + shift·I.
    func spd(order n: Int, shift: Double, seed: UInt64) -> [Double] {
        var generator = SplitMix64(seed: seed)
        let b = (0 ..< n * n).map { _ in generator.nextGaussian() }
        var a = [Double](repeating: 0, count: n * n)
        for i in 0 ..< n {
            for j in 0 ..< n {
                var sum = 0.0
                for k in 0 ..< n { sum += b[k * n + i] * b[k * n + j] }
                a[i * n + j] = sum / Double(n) + (i == j ? shift : 0)
            }
        }
        return a
    }

    // Orders below, at and past the 16-wide SIMD dot product's unrolling, and an awkward one.
    @Test(arguments: [1, 2, 7, 16, 17, 63])
    func factorTimesItsTransposeIsTheMatrix(order n: Int) throws {
        let a = spd(order: n, shift: 0.1, seed: UInt64(n))
        let factor = try CholeskyFactor(a, order: n)
        var worst = 0.0
        for i in 0 ..< n {
            for j in 0 ..< n {
                if j > i { #expect(factor.lower[i * n + j] == 0, "order \(n): L[\(i)][\(j)] above the diagonal") }
                var sum = 0.0
                for k in 0 ..< n { sum += factor.lower[i * n + k] * factor.lower[j * n + k] }
                worst = max(worst, abs(sum - a[i * n + j]))
            }
        }
        #expect(worst < 1e-10, "order \(n): L Lᵀ off by \(worst)")
    }

    @Test(arguments: [1, 5, 17, 40])
    func inverseTimesTheFactorIsTheIdentity(order n: Int) throws {
        let factor = try CholeskyFactor(spd(order: n, shift: 0.05, seed: 100 + UInt64(n)), order: n)
        let inverse = factor.inverse()
        var worst = 0.0
        for i in 0 ..< n {
            for j in 0 ..< n {
                var sum = 0.0
                for k in 0 ..< n { sum += inverse[i * n + k] * factor.lower[k * n + j] }
                worst = max(worst, abs(sum - (i == j ? 1 : 0)))
                if j > i { #expect(inverse[i * n + j] == 0) }
            }
        }
        #expect(worst < 1e-10, "order \(n): L⁻¹L off the identity by \(worst)")
    }

    @Test func rejectsAMatrixThatIsNotPositiveDefinite() {
        // Eigenvalues 3 and −1.
        #expect(throws: CholeskyFactor.NotPositiveDefinite.self) { try CholeskyFactor([1, 2, 2, 1], order: 2) }
        #expect(throws: CholeskyFactor.NotPositiveDefinite.self) { try CholeskyFactor([.nan], order: 1) }
    }
}
