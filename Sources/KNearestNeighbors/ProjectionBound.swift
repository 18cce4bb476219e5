import BenchCore
import LinearAlgebra

/// An orthonormal projection onto the training set's leading principal directions, whose
/// distances bound the true ones from below.
///
/// For orthonormal columns U (d × m, m ≤ d), ‖Uᵀ(q − t)‖² ≤ ‖q − t‖² for every q and t: a
/// projection never lengthens a vector. So m-dimensional distances, one GEMM m/d the size of
/// the full one, rule out every training image whose bound already exceeds a query's current
/// k-th nearest distance, and only the rest need their exact distance. This is the partial
/// distance search of Cheng, Gersho, Ramamurthi and Shoham ("Fast search algorithms for vector
/// quantization and pattern matching", ICASSP 1984) after a principal-component rotation, as
/// in McNames ("A fast nearest-neighbor algorithm based on a principal axis search tree",
/// IEEE TPAMI 23(9), 2001). The bound holds for any orthonormal U, so the quality of the
/// principal directions changes only how many images survive, never the neighbours found.
public struct ProjectionBound: Sendable {
    /// Input dimensions d and projected dimensions m.
    public let depth: Int
    public let dimensions: Int
    /// U, d × m, row-major, orthonormal columns.
    public let basis: [Float]
    /// The training mean μ. Projections are taken of x − μ, centred before the GEMM, so that
    /// their rounding scales with ‖x − μ‖ (distances do not change with the shift).
    public let mean: [Float]

    /// The leading `dimensions` principal directions of `features` (rows are images), by
    /// subspace iteration (Golub and Van Loan, *Matrix Computations*, §8.2.4) from a seeded
    /// random start on the covariance of at most `sampleLimit` evenly spaced images.
    public init(_ features: FeatureMatrix, dimensions: Int, seed: UInt64, iterations: Int = 8, sampleLimit: Int = 10_000, threads: Int) {
        let (n, d) = (features.rows, features.columns)
        let m = min(dimensions, d)
        depth = d
        self.dimensions = m
        // Mean and the centred sample.
        var mean = [Double](repeating: 0, count: d)
        features.values.withUnsafeBufferPointer { x in
            for r in 0 ..< n { for j in 0 ..< d { mean[j] += Double(x[r * d + j]) } }
        }
        for j in 0 ..< d { mean[j] /= Double(max(1, n)) }
        let stride = max(1, (n + sampleLimit - 1) / sampleLimit)
        let sample = Swift.stride(from: 0, to: n, by: stride).map { $0 }
        var centred = [Float](repeating: 0, count: sample.count * d)
        for (s, r) in sample.enumerated() {
            for j in 0 ..< d { centred[s * d + j] = features[r, j] - Float(mean[j]) }
        }
        // C = Xcᵀ Xc (d × d; the scale does not matter for the directions).
        var covariance = [Float](repeating: 0, count: d * d)
        centred.withUnsafeBufferPointer { x in
            covariance.withUnsafeMutableBufferPointer { c in
                sgemm(MatrixOperand(x.baseAddress!, rows: d, columns: sample.count, leadingDimension: d, transposed: true),
                      MatrixOperand(x.baseAddress!, rows: sample.count, columns: d),
                      into: MatrixDestination(c.baseAddress!, rows: d, columns: d), threads: threads)
            }
        }
        // Subspace iteration: V ← orthonormalise(C V).
        var generator = SplitMix64(seed: seed)
        var v = (0 ..< d * m).map { _ in Float(generator.nextGaussian()) }
        orthonormaliseColumns(&v, rows: d, columns: m)
        for _ in 0 ..< iterations {
            var product = [Float](repeating: 0, count: d * m)
            covariance.withUnsafeBufferPointer { c in
                v.withUnsafeBufferPointer { vv in
                    product.withUnsafeMutableBufferPointer { p in
                        sgemm(MatrixOperand(c.baseAddress!, rows: d, columns: d), MatrixOperand(vv.baseAddress!, rows: d, columns: m),
                              into: MatrixDestination(p.baseAddress!, rows: d, columns: m), threads: threads)
                    }
                }
            }
            orthonormaliseColumns(&product, rows: d, columns: m)
            v = product
        }
        basis = v
        self.mean = mean.map { Float($0) }
    }

