import BenchCore
import LinearAlgebra

/// A fitted k-NN model: the training images, their labels, and what the distance search needs.
///
/// The label of a query is the class most of its k nearest training images have, a tie going
/// to the tied class with the nearest member; its scores are the vote fractions, votes per
/// class / k, so the label's score is its row's largest.
public struct NearestNeighborsModel: FittedClassifier {
    /// How the k nearest are found.
    enum Search: Sendable {
        /// Every distance ‖q‖² − 2q·t + ‖t‖² from one GEMM over all pixels.
        case plain
        /// Lower bounds from a GEMM over `bound.dimensions` projected dimensions; exact
        /// distances from ``images`` for the training images the bounds keep.
        case bounded(ProjectionBound)
    }

    let search: Search
    /// The training images, active pixels only, row-major: the plain search's GEMM operand,
    /// the bounded search's source of exact distances, and what a model file stores.
    let images: FeatureMatrix
    /// The GEMM's right-hand operand: the training images (plain) or their projections p_t
    /// (bounded); and for each column ‖t‖² (plain) or ‖p_t‖² − margin · ‖t − μ‖² (bounded).
    /// Both are built from ``images`` and the projection by ``init(images:bound:activeColumns:inputHeight:inputWidth:labels:classCount:k:queryBlock:trainingBlock:threads:)``.
    let packed: PackedRightOperand
    let packedNorms: [Float]

    /// How far the bounded search lowers each bound below its computed value, as a fraction of
    /// ‖q − μ‖² + ‖t − μ‖²: 0.1%, more than twenty times the worst-case rounding of a bound
    /// computed in single precision by GEMMs of depth d ≤ 784 (about d·2⁻²⁴ ≈ 5·10⁻⁵ of that sum).
    static let margin: Float = 1e-3
    /// The input pixels used (those nonzero in some training image), in increasing order.
    let activeColumns: [Int]
    public let inputHeight: Int
    public let inputWidth: Int
    /// The class of each training image, in `0 ..< classCount`.
    let labels: [Int]
    public let classCount: Int
    let k: Int
    let queryBlock: Int
    /// A multiple of 16: the GEMM takes column ranges that start on a panel.
    let trainingBlock: Int

    /// Pixels per input image.
    var inputColumns: Int { inputHeight * inputWidth }

    /// The model over `images` (training images, active pixels only): builds the search's packed
    /// operand and norms, from the projection when `bound` is given. The one construction used by
    /// the fit and by decoding, so that a decoded model is the fitted one, bit for bit. The
    /// result does not depend on `threads` (the GEMM and the packing are deterministic).
    init(images features: FeatureMatrix, bound: ProjectionBound?, activeColumns: [Int], inputHeight: Int, inputWidth: Int,
         labels: [Int], classCount: Int, k: Int, queryBlock: Int, trainingBlock: Int, threads: Int) {
        let operand: FeatureMatrix
        let operandNorms: [Float]
        if let bound {
            let projected = features.values.withUnsafeBufferPointer {
                bound.project($0.baseAddress!, count: features.rows, threads: threads)
            }
            search = .bounded(bound)
            operand = FeatureMatrix(rows: features.rows, columns: bound.dimensions, values: projected.values)
            operandNorms = zip(operand.squaredRowNorms(), projected.centredNorms).map { $0 - Self.margin * $1 }
        } else {
            search = .plain
            operand = features
            operandNorms = features.squaredRowNorms()
        }
        packed = operand.values.withUnsafeBufferPointer { values in
            // B = Tᵀ: depth = dimensions, columns = training images.
            PackedRightOperand(MatrixOperand(values.baseAddress!, rows: operand.columns, columns: operand.rows, transposed: true),
                               threads: threads)
        }
        packedNorms = operandNorms
        images = features
        self.activeColumns = activeColumns
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.labels = labels
        self.classCount = classCount
        self.k = k
        self.queryBlock = queryBlock
        self.trainingBlock = trainingBlock
    }

