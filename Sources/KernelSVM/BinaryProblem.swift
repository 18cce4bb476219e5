import BenchCore
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

    /// Solves the problem with SMO, its kernel rows in a cache of `budget` bytes.
    func solve(training: ClassSortedTraining, kernel: KernelFunction, solver: SMOSolver.Configuration,
               budget: Int, block: Int) -> BinarySolution {
        let start = ContinuousClock.now
        let n = size, depth = training.depth
        let norms = (0 ..< n).map { training.squaredNorms[sortedIndex($0, in: training)] }
        let diagonal = norms.map { kernel.value(dot: $0, squaredNorm: $0, $0) }
        let columns = [(training.columnStart[positive], positiveCount, 0),
                       (training.columnStart[negative], negativeCount, positiveCount)]

        // Rows K(x_s, ·) for the listed samples: the dot products with both classes' images by
        // two GEMMs on the shared packed matrix, then the kernel applied in place.
        let cache = KernelRowCache(width: n, diagonal: diagonal, budget: budget, block: block) { samples, out in
            var gathered = [Float](repeating: 0, count: samples.count * depth)
            training.features.values.withUnsafeBufferPointer { images in
                gathered.withUnsafeMutableBufferPointer { rows in
                    for (r, s) in samples.enumerated() {
                        (rows.baseAddress! + r * depth).update(from: images.baseAddress! + sortedIndex(s, in: training) * depth, count: depth)
                    }
                }
            }
            gathered.withUnsafeBufferPointer { rows in
                let a = MatrixOperand(rows.baseAddress!, rows: samples.count, columns: depth)
                for (first, count, offset) in columns {
                    sgemm(a, training.packed, columns: first ..< first + count,
                          into: MatrixDestination(out + offset, rows: samples.count, columns: count, leadingDimension: n))
                }
            }
            norms.withUnsafeBufferPointer { z in
                for (r, s) in samples.enumerated() {
                    kernel.apply(to: out + r * n, count: n, squaredNorm: z[s], z.baseAddress!)
                }
            }
        }
        let labels = (0 ..< n).map { $0 < positiveCount ? 1.0 : -1.0 }
        let solution = SMOSolver(labels: labels, configuration: solver).solve(cache)
        return BinarySolution(problem: self, solution: solution, seconds: (ContinuousClock.now - start).seconds,
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

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
