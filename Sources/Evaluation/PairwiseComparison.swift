import Foundation

/// Every pair of algorithms of one results directory, compared on the same test images by
/// McNemar's exact test (with Holm's adjustment over the pairs) and, when both were
/// cross-validated on the same folds, by the Nadeau–Bengio corrected resampled t-test.
public struct PairwiseComparison: Sendable {
    public struct Pair: Sendable, Equatable {
        public let first: String
        public let second: String
        public let firstAccuracy: Double
        public let secondAccuracy: Double
        public let mcnemar: McNemarTest
        /// McNemar's p adjusted by Holm's procedure over all the pairs.
        public let holmP: Double
        /// On the shared folds, or `nil` when the two were not cross-validated on the same ones.
        public let folds: CorrectedResampledTTest?

        /// The better of the two when the adjusted McNemar p is below 0.05, else `nil`.
        public var significantWinner: String? {
            guard holmP < 0.05 else { return nil }
            return mcnemar.firstOnly > mcnemar.secondOnly ? first : second
        }
    }

    public let algorithms: [String]
    public let pairs: [Pair]

    /// The comparison of `results` (predictions of the same test images).
    /// - Throws: ``ResultReadError`` when two algorithms' test labels differ.
    public init(_ results: [StoredResult], directory: String = "") throws(ResultReadError) {
        algorithms = results.map(\.algorithm)
        var raw: [(Int, Int, McNemarTest, CorrectedResampledTTest?)] = []
        for i in results.indices {
            for j in results.indices where j > i {
                let (a, b) = (results[i], results[j])
                guard a.labels == b.labels else {
                    throw ResultReadError(path: directory, reason: "\(a.algorithm) and \(b.algorithm) were scored on different test images")
                }
                let sameFolds = !a.foldAccuracies.isEmpty && a.foldAccuracies.count == b.foldAccuracies.count
                    && a.seed == b.seed && a.folds == b.folds && a.repeats == b.repeats && a.trainSize == b.trainSize
                let folds = sameFolds
                    ? CorrectedResampledTTest(differences: zip(a.foldAccuracies, b.foldAccuracies).map { $0 - $1 }, testFraction: a.foldTestFraction)
                    : nil
                raw.append((i, j, McNemarTest(truth: a.labels, first: a.predictions, second: b.predictions), folds))
            }
        }
        let adjusted = holmAdjusted(raw.map { $0.2.p })
        pairs = raw.enumerated().map { index, entry in
            Pair(first: results[entry.0].algorithm, second: results[entry.1].algorithm, firstAccuracy: results[entry.0].accuracy,
                 secondAccuracy: results[entry.1].accuracy, mcnemar: entry.2, holmP: adjusted[index], folds: entry.3)
        }
    }

    /// `comparison.csv`.
    public var csv: CSVTable {
        CSVTable(header: ["first", "second", "first_accuracy", "second_accuracy", "first_only_right", "second_only_right",
                          "mcnemar_exact_p", "holm_p", "cv_mean_difference", "cv_corrected_t", "cv_df", "cv_corrected_p"],
                 rows: pairs.map { pair in
                     [pair.first, pair.second, decimal(pair.firstAccuracy), decimal(pair.secondAccuracy), String(pair.mcnemar.firstOnly),
                      String(pair.mcnemar.secondOnly), String(format: "%.9g", pair.mcnemar.p), String(format: "%.9g", pair.holmP),
                      pair.folds.map { String(format: "%.6f", $0.meanDifference) } ?? "", pair.folds.map { String(format: "%.4f", $0.t) } ?? "",
                      pair.folds.map { String($0.degreesOfFreedom) } ?? "", pair.folds.map { String(format: "%.9g", $0.p) } ?? ""]
                 })
    }

