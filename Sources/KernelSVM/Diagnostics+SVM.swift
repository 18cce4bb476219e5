import BenchCore
import Foundation

/// What the report shows of one binary problem's solve.
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

extension Diagnostics {
    /// What fitting `model` learned, for the report: totals as facts and one row per class
    /// pair in the table `pairs`.
    /// - Parameters:
    ///   - solutions: Each pair's solve, in the order of the model's pairs.
    ///   - cacheBudget: The fit's kernel-value budget in bytes.
    ///   - shared: Row pieces copied from and stored in the store shared by the pairs, and its bytes.
    init(svm model: SVMModel, solutions: [PairSummary], cacheBudget: Int, shared: (hits: Int, stored: Int, bytes: Int)) {
        self.init()
        let totalIterations = solutions.reduce(0) { $0 + $1.iterations }
        let capped = solutions.filter(\.reachedIterationCap)
        let rowsComputed = solutions.reduce(0) { $0 + $1.rowsComputed }
        let requests = solutions.reduce(0) { $0 + $1.rowRequests }
        let widest = solutions.map(\.cacheBytes).max() ?? 0
        fact("kernel", model.kernel.description)
        fact("class pairs", String(model.pairs.count))
        fact("support vectors", "\(model.supportVectors.rows) distinct images (\(solutions.reduce(0) { $0 + $1.supportVectors }) over all pairs)")
        fact("SMO iterations", "\(totalIterations) over all pairs"
            + (capped.isEmpty ? "" : "; \(capped.count) pair(s) stopped at the iteration cap"))
        fact("kernel rows", "\(rowsComputed) computed for \(requests) requests "
            + (rowsComputed <= requests
                ? "(\(String(format: "%.1f", 100 * (1 - Double(rowsComputed) / Double(max(1, requests)))))% saved by the cache)"
                : "(more than asked for: rows computed ahead were evicted before use; a larger cacheMB avoids that)"))
        fact("kernel-row cache", "budget \(cacheBudget / 1_048_576) MiB per fit; the largest pair's cache held "
            + String(format: "%.1f", Double(widest) / 1_048_576) + " MiB")
        fact("rows shared between pairs", "\(shared.hits) pieces against the image's own class copied instead of computed; "
            + "\(shared.stored) stored, " + String(format: "%.1f", Double(shared.bytes) / 1_048_576) + " MiB at the end")
        fact("solver time", String(format: "%.2f s over all pairs", solutions.reduce(0) { $0 + $1.seconds }))
        fact("pixels used", "\(model.activeColumns.count) of \(model.inputHeight * model.inputWidth) (the rest are zero in every training image)")
        fact("model size", "\(model.byteCount) bytes (packed float32 support vectors, norms, coefficients, biases)")

        tables.append(DiagnosticTable(
            id: "pairs", title: "Class pairs",
            // The report follows the caption with the file name.
            caption: "One row per binary problem: its samples, support vectors (and those at the bound C), SMO iterations, "
                + "final optimality gap, solve time, and the kernel rows computed against those the solver asked for",
            columns: ["positive", "negative", "samples", "support_vectors", "bounded", "iterations", "gap", "seconds",
                      "rows_computed", "row_requests"],
            rows: solutions.map { s in
                [.integer(s.positive), .integer(s.negative), .integer(s.samples), .integer(s.supportVectors), .integer(s.bounded),
                 .integer(s.iterations), .real(s.gap), .real(s.seconds), .integer(s.rowsComputed), .integer(s.rowRequests)]
            }))
    }
}
