import Foundation

/// Two results directories compared algorithm by algorithm, in the spirit of Go's benchstat:
/// the accuracy change with McNemar's exact p on the same test images (Holm-adjusted over the
/// algorithms compared), the fit and predict time ratios, and a verdict that claims a change
/// only when the test says so.
public struct RunComparison: Sendable {
    public enum Verdict: String, Sendable {
        case better, worse
        case unchanged = "no significant change"
    }

    public struct Row: Sendable {
        public let algorithm: String
        public let before: StoredResult
        public let after: StoredResult
        public let mcnemar: McNemarTest
        public let holmP: Double
        /// After's accuracy minus before's, as a fraction.
        public var change: Double { after.accuracy - before.accuracy }
        public var fitRatio: Double { before.fitSeconds > 0 ? after.fitSeconds / before.fitSeconds : .nan }
        public var predictRatio: Double { before.predictSeconds > 0 ? after.predictSeconds / before.predictSeconds : .nan }
        public var verdict: Verdict {
            guard holmP < 0.05 else { return .unchanged }
            return change > 0 ? .better : .worse
        }
    }

    public let rows: [Row]
    /// Algorithms found in only one of the two directories.
    public let unmatched: [String]

    /// - Throws: ``ResultReadError`` when a directory cannot be read or an algorithm was
    ///   scored on different test images in the two.
    public init(before: String, after: String) throws(ResultReadError) {
        let old = try ResultDirectory.read(before), new = try ResultDirectory.read(after)
        var matched: [(StoredResult, StoredResult, McNemarTest)] = []
        for a in old {
            guard let b = new.first(where: { $0.algorithm == a.algorithm }) else { continue }
            guard a.labels == b.labels else {
                throw ResultReadError(path: after + "/" + a.algorithm + "/predictions.csv",
                                      reason: "holds other test images than \(before)/\(a.algorithm)/predictions.csv; McNemar's test needs the same images")
            }
            // First = after, second = before: firstOnly counts images the new run gets right and the old one wrong.
            matched.append((a, b, McNemarTest(truth: a.labels, first: b.predictions, second: a.predictions)))
        }
        let adjusted = holmAdjusted(matched.map { $0.2.p })
        rows = matched.enumerated().map { Row(algorithm: $1.0.algorithm, before: $1.0, after: $1.1, mcnemar: $1.2, holmP: adjusted[$0]) }
        let names = Set(rows.map(\.algorithm))
        unmatched = (old.map(\.algorithm) + new.map(\.algorithm)).filter { !names.contains($0) }
    }

    /// Whether some algorithm is significantly less accurate after.
    public var hasSignificantRegression: Bool { rows.contains { $0.verdict == .worse } }

    /// The table for a terminal.
    public func text(before: String, after: String) -> String {
        var lines = [["algorithm", "before", "after", "change", "p (Holm)", "fit after/before", "predict after/before", "verdict"]]
        for row in rows {
            let change = row.verdict == .unchanged ? "~" : String(format: "%+.2f pts", row.change * 100)
            lines.append([row.algorithm, percent(row.before.accuracy), percent(row.after.accuracy), change, pValue(row.holmP),
                          String(format: "%.2f×", row.fitRatio), String(format: "%.2f×", row.predictRatio), row.verdict.rawValue])
        }
        let widths = lines[0].indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        var text = "before: \(before)\nafter:  \(after)\n\n"
        for line in lines {
            text += line.enumerated().map { column, cell in
                column == 0 || column == line.count - 1 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ") + "\n"
        }
        text += "\nchange: accuracy points on the same test images, '~' where McNemar's exact test (Holm-adjusted over the\n"
        text += "\(rows.count) algorithms) finds no significant difference (p >= 0.05). Time ratios are of the final model's fit and predict.\n"
        if !unmatched.isEmpty { text += "Only in one of the two: \(unmatched.joined(separator: ", ")).\n" }
        return text
    }
}
