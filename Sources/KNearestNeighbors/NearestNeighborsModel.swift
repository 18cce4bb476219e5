import BenchCore
import LinearAlgebra

/// A fitted k-NN model: the packed training images, their squared norms and labels.
public struct NearestNeighborsModel: FittedClassifier {
    let training: PackedRightOperand
    /// The input pixels used (those nonzero in some training image), and how many there were.
    let activeColumns: [Int]
    let inputColumns: Int
    let squaredNorms: [Float]
    let labels: [Int]
    let classCount: Int
    let k: Int
    let queryBlock: Int
    let trainingBlock: Int

    /// Predicted labels. Query blocks run in parallel, each with its own single-threaded GEMM,
    /// so each query's neighbours are found by the same arithmetic for any thread count.
    public func predict(_ images: ImageSet, context: ExecutionContext) -> [Int] {
        neighbours(of: images.features, context: context).map(vote)
    }

    /// The k nearest training images of every query, nearest first (ties: lower index first).
    public func neighbours(of images: FeatureMatrix, context: ExecutionContext) -> [[Neighbour]] {
        precondition(images.columns == inputColumns, "knn: model has \(inputColumns) features, images have \(images.columns)")
        let queries = images.selecting(columns: activeColumns)
        let blocks = (queries.rows + queryBlock - 1) / queryBlock
        let perBlock = queries.values.withUnsafeBufferPointer { values in
            let shared = SharedReads(values)
            return parallelMap(blocks, threads: context.threads) { block -> [[Neighbour]] in
                let first = block * queryBlock, count = min(queryBlock, queries.rows - first)
                return nearest(queries: shared.buffer.baseAddress! + first * queries.columns, count: count)
            }
        }
        return perBlock.flatMap { $0 }
    }

    /// The k nearest training images of `count` consecutive queries starting at `queries`.
    private func nearest(queries: UnsafePointer<Float>, count: Int) -> [[Neighbour]] {
        let n = training.columns, d = training.depth
        var best = [TopK](repeating: TopK(k: k), count: count)
        var products = [Float](repeating: 0, count: count * min(trainingBlock, n))
        let a = MatrixOperand(queries, rows: count, columns: d)
        for start in stride(from: 0, to: n, by: trainingBlock) {
            let width = min(trainingBlock, n - start)
            products.withUnsafeMutableBufferPointer { c in
                // C = Q Tᵀ for this block of training images.
                sgemm(a, training, columns: start ..< start + width, into: MatrixDestination(c.baseAddress!, rows: count, columns: width))
                squaredNorms.withUnsafeBufferPointer { norms in
                    for q in 0 ..< count {
                        let row = c.baseAddress! + q * width
                        // ‖q‖² is the same for every candidate of this query, so it is left out.
                        var threshold = best[q].threshold
                        for j in 0 ..< width {
                            let distance = norms[start + j] - 2 * row[j]
                            if distance < threshold {
                                best[q].insert(Neighbour(index: start + j, distance: distance))
                                threshold = best[q].threshold
                            }
                        }
                    }
                }
            }
        }
        return best.map(\.sorted)
    }

    /// Majority vote; a tie between classes goes to the tied class with the nearest member.
    func vote(_ neighbours: [Neighbour]) -> Int {
        var votes = [Int](repeating: 0, count: classCount)
        for neighbour in neighbours { votes[labels[neighbour.index]] += 1 }
        let most = votes.max() ?? 0
        // Neighbours are nearest first, so the first one in a tied class decides.
        return neighbours.first { votes[labels[$0.index]] == most }.map { labels[$0.index] } ?? 0
    }

    public var report: ModelReport {
        ModelReport(facts: [
            ("k", String(k)),
            ("training images stored", String(training.columns)),
            ("pixels used", "\(activeColumns.count) of \(inputColumns) (the rest are zero in every training image)"),
            ("model size", "\(training.byteCount + squaredNorms.count * 4 + labels.count * 8) bytes (packed float32 images, norms, labels)"),
            ("distance blocks", "\(queryBlock) test × \(trainingBlock) training images (\(queryBlock * trainingBlock * 4 / 1_048_576) MB per thread)"),
        ])
    }
}

/// A training image and its distance to a query, less the query's own squared norm.
public struct Neighbour: Sendable, Equatable {
    public let index: Int
    public let distance: Float
}

/// The k smallest distances seen so far, kept sorted (k is small: insertion is cheapest).
struct TopK: Sendable {
    private(set) var sorted: [Neighbour] = []
    let k: Int

    init(k: Int) {
        self.k = k
        sorted.reserveCapacity(k + 1)
    }

    /// Candidates must be strictly below this to enter.
    var threshold: Float { sorted.count < k ? .infinity : sorted[k - 1].distance }

    /// Inserts after every equal distance, so among equals the earlier (lower index) stays first.
    mutating func insert(_ candidate: Neighbour) {
        var position = sorted.count
        while position > 0 && sorted[position - 1].distance > candidate.distance { position -= 1 }
        sorted.insert(candidate, at: position)
        if sorted.count > k { sorted.removeLast() }
    }
}
