import BenchCore
import Evaluation
import Foundation
import LinearAlgebra

/// A fitted one-vs-one SVM: the support vectors of all class pairs, stored once, and each
/// pair's coefficients y_t α_t and bias.
///
/// Prediction computes the kernel between a block of test images and the union of support
/// vectors once (one GEMM and one kernel pass), then all pairs' decision values at once as a
/// second GEMM, K · coefficients, with one column per pair. Each pair votes for its positive
/// class when its decision value is positive, else for its negative class; the class with the
/// most votes wins, ties going to the lower class (as in libsvm).
public struct SVMModel: FittedClassifier {
    let kernel: KernelFunction
    let classCount: Int
    /// The pairs, as (positive, negative) classes, in the order of the coefficient columns and
    /// of ``decisionValues(_:context:)``.
    public let pairs: [(positive: Int, negative: Int)]
    /// The input pixels used, and how many there were.
    let activeColumns: [Int]
    let inputColumns: Int
    /// The support vectors as the GEMM's right-hand operand (`depth × count`), and their ‖x‖².
    let supportVectors: PackedRightOperand
    let supportNorms: [Float]
    /// `supportVectors.columns × pairs.count`, row-major: y_t α_t of each support vector in each
    /// pair (zero where it is not one of that pair's support vectors).
    let coefficients: [Float]
    /// b of each pair.
    let biases: [Float]
    /// What each pair's solve cost, for the report.
    let solutions: [PairSummary]
    let cacheBudget: Int
    /// Row pieces copied from and stored in the store shared by the pairs, and its bytes.
    let shared: (hits: Int, stored: Int, bytes: Int)
    /// Test images per prediction block.
    let queryBlock = 256

    init(kernel: KernelFunction, training: ClassSortedTraining, solutions: [BinarySolution], classCount: Int,
         cacheBudget: Int, shared: (hits: Int, stored: Int, bytes: Int)) {
        self.kernel = kernel
        self.classCount = classCount
        self.cacheBudget = cacheBudget
        self.shared = shared
        pairs = solutions.map { ($0.problem.positive, $0.problem.negative) }
        activeColumns = training.activeColumns
        inputColumns = training.inputColumns

        // The union of support vectors, in class-sorted order.
        var column = [Int](repeating: -1, count: training.count)
        var members = [Int]()
        for solved in solutions {
            for (t, alpha) in solved.solution.alpha.enumerated() where alpha > 0 {
                let s = solved.problem.sortedIndex(t, in: training)
                if column[s] < 0 {
                    column[s] = 0
                    members.append(s)
                }
            }
        }
        members.sort()
        for (c, s) in members.enumerated() { column[s] = c }
        var coefficients = [Float](repeating: 0, count: members.count * solutions.count)
        for (p, solved) in solutions.enumerated() {
            for (t, alpha) in solved.solution.alpha.enumerated() where alpha > 0 {
                let label = t < solved.problem.positiveCount ? 1.0 : -1.0
                coefficients[column[solved.problem.sortedIndex(t, in: training)] * solutions.count + p] = Float(label * alpha)
            }
        }
        self.coefficients = coefficients
        biases = solutions.map { Float($0.solution.bias) }
        let vectors = training.features.rows(at: members)
        supportNorms = members.map { training.squaredNorms[$0] }
        supportVectors = vectors.values.withUnsafeBufferPointer {
            PackedRightOperand(MatrixOperand($0.baseAddress!, rows: vectors.columns, columns: vectors.rows, transposed: true))
        }
        self.solutions = solutions.map(PairSummary.init)
    }

    public func predict(_ images: ImageSet, context: ExecutionContext) -> [Int] {
        decisionValues(images, context: context).map(vote)
    }

    /// Every pair's decision value Σ_t y_t α_t K(x_t, x) + b for every image (one array per
    /// image, in the order of ``pairs``): positive votes for the pair's positive class.
    public func decisionValues(_ images: ImageSet, context: ExecutionContext) -> [[Float]] {
        precondition(images.pixelCount == inputColumns, "svm: model has \(inputColumns) features, images have \(images.pixelCount)")
        let queries = images.features.selecting(columns: activeColumns)
        // ‖x‖² over every pixel: a query may have ink where no training image has any, and for
        // the RBF kernel that ink is part of its distance to every support vector.
        let norms = images.features.squaredRowNorms()
        let blocks = (queries.rows + queryBlock - 1) / queryBlock
        return queries.values.withUnsafeBufferPointer { values in
            let shared = SharedReads(values)
            return parallelMap(blocks, threads: context.threads) { block -> [[Float]] in
                let first = block * queryBlock, count = min(queryBlock, queries.rows - first)
                return decisions(queries: shared.buffer.baseAddress! + first * queries.columns, norms: norms[first ..< first + count], count: count)
            }
        }.flatMap { $0 }
    }

