import Foundation

/// `results/summary.csv` and `results/summary.md`: one row per algorithm, merged across runs.
///
/// A run replaces its own algorithms' rows and keeps every other row, so the summary can be
/// built up one algorithm at a time, and by several processes at once (``update(in:rows:)``).
public enum Summary {
    /// The columns, in order.
    public static let columns = ["algorithm", "cv_accuracy_mean", "cv_accuracy_std", "test_accuracy", "test_accuracy_low", "test_accuracy_high", "fit_seconds",
                                 "predict_seconds", "test_macro_f1", "peak_memory_mb", "train_size", "folds", "repeats", "seed", "date", "machine", "settings"]

    /// Merges `rows` (column name to value) into the `existing` CSV text, if any.
    /// Rows of the same algorithm are replaced in place; new algorithms are appended.
    public static func merge(existing: String?, rows: [[String: String]]) -> CSVTable {
        var table = CSVTable(header: columns)
        if let existing, let old = CSVTable(parsing: existing), let nameColumn = old.header.firstIndex(of: "algorithm") {
            for oldRow in old.rows where oldRow.count == old.header.count && !oldRow[nameColumn].isEmpty {
                let byName = Dictionary(zip(old.header, oldRow), uniquingKeysWith: { first, _ in first })
                table.rows.append(columns.map { byName[$0] ?? "" })
            }
        }
        for row in rows {
            let values = columns.map { row[$0] ?? "" }
            if let index = table.rows.firstIndex(where: { $0[0] == values[0] }) {
                table.rows[index] = values
            } else {
                table.rows.append(values)
            }
        }
        return table
    }

    /// Merges `rows` into `directory`'s `summary.csv` and rewrites `summary.md`, holding an
    /// exclusive `flock(2)` on `directory/.summary.lock` from the read to the rename, so that
    /// two processes writing into the same directory never lose each other's rows.
    /// - Throws: ``OutputError`` when the lock or the files cannot be written.
    public static func update(in directory: String, rows: [[String: String]]) throws(OutputError) {
        try AtomicFile.makeDirectory(directory)
        let lockPath = (directory as NSString).appendingPathComponent(".summary.lock")
        let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OutputError(path: lockPath, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw OutputError(path: lockPath, reason: "cannot lock: \(String(cString: strerror(errno)))") }
        }
        defer { flock(descriptor, LOCK_UN) }
        let csvPath = (directory as NSString).appendingPathComponent("summary.csv")
        let table = merge(existing: try? String(contentsOfFile: csvPath, encoding: .utf8), rows: rows)
        try AtomicFile.write(table.text, to: csvPath)
        // Every pair of the algorithms now in the directory, from their stored predictions.
        var comparisonMarkdown = ""
        do {
            let results = try ResultDirectory.read(directory)
            if results.count >= 2 {
                let comparison = try PairwiseComparison(results, directory: directory)
                try AtomicFile.write(comparison.csv.text, to: (directory as NSString).appendingPathComponent("comparison.csv"))
                try AtomicFile.write(comparison.markdown, to: (directory as NSString).appendingPathComponent("comparison.md"))
                try AtomicFile.write(comparison.svg, to: (directory as NSString).appendingPathComponent("comparison.svg"))
                comparisonMarkdown = comparison.summaryMarkdown
            }
            let points = overviewPoints(directory, results)
            if !points.isEmpty {
                try AtomicFile.write(ReportPictures.overview(points), to: (directory as NSString).appendingPathComponent("overview.svg"))
                comparisonMarkdown = "\n![Test accuracy against fit time](overview.svg)\n" + comparisonMarkdown
            }
        } catch let error as OutputError {
            throw error
        } catch {
            comparisonMarkdown = "\n## Which model is better?\n\nNo comparison: \(error).\n"
        }
        try AtomicFile.write(markdown(table) + comparisonMarkdown, to: (directory as NSString).appendingPathComponent("summary.md"))
    }

    /// The overview's points: every algorithm of `directory` ("default") and of each of its
    /// subdirectories that is a results directory (variant: the subdirectory's name).
    static func overviewPoints(_ directory: String, _ results: [StoredResult]) -> [ReportPictures.Point] {
        func points(_ results: [StoredResult], _ variant: String) -> [ReportPictures.Point] {
            results.map { result in
                let correct = zip(result.labels, result.predictions).filter { $0 == $1 }.count
                return ReportPictures.Point(label: result.algorithm, variant: variant, accuracy: result.accuracy,
                                            interval: WilsonInterval(successes: correct, trials: result.labels.count), fitSeconds: result.fitSeconds)
            }
        }
        var all = points(results, "default")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for name in names where !name.hasPrefix(".") && !results.contains(where: { $0.algorithm == name }) {
            let path = (directory as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("summary.csv")),
                  let variant = try? ResultDirectory.read(path) else { continue }
            all += points(variant, name)
        }
        return all
    }

    /// The summary as Markdown, accuracies as percentages.
    public static func markdown(_ table: CSVTable) -> String {
        let percentColumns: Set<String> = ["cv_accuracy_mean", "cv_accuracy_std", "test_accuracy", "test_accuracy_low", "test_accuracy_high", "test_macro_f1"]
        let rows = table.rows.map { row in
            zip(table.header, row).map { column, value in
                if percentColumns.contains(column), let fraction = Double(value) { return percent(fraction) }
                if column == "algorithm" { return "[\(value)](\(value)/report.md)" }
                return value
            }
        }
        var md = "# Results\n\n"
        md += "One row per algorithm, each from its latest run (see its `report.md` for the configuration, "
        md += "per-fold figures and the machine). Accuracies on the 10,000-image test set unless noted; "
        md += "`fit_seconds` and `predict_seconds` are the final model's, fitted on `train_size` images.\n\n"
        return md + markdownTable(header: table.header, rows: rows)
    }
}
