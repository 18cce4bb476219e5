/// Σₖ x[k] y[k] over `count` elements, in four independent SIMD sums (the compiler does not
/// reorder a plain floating-point reduction, so a plain loop would run one add at a time).
@inline(__always)
private func dot(_ x: UnsafeMutablePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) -> Double {
    var s0 = SIMD4<Double>(), s1 = SIMD4<Double>(), s2 = SIMD4<Double>(), s3 = SIMD4<Double>()
    var k = 0
    while k + 16 <= count {
        s0.addProduct(load(x + k), load(y + k))
        s1.addProduct(load(x + k + 4), load(y + k + 4))
        s2.addProduct(load(x + k + 8), load(y + k + 8))
        s3.addProduct(load(x + k + 12), load(y + k + 12))
        k += 16
    }
    var sum = ((s0 + s1) + (s2 + s3)).sum()
    while k < count { sum += x[k] * y[k]; k += 1 }
    return sum
}

@inline(__always)
private func load(_ p: UnsafeMutablePointer<Double>) -> SIMD4<Double> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
}

/// The Cholesky factor of a symmetric positive definite matrix, and the inverse of that factor.
///
/// A = L Lᵀ with L lower triangular (Golub and Van Loan, *Matrix Computations*, 4th ed.,
/// §4.2), computed row by row, each entry as a dot product of two rows already found. Softmax regression uses L⁻¹ to whiten
/// its inputs; the matrices there are at most a few thousand wide, so this is written plainly,
/// in double precision, with inner loops over contiguous rows that the compiler vectorises.
/// - Complexity: n³/6 multiply-adds for the factor, n³/6 more for its inverse.
public struct CholeskyFactor: Sendable {
    /// The order of the matrix.
    public let order: Int
    /// L, `order × order` row-major; entries above the diagonal are zero.
    public let lower: [Double]

    /// Why a factorisation failed.
    public struct NotPositiveDefinite: Error, CustomStringConvertible {
        /// The row whose pivot was not positive (or not a number).
        public let row: Int
        public var description: String { "matrix is not positive definite (pivot \(row) is not positive)" }
    }

    /// Factors the symmetric `order × order` row-major matrix `a` (only its lower triangle is read).
    /// - Throws: ``NotPositiveDefinite`` when a pivot is not positive or is NaN.
    public init(_ a: [Double], order n: Int) throws {
        precondition(a.count == n * n, "CholeskyFactor: \(a.count) entries for order \(n)")
        var l = [Double](repeating: 0, count: n * n)
        try l.withUnsafeMutableBufferPointer { l in
            for i in 0 ..< n {
                let rowI = l.baseAddress! + i * n
                for j in 0 ... i {
                    let rowJ = l.baseAddress! + j * n
                    // a[i][j] − Σₖ<ⱼ L[i][k] L[j][k]: both rows are contiguous.
                    let sum = a[i * n + j] - dot(rowI, rowJ, count: j)
                    if i == j {
                        guard sum > 0 else { throw NotPositiveDefinite(row: i) }
                        rowI[i] = sum.squareRoot()
                    } else {
                        rowI[j] = sum / rowJ[j]
                    }
                }
            }
        }
        self.order = n
        self.lower = l
    }

    /// L⁻¹, `order × order` row-major and lower triangular.
    ///
    /// Row i of L⁻¹ follows from row i of L·L⁻¹ = I: (eᵢ − Σₖ<ᵢ L[i][k] · row k of L⁻¹) / L[i][i],
    /// where row k of L⁻¹ is zero past column k; every update runs along a contiguous row.
    public func inverse() -> [Double] {
        let n = order
        var inverse = [Double](repeating: 0, count: n * n)
        lower.withUnsafeBufferPointer { l in
            inverse.withUnsafeMutableBufferPointer { m in
                for i in 0 ..< n {
                    let rowI = m.baseAddress! + i * n
                    for k in 0 ..< i {
                        let factor = l[i * n + k]
                        if factor == 0 { continue }
                        let rowK = m.baseAddress! + k * n
                        for j in 0 ... k { rowI[j] -= factor * rowK[j] }
                    }
                    rowI[i] = 1
                    let pivot = 1 / l[i * n + i]
                    for j in 0 ... i { rowI[j] *= pivot }
                }
            }
        }
        return inverse
    }
}