    /// Labels by majority vote (ties to the class of the nearest member) and vote fractions.
    /// For the bounded search, the diagnostics count the exact distances computed.
    public func classify(_ images: ImageSet, context: ExecutionContext) -> Prediction {
        let found = searchNeighbours(of: images, context: context)
        var labels: [Int] = []
        labels.reserveCapacity(images.count)
        var fractions = [Float](repeating: 0, count: images.count * classCount)
        for (q, neighbours) in found.neighbours.enumerated() {
            let (label, votes) = vote(neighbours)
            labels.append(label)
            for c in 0 ..< classCount { fractions[q * classCount + c] = Float(votes[c]) / Float(k) }
        }
        var diagnostics = Diagnostics()
        if case .bounded = search {
            diagnostics.fact("exact distances", String(found.exactDistances))
            if images.count > 0 {
                let perQuery = (Double(found.exactDistances) / Double(images.count) * 10).rounded() / 10
                diagnostics.fact("exact distances per query", "\(format(perQuery)) (of \(self.images.rows) training images)")
            }
        }
        let scores = ScoreMatrix(rows: images.count, classCount: classCount, values: fractions) ?? ScoreMatrix(empty: classCount)
        return Prediction(labels: labels, scores: scores, diagnostics: diagnostics)
    }

    /// The k nearest training images of every query, nearest first (ties: lower index first).
    public func neighbours(of images: FeatureMatrix, context: ExecutionContext) -> [[Neighbour]] {
        searchNeighbours(of: ImageSet(height: inputHeight, width: inputWidth, features: images), context: context).neighbours
    }

    /// The k nearest training images of every query, and how many exact distances the bounded
    /// search computed (0 for the plain search). Query blocks run in parallel, each with its own
    /// single-threaded GEMM, so each query's neighbours are found by the same arithmetic for
    /// any thread count.
    func searchNeighbours(of images: ImageSet, context: ExecutionContext) -> (neighbours: [[Neighbour]], exactDistances: Int) {
        precondition(images.pixelCount == inputColumns, "knn: model has \(inputColumns) features, images have \(images.pixelCount)")
        // Ink where no training image has any adds the same to all of a query's distances:
        // the plain search adds ‖q‖² over every pixel, the bounded one Σ q_j² over those pixels.
        let queryNorms = images.squaredNorms()
        let activeSet = Set(activeColumns)
        let inactive = (0 ..< images.pixelCount).filter { !activeSet.contains($0) }
        let inactiveNorms = images.features(columns: inactive).squaredRowNorms()
        let blocks = (images.count + queryBlock - 1) / queryBlock
        let perBlock = parallelMap(blocks, threads: context.threads) { block -> (neighbours: [[Neighbour]], exactDistances: Int) in
            let first = block * queryBlock, count = min(queryBlock, images.count - first)
            // Each block's queries, active pixels only, as floats: the whole query set is never
            // copied (30,000 held-out images would be 86 MB of floats per fold).
            let queries = images.features(rows: Array(first ..< first + count), columns: activeColumns).values
            // (Training images without any ink leave no active pixel: a pointer is still needed.)
            return (queries.isEmpty ? [0] : queries).withUnsafeBufferPointer { values in
                let start = values.baseAddress!
                switch search {
                case .plain: return (nearest(queries: start, count: count, norms: queryNorms[first ..< first + count]), 0)
                case .bounded(let bound):
                    return nearest(queries: start, count: count, inactiveNorms: inactiveNorms[first ..< first + count], bound: bound, images: self.images)
                }
            }
        }
        return (perBlock.flatMap(\.neighbours), perBlock.reduce(0) { $0 + $1.exactDistances })
    }