    /// The projection with a stored basis and mean, as ``init(_:dimensions:seed:iterations:sampleLimit:threads:)``
    /// found them (a model file's): `depth` is `mean.count`.
    /// - Precondition: `basis` holds `mean.count × dimensions` values, and `dimensions ≥ 0`.
    ///   The bound holds only if the columns of `basis` are orthonormal (or zero); a decoder
    ///   checks that before calling this.
    public init(basis: [Float], mean: [Float], dimensions: Int) {
        precondition(dimensions >= 0 && basis.count == mean.count * dimensions,
                     "ProjectionBound: \(basis.count) basis values do not fill \(mean.count) × \(dimensions)")
        depth = mean.count
        self.dimensions = dimensions
        self.basis = basis
        self.mean = mean
    }

    /// Uᵀ(x − μ) for `count` rows of `rows` (each `depth` wide), row after row, and ‖x − μ‖²
    /// of each row.
    ///
    /// The rows are centred and projected a block of 1,024 at a time, each block on one thread
    /// with its own single-threaded GEMM: a centred copy of every row at once was as large as
    /// the training images themselves (86 MB for each fold of a 2-fold run on MNIST, both
    /// folds at once) and set k-NN's peak memory. The values are the same either way: each
    /// projected value is its k blocks summed in order, whatever rows share its GEMM call
    /// (``sgemm(_:_:into:alpha:beta:threads:)``), and each norm is summed in pixel order.
    public func project(_ rows: UnsafePointer<Float>, count: Int, threads: Int = 1) -> (values: [Float], centredNorms: [Float]) {
        var projected = [Float](repeating: 0, count: count * dimensions)
        var centredNorms = [Float](repeating: 0, count: count)
        let (depth, dimensions, chunk) = (self.depth, self.dimensions, 1024)
        let source = SharedReads(UnsafeBufferPointer(start: rows, count: count * depth))
        mean.withUnsafeBufferPointer { meanBuffer in
            basis.withUnsafeBufferPointer { basisBuffer in
                projected.withUnsafeMutableBufferPointer { projectedBuffer in
                    centredNorms.withUnsafeMutableBufferPointer { normBuffer in
                        let (mu, u) = (SharedReads(meanBuffer), SharedReads(basisBuffer))
                        let (out, norms) = (DisjointWrites(projectedBuffer), DisjointWrites(normBuffer))
                        parallelFor((count + chunk - 1) / chunk, threads: threads) { block in
                            let first = block * chunk, rowsHere = min(count, first + chunk) - first
                            var centred = [Float](repeating: 0, count: rowsHere * depth)
                            centred.withUnsafeMutableBufferPointer { x in
                                for r in 0 ..< rowsHere {
                                    var norm: Float = 0
                                    for j in 0 ..< depth {
                                        let value = source.buffer[(first + r) * depth + j] - mu.buffer[j]
                                        x[r * depth + j] = value
                                        norm += value * value
                                    }
                                    norms.buffer[first + r] = norm
                                }
                                guard dimensions > 0 && depth > 0 else { return }
                                sgemm(MatrixOperand(x.baseAddress!, rows: rowsHere, columns: depth),
                                      MatrixOperand(u.buffer.baseAddress!, rows: depth, columns: dimensions),
                                      into: MatrixDestination(out.buffer.baseAddress! + first * dimensions, rows: rowsHere, columns: dimensions))
                            }
                        }
                    }
                }
            }
        }
        return (projected, centredNorms)
    }
}

/// Modified Gram–Schmidt on the columns of a row-major `rows × columns` matrix, in double
/// precision and twice over ("twice is enough": Giraud, Langou and Rozložník, 2005), so the
/// float result is orthonormal to within rounding. A column that vanishes becomes a zero
/// column, which keeps the bound valid (it then adds nothing).
func orthonormaliseColumns(_ matrix: inout [Float], rows: Int, columns: Int) {
    var q = (0 ..< columns).map { c in (0 ..< rows).map { Double(matrix[$0 * columns + c]) } }
    for _ in 0 ..< 2 {
        for c in 0 ..< columns {
            for previous in 0 ..< c {
                let projection = zip(q[c], q[previous]).reduce(0) { $0 + $1.0 * $1.1 }
                for r in 0 ..< rows { q[c][r] -= projection * q[previous][r] }
            }
            let norm = q[c].reduce(0) { $0 + $1 * $1 }.squareRoot()
            for r in 0 ..< rows { q[c][r] = norm > 1e-12 ? q[c][r] / norm : 0 }
        }
    }
    for c in 0 ..< columns { for r in 0 ..< rows { matrix[r * columns + c] = Float(q[c][r]) } }
}
