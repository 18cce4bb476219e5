import BenchCore
import Dispatch
import LinearAlgebra

/// One of the one-vs-one problems: the images of class `positive` (y = +1) against those of
/// class `negative` (y = −1), in that order.
struct BinaryProblem: Sendable {
    let positive: Int
    let negative: Int
    /// Images of each class.
    let positiveCount: Int
    let negativeCount: Int

    var size: Int { positiveCount + negativeCount }

    init(positive: Int, negative: Int, training: ClassSortedTraining) {
        self.positive = positive
        self.negative = negative
        positiveCount = training.count(of: positive)
        negativeCount = training.count(of: negative)
    }

    /// Index in ``ClassSortedTraining`` of the problem's sample `t`.
    func sortedIndex(_ t: Int, in training: ClassSortedTraining) -> Int {
        t < positiveCount ? training.classStart[positive] + t : training.classStart[negative] + t - positiveCount
    }

    /// Solves the problem with SMO, its kernel rows in a cache of `budget` bytes, the pieces of
    /// rows against an image's own class shared with the other pairs through `shared`, the
    /// cache's memory from `pool`.
    func solve(training: ClassSortedTraining, kernel: KernelFunction, solver: SMOSolver.Configuration,
               budget: Int, block: Int, shared: OwnClassRows, pool: RowStoragePool) -> BinarySolution {
        let start = DispatchTime.now()
        let n = size, depth = training.depth
        let norms = (0 ..< n).map { training.squaredNorms[sortedIndex($0, in: training)] }
        let diagonal = norms.map { kernel.value(dot: $0, squaredNorm: $0, $0) }
        // A row is two pieces: the values against the positive class (columns 0 ..< positiveCount)
        // and against the negative class (the rest).
        let pieces = [(label: positive, offset: 0, count: positiveCount), (label: negative, offset: positiveCount, count: negativeCount)]

        // Rows K(x_s, ·) for the listed samples, piece by piece: a piece against the sample's own
        // class is copied from `shared` if another pair has computed it; the rest are computed
        // together, one GEMM on the class's columns of the shared packed matrix, then the kernel
        // applied in place.
        let cache = KernelRowCache(width: n, diagonal: diagonal, budget: budget, block: block, pool: pool) { samples, out in
            let images = samples.map { sortedIndex($0, in: training) }
            for piece in pieces {
                let own = samples.map { ($0 < positiveCount) == (piece.label == positive) }
                let missing = samples.indices.filter { r in
                    !(own[r] && shared.copy(images[r], count: piece.count, into: out + r * n + piece.offset))
                }
                guard !missing.isEmpty && piece.count > 0 else { continue }
                var rows = [Float](repeating: 0, count: missing.count * depth)
                // When every listed row misses this piece (always for the other class's piece),
                // the GEMM writes the rows where they go, in `out`, and the kernel is applied
                // there: no buffer to fill and copy out. Otherwise into a buffer, then copied.
                let inPlace = missing.count == samples.count
                var values = [Float](repeating: 0, count: inPlace ? 0 : missing.count * piece.count)
                training.features.values.withUnsafeBufferPointer { features in
                    for (k, r) in missing.enumerated() {
                        rows.withUnsafeMutableBufferPointer {
                            ($0.baseAddress! + k * depth).update(from: features.baseAddress! + images[r] * depth, count: depth)
                        }
                    }
                }
                let first = training.columnStart[piece.label], classFirst = training.classStart[piece.label]
                rows.withUnsafeBufferPointer { a in
                    values.withUnsafeMutableBufferPointer { buffer in
                        // The same values either way: the GEMM's sums do not depend on where C lies.
                        let (c, ldc) = inPlace ? (out + piece.offset, n) : (buffer.baseAddress!, piece.count)
                        sgemm(MatrixOperand(a.baseAddress!, rows: missing.count, columns: depth), training.packed,
                              columns: first ..< first + piece.count,
                              into: MatrixDestination(c, rows: missing.count, columns: piece.count, leadingDimension: ldc),
                              skippingZeroSteps: true)
                        training.squaredNorms.withUnsafeBufferPointer { z in
                            for (k, r) in missing.enumerated() {
                                let row = c + k * ldc
                                kernel.apply(to: row, count: piece.count, squaredNorm: z[images[r]], z.baseAddress! + classFirst)
                                if !inPlace { (out + r * n + piece.offset).update(from: row, count: piece.count) }
                                if own[r] { shared.store(images[r], count: piece.count, from: row) }
                            }
                        }
                    }
                }
            }
        }
        let labels = (0 ..< n).map { $0 < positiveCount ? 1.0 : -1.0 }
        let solution = SMOSolver(labels: labels, configuration: solver).solve(cache)
        return BinarySolution(problem: self, solution: solution, seconds: Stopwatch.seconds(since: start),
                              rowsComputed: cache.rowsComputed, rowRequests: cache.requests, cacheBytes: cache.byteCount)
    }
}

/// A solved binary problem and what it cost.
struct BinarySolution: Sendable {
    let problem: BinaryProblem
    let solution: SMOSolver.Solution
    let seconds: Double
    /// Kernel rows computed, rows asked for by the solver, and the bytes the row cache held.
    let rowsComputed: Int
    let rowRequests: Int
    let cacheBytes: Int

    /// Samples with α > 0, and those at the bound C.
    var supportVectors: Int { solution.alpha.count { $0 > 0 } }
    var boundedSupportVectors: Int { solution.alpha.count { $0 == solution.C } }
}