    /// The k nearest training images of `count` consecutive queries starting at `queries`,
    /// from the GEMM's dot products over all pixels.
    private func nearest(queries: UnsafePointer<Float>, count: Int, norms queryNorms: ArraySlice<Float>) -> [[Neighbour]] {
        let n = packed.columns, d = packed.depth
        var best = [TopK](repeating: TopK(k: k), count: count)
        var products = [Float](repeating: 0, count: count * min(trainingBlock, n))
        let a = MatrixOperand(queries, rows: count, columns: d)
        for start in stride(from: 0, to: n, by: trainingBlock) {
            let width = min(trainingBlock, n - start)
            products.withUnsafeMutableBufferPointer { c in
                // C = Q Tᵀ for this block of training images.
                sgemm(a, packed, columns: start ..< start + width, into: MatrixDestination(c.baseAddress!, rows: count, columns: width))
                packedNorms.withUnsafeBufferPointer { norms in
                    for q in 0 ..< count {
                        let row = c.baseAddress! + q * width
                        // ‖q‖² is the same for every candidate of this query: it is added at the end.
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
        return zip(best, queryNorms).map { top, norm in top.sorted.map { Neighbour(index: $0.index, distance: $0.distance + norm) } }
    }

    /// The k nearest training images of `count` consecutive queries, by the projection bound:
    /// a training image's exact distance is computed only if its lower bound is below the
    /// query's current k-th nearest distance.
    ///
    /// The bound, ‖p_q‖² + ‖p_t‖² − 2p_q·p_t for the projections p, is rounded in single
    /// precision; it is lowered by ``margin`` · (‖q − μ‖² + ‖t − μ‖²), many times the rounding
    /// error, so that rounding does not rule out a true neighbour.
    private func nearest(queries: UnsafePointer<Float>, count: Int, inactiveNorms: ArraySlice<Float>,
                         bound: ProjectionBound, images: FeatureMatrix) -> (neighbours: [[Neighbour]], exactDistances: Int) {
        let n = packed.columns, m = bound.dimensions, d = images.columns
        let projected = bound.project(queries, count: count)
        let queryTerms = (0 ..< count).map { q in
            (0 ..< m).reduce(Float(0)) { $0 + projected.values[q * m + $1] * projected.values[q * m + $1] } - Self.margin * projected.centredNorms[q]
        }
        var best = [TopK](repeating: TopK(k: k), count: count)
        var products = [Float](repeating: 0, count: count * min(trainingBlock, n))
        var exact = 0
        projected.values.withUnsafeBufferPointer { p in
            let a = MatrixOperand(p.baseAddress!, rows: count, columns: m)
            for start in stride(from: 0, to: n, by: trainingBlock) {
                let width = min(trainingBlock, n - start)
                products.withUnsafeMutableBufferPointer { c in
                    sgemm(a, packed, columns: start ..< start + width, into: MatrixDestination(c.baseAddress!, rows: count, columns: width))
                    packedNorms.withUnsafeBufferPointer { trainingTerms in
                        images.values.withUnsafeBufferPointer { training in
                            for q in 0 ..< count {
                                let row = c.baseAddress! + q * width
                                let query = queries + q * d
                                var threshold = best[q].threshold
                                for j in 0 ..< width where queryTerms[q] + trainingTerms[start + j] - 2 * row[j] < threshold {
                                    let distance = squaredDistance(query, training.baseAddress! + (start + j) * d, count: d)
                                    exact += 1
                                    if distance < threshold {
                                        best[q].insert(Neighbour(index: start + j, distance: distance))
                                        threshold = best[q].threshold
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let found = zip(best, inactiveNorms).map { top, extra in top.sorted.map { Neighbour(index: $0.index, distance: $0.distance + extra) } }
        return (found, exact)
    }

    /// Majority vote; a tie between classes goes to the tied class with the nearest member.
    /// - Returns: The class, and the votes of every class.
    func vote(_ neighbours: [Neighbour]) -> (label: Int, votes: [Int]) {
        var votes = [Int](repeating: 0, count: classCount)
        for neighbour in neighbours { votes[labels[neighbour.index]] += 1 }
        let most = votes.max() ?? 0
        // Neighbours are nearest first, so the first one in a tied class decides.
        return (neighbours.first { votes[labels[$0.index]] == most }.map { labels[$0.index] } ?? 0, votes)
    }
}

/// A training image and its squared Euclidean distance to a query.
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

/// ‖a − b‖² over `count` floats, with four vector accumulators.
@inline(__always)
func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    typealias V = SIMD8<Float>
    @inline(__always) func difference(_ j: Int) -> V {
        UnsafeRawPointer(a + j).loadUnaligned(as: V.self) - UnsafeRawPointer(b + j).loadUnaligned(as: V.self)
    }
    var s0 = V(), s1 = V(), s2 = V(), s3 = V()
    var j = 0
    while j + 32 <= count {
        let d0 = difference(j), d1 = difference(j + 8), d2 = difference(j + 16), d3 = difference(j + 24)
        s0.addProduct(d0, d0)
        s1.addProduct(d1, d1)
        s2.addProduct(d2, d2)
        s3.addProduct(d3, d3)
        j += 32
    }
    while j + 8 <= count {
        let d0 = difference(j)
        s0.addProduct(d0, d0)
        j += 8
    }
    var total = ((s0 + s1) + (s2 + s3)).sum()
    while j < count {
        let d = a[j] - b[j]
        total += d * d
        j += 1
    }
    return total
}