    /// The decision values of `count` consecutive queries (active pixels only), given their
    /// squared norms (all pixels).
    func decisions(queries: UnsafePointer<Float>, norms: ArraySlice<Float>, count: Int) -> [[Float]] {
        let depth = activeColumns.count, n = supportVectors.columns, p = pairs.count
        var kernelValues = [Float](repeating: 0, count: count * n)
        var values = [Float](repeating: 0, count: count * p)
        kernelValues.withUnsafeMutableBufferPointer { k in
            sgemm(MatrixOperand(queries, rows: count, columns: depth), supportVectors,
                  into: MatrixDestination(k.baseAddress!, rows: count, columns: n))
            supportNorms.withUnsafeBufferPointer { z in
                for (q, norm) in norms.enumerated() {
                    kernel.apply(to: k.baseAddress! + q * n, count: n, squaredNorm: norm, z.baseAddress!)
                }
            }
            coefficients.withUnsafeBufferPointer { c in
                values.withUnsafeMutableBufferPointer { v in
                    sgemm(MatrixOperand(k.baseAddress!, rows: count, columns: n), MatrixOperand(c.baseAddress!, rows: n, columns: p),
                          into: MatrixDestination(v.baseAddress!, rows: count, columns: p))
                }
            }
        }
        return (0 ..< count).map { q in (0 ..< p).map { values[q * p + $0] + biases[$0] } }
    }

    /// The class with the most pairwise votes; ties go to the lower class.
    func vote(_ decision: [Float]) -> Int {
        var votes = [Int](repeating: 0, count: classCount)
        for (p, pair) in pairs.enumerated() { votes[decision[p] > 0 ? pair.positive : pair.negative] += 1 }
        var winner = 0
        for c in 1 ..< classCount where votes[c] > votes[winner] { winner = c }
        return winner
    }

    public var report: ModelReport {
        let totalIterations = solutions.reduce(0) { $0 + $1.iterations }
        let capped = solutions.filter(\.reachedIterationCap)
        let rowsComputed = solutions.reduce(0) { $0 + $1.rowsComputed }
        let requests = solutions.reduce(0) { $0 + $1.rowRequests }
        let widest = solutions.map(\.cacheBytes).max() ?? 0
        let modelBytes = supportVectors.byteCount + (supportNorms.count + coefficients.count + biases.count) * 4
        let csv = CSVTable(header: ["positive", "negative", "samples", "support_vectors", "bounded", "iterations", "gap", "seconds",
                                    "rows_computed", "row_requests"],
                           rows: solutions.map { s in
                               [String(s.positive), String(s.negative), String(s.samples), String(s.supportVectors), String(s.bounded),
                                String(s.iterations), String(format: "%.3g", s.gap), String(format: "%.2f", s.seconds),
                                String(s.rowsComputed), String(s.rowRequests)]
                           })
        return ModelReport(
            facts: [
                ("kernel", kernel.description),
                ("class pairs", String(pairs.count)),
                ("support vectors", "\(supportVectors.columns) distinct images (\(solutions.reduce(0) { $0 + $1.supportVectors }) over all pairs)"),
                ("SMO iterations", "\(totalIterations) over all pairs"
                    + (capped.isEmpty ? "" : "; \(capped.count) pair(s) stopped at the iteration cap")),
                ("kernel rows", "\(rowsComputed) computed for \(requests) requests "
                    + (rowsComputed <= requests
                        ? "(\(String(format: "%.1f", 100 * (1 - Double(rowsComputed) / Double(max(1, requests)))))% saved by the cache)"
                        : "(more than asked for: rows computed ahead were evicted before use; a larger cacheMB avoids that)")),
                ("kernel-row cache", "budget \(cacheBudget / 1_048_576) MiB per fit; the largest pair's cache held "
                    + String(format: "%.1f", Double(widest) / 1_048_576) + " MiB"),
                ("rows shared between pairs", "\(shared.hits) pieces against the image's own class copied instead of computed; "
                    + "\(shared.stored) stored, " + String(format: "%.1f", Double(shared.bytes) / 1_048_576) + " MiB at the end"),
                ("solver time", String(format: "%.2f s over all pairs", solutions.reduce(0) { $0 + $1.seconds })),
                ("pixels used", "\(activeColumns.count) of \(inputColumns) (the rest are zero in every training image)"),
                ("model size", "\(modelBytes) bytes (packed float32 support vectors, norms, coefficients, biases)"),
            ],
            sections: [("Class pairs", "One row per binary problem (also in `pairs.csv`).\n\n" + csv.markdown)],
            files: [("pairs.csv", csv.text)])
    }
}

/// What the report shows of one binary problem.
struct PairSummary: Sendable {
    let positive: Int, negative: Int, samples: Int
    let supportVectors: Int, bounded: Int, iterations: Int
    let gap: Double, seconds: Double, reachedIterationCap: Bool
    let rowsComputed: Int, rowRequests: Int, cacheBytes: Int

    init(_ solved: BinarySolution) {
        positive = solved.problem.positive
        negative = solved.problem.negative
        samples = solved.problem.size
        supportVectors = solved.supportVectors
        bounded = solved.boundedSupportVectors
        iterations = solved.solution.iterations
        gap = solved.solution.gap
        seconds = solved.seconds
        reachedIterationCap = solved.solution.reachedIterationCap
        rowsComputed = solved.rowsComputed
        rowRequests = solved.rowRequests
        cacheBytes = solved.cacheBytes
    }
}