    /// `comparison.md`: the table and what it means.
    public var markdown: String {
        var md = "# Which model is better?\n\n"
        md += "Every pair of algorithms on the same \(pairs.first.map { _ in "" } ?? "")test images. **McNemar** is the exact test on the images "
        md += "exactly one of the two gets right (two-sided binomial, p = 1 when there are none); **Holm** adjusts its p for the "
        md += "\(pairs.count) pairs. **Folds** is the Nadeau–Bengio corrected resampled t-test on the per-fold accuracies, where both "
        md += "were cross-validated on the same folds. A difference is called significant when Holm's p is below 0.05 "
        md += "([docs/statistics.md](../docs/statistics.md)).\n\n"
        md += "![Pairwise comparison](comparison.svg)\n\n"
        md += markdownTable(header: ["first", "second", "accuracy", "only first right", "only second right", "McNemar p", "Holm p", "folds: t (df), p", "verdict"],
                            rows: pairs.map { pair in
                                [pair.first, pair.second, "\(percent(pair.firstAccuracy)) vs \(percent(pair.secondAccuracy))",
                                 String(pair.mcnemar.firstOnly), String(pair.mcnemar.secondOnly), pValue(pair.mcnemar.p), pValue(pair.holmP),
                                 pair.folds.map { String(format: "%.2f (%d), ", $0.t, $0.degreesOfFreedom) + pValue($0.p) } ?? "—",
                                 pair.significantWinner.map { "\($0) better" } ?? "no significant difference"]
                            })
        return md
    }

    /// The summary's lines: which differences are significant.
    public var summaryMarkdown: String {
        var md = "\n## Which model is better?\n\n"
        let significant = pairs.filter { $0.significantWinner != nil }
        md += "Of \(pairs.count) pairs, \(significant.count) differ significantly on the test images (McNemar's exact test, Holm-adjusted p < 0.05; "
        md += "[comparison.md](comparison.md)).\n\n"
        let undecided = pairs.filter { $0.significantWinner == nil }
        if !undecided.isEmpty {
            md += "No significant difference: " + undecided.map { "\($0.first) vs \($0.second) (p = \(pValue($0.holmP)))" }.joined(separator: ", ") + ".\n"
        }
        return md
    }

    /// A matrix picture: cell (row, column) shows row − column in accuracy points, green where
    /// the row is significantly better, red where it is significantly worse, grey otherwise.
    public var svg: String {
        let n = algorithms.count, cell = 74.0, left = 90.0, top = 60.0
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(left + Double(n) * cell + 20))\" height=\"\(Int(top + Double(n) * cell + 50))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"10\" y=\"18\" font-size=\"14\">Test accuracy of row minus column (points)</text>\n"
        out += "<text x=\"10\" y=\"34\" font-size=\"11\">coloured where the Holm-adjusted McNemar p &lt; 0.05</text>\n"
        for (index, name) in algorithms.enumerated() {
            out += "<text x=\"\(fmt(left + (Double(index) + 0.5) * cell))\" y=\"\(fmt(top - 8))\" text-anchor=\"middle\">\(escape(name))</text>\n"
            out += "<text x=\"\(fmt(left - 8))\" y=\"\(fmt(top + (Double(index) + 0.55) * cell))\" text-anchor=\"end\">\(escape(name))</text>\n"
        }
        for pair in pairs {
            guard let i = algorithms.firstIndex(of: pair.first), let j = algorithms.firstIndex(of: pair.second) else { continue }
            for (row, column, sign) in [(i, j, 1.0), (j, i, -1.0)] {
                let difference = sign * (pair.firstAccuracy - pair.secondAccuracy) * 100
                let colour = pair.holmP >= 0.05 ? "rgb(235,235,235)" : (difference > 0 ? "rgb(161,217,155)" : "rgb(252,146,114)")
                let (x, y) = (left + Double(column) * cell, top + Double(row) * cell)
                out += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(cell - 2))\" height=\"\(fmt(cell - 2))\" fill=\"\(colour)\"/>\n"
                out += "<text x=\"\(fmt(x + cell / 2))\" y=\"\(fmt(y + cell / 2 - 2))\" text-anchor=\"middle\">\(String(format: "%+.2f", difference))</text>\n"
                out += "<text x=\"\(fmt(x + cell / 2))\" y=\"\(fmt(y + cell / 2 + 14))\" text-anchor=\"middle\" font-size=\"10\">p \(escape(pValue(pair.holmP)))</text>\n"
            }
        }
        return out + "</svg>\n"
    }
}

/// "0.0123", "< 1e-10" or "1".
public func pValue(_ p: Double) -> String {
    if p >= 1 { return "1" }
    if p < 1e-10 { return "< 1e-10" }
    return p < 0.001 ? String(format: "%.1e", p) : String(format: "%.4f", p)
}
