import Foundation

/// One algorithm's results as a results directory holds them (`summary.csv`, and its
/// directory's `predictions.csv` and `cv_folds.csv`): what comparisons between algorithms,
/// runs, commits or machines are computed from.
public struct StoredResult: Sendable, Equatable {
    public let algorithm: String
    /// True labels and predictions of the test images, in test-set order.
    public let labels: [Int]
    public let predictions: [Int]
    /// Held-out accuracy of each cross-validation fold that succeeded, in file order.
    public let foldAccuracies: [Double]
    /// n_test / n_train of the folds (0 without cross-validation).
    public let foldTestFraction: Double
    public let fitSeconds: Double
    public let predictSeconds: Double
    /// What decides the folds: a fold-by-fold test needs both sides to share them.
    public let seed: String
    public let folds: String
    public let repeats: String
    public let trainSize: String

    /// Test accuracy.
    public var accuracy: Double {
        labels.isEmpty ? 0 : Double(zip(labels, predictions).filter { $0 == $1 }.count) / Double(labels.count)
    }
}

/// Reads the results of every algorithm in a results directory.
public enum ResultDirectory {
    /// The algorithms of `directory/summary.csv` whose `predictions.csv` is present, in the
    /// summary's order.
    /// - Throws: ``ResultReadError`` naming the file when the summary is missing or a file is malformed.
    public static func read(_ directory: String) throws(ResultReadError) -> [StoredResult] {
        let summaryPath = (directory as NSString).appendingPathComponent("summary.csv")
        guard let text = try? String(contentsOfFile: summaryPath, encoding: .utf8) else {
            throw ResultReadError(path: summaryPath, reason: "no such file: not a results directory (bench run writes summary.csv)")
        }
        guard let summary = CSVTable(parsing: text), let nameColumn = summary.header.firstIndex(of: "algorithm") else {
            throw ResultReadError(path: summaryPath, reason: "is not a summary table (no 'algorithm' column)")
        }
        func column(_ row: [String], _ name: String) -> String {
            summary.header.firstIndex(of: name).flatMap { $0 < row.count ? row[$0] : nil } ?? ""
        }
        var results: [StoredResult] = []
        for row in summary.rows where row.count == summary.header.count {
            let name = row[nameColumn]
            let algorithmDirectory = (directory as NSString).appendingPathComponent(name)
            let predictionsPath = (algorithmDirectory as NSString).appendingPathComponent("predictions.csv")
            guard FileManager.default.fileExists(atPath: predictionsPath) else { continue }
            let predictions = try table(predictionsPath, columns: ["label", "predicted"])
            var labels: [Int] = [], predicted: [Int] = []
            for values in predictions {
                guard let label = Int(values[0]), let guess = Int(values[1]) else {
                    throw ResultReadError(path: predictionsPath, reason: "holds a row that is not 'index,label,predicted' with whole numbers")
                }
                labels.append(label)
                predicted.append(guess)
            }
            var accuracies: [Double] = [], fraction = 0.0
            let foldsPath = (algorithmDirectory as NSString).appendingPathComponent("cv_folds.csv")
            if FileManager.default.fileExists(atPath: foldsPath) {
                for values in try table(foldsPath, columns: ["accuracy", "train_size", "test_size"]) {
                    guard let accuracy = Double(values[0]) else { continue }   // a failed fold
                    accuracies.append(accuracy)
                    if let train = Double(values[1]), let test = Double(values[2]), train > 0 { fraction = test / train }
                }
            }
            results.append(StoredResult(algorithm: name, labels: labels, predictions: predicted, foldAccuracies: accuracies,
                                        foldTestFraction: fraction, fitSeconds: Double(column(row, "fit_seconds")) ?? 0,
                                        predictSeconds: Double(column(row, "predict_seconds")) ?? 0,
                                        seed: column(row, "seed"), folds: column(row, "folds"),
                                        repeats: column(row, "repeats").isEmpty ? "1" : column(row, "repeats"), trainSize: column(row, "train_size")))
        }
        return results
    }

    /// The values of `columns` in every row of the CSV file at `path`.
    static func table(_ path: String, columns: [String]) throws(ResultReadError) -> [[String]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let table = CSVTable(parsing: text) else {
            throw ResultReadError(path: path, reason: "cannot be read as CSV")
        }
        let indices = columns.map { table.header.firstIndex(of: $0) }
        guard indices.allSatisfy({ $0 != nil }) else {
            throw ResultReadError(path: path, reason: "lacks the columns \(columns.joined(separator: ", "))")
        }
        return table.rows.filter { $0.count == table.header.count }.map { row in indices.map { row[$0!] } }
    }
}

/// A results file that cannot be read.
public struct ResultReadError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
