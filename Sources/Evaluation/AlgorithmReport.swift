import BenchCore
import Foundation

/// Everything measured for one algorithm in one run, and its rendering into the files of
/// `results/<algorithm>/`. It is built from the run's unit records alone (its folds and its
/// final unit); metrics are computed before this point; this type only formats.
public struct AlgorithmReport: Sendable {
    public let name: String
    public let title: String
    public let settings: HyperparameterSettings
    public let defaults: HyperparameterSettings
    /// The fold units' records, in fold order (empty without cross-validation).
    public let folds: [UnitOutcome]
    /// The final unit's record: fitted on the whole training set, scored on the test set.
    public let final: UnitOutcome
    public let confusion: ConfusionMatrix
    public let metrics: ClassificationMetrics
    public let testLabels: [Int]
    public let run: RunInfo
    /// Peak resident memory of the process while this algorithm's units ran, if measured.
    public var peakMemoryBytes: Int?
    /// The test images, for the error gallery (none without them).
    public var testImages: ImageSet?

    /// A report from the records of one algorithm's units.
    /// - Returns: `nil` when the final unit failed (it has no confusion matrix).
    public init?(name: String, title: String, settings: HyperparameterSettings, defaults: HyperparameterSettings,
                 folds: [UnitOutcome], final: UnitOutcome, testLabels: [Int], run: RunInfo) {
        guard let confusion = final.confusion else { return nil }
        self.name = name
        self.title = title
        self.settings = settings
        self.defaults = defaults
        self.folds = folds
        self.final = final
        self.confusion = confusion
        self.metrics = ClassificationMetrics(confusion)
        self.testLabels = testLabels
        self.run = run
    }

    /// Mean and standard deviation of held-out accuracy over the folds that succeeded, or `nil`
    /// without cross-validation.
    public var crossValidationAccuracy: (mean: Double, std: Double)? {
        folds.isEmpty ? nil : meanAndStandardDeviation(folds.compactMap(\.accuracy))
    }

    /// Every file of the report directory, by name.
    public var files: [(name: String, contents: String)] {
        [("report.md", markdown), ("metrics.csv", metricsCSV.text), ("confusion.csv", confusionCSV.text),
         ("cv_folds.csv", foldsCSV.text), ("predictions.csv", predictionsCSV), ("confusion.svg", confusionSVG),
         ("recall.svg", recallSVG)]
            + (errorGallery.map { [("errors.svg", $0)] } ?? [])
            + final.diagnostics.reportFiles
    }

    /// Per-class scores on the test set with 95% Wilson intervals on precision and recall,
    /// then the macro and weighted averages (without intervals: they are not proportions).
    public var metricsCSV: CSVTable {
        let m = metrics
        func row(_ label: String, _ s: ClassificationMetrics.Scores, _ intervals: (WilsonInterval, WilsonInterval)?) -> [String] {
            [label, decimal(s.precision), intervals.map { bound($0.0.low) } ?? "", intervals.map { bound($0.0.high) } ?? "",
             decimal(s.recall), intervals.map { bound($0.1.low) } ?? "", intervals.map { bound($0.1.high) } ?? "",
             decimal(s.f1), String(s.support)]
        }
        return CSVTable(header: ["class", "precision", "precision_low", "precision_high", "recall", "recall_low", "recall_high", "f1", "support"],
                        rows: m.perClass.enumerated().map { row(String($0.offset), $0.element, classIntervals[$0.offset]) }
                            + [row("macro avg", m.macro, nil), row("weighted avg", m.weighted, nil)])
    }

    /// 95% Wilson interval of the test accuracy.
    public var accuracyInterval: WilsonInterval {
        WilsonInterval(successes: (0 ..< confusion.classCount).reduce(0) { $0 + confusion[$1, $1] }, trials: confusion.total)
    }

    /// 95% Wilson intervals of each class's precision (correct of those predicted as it) and
    /// recall (correct of those that are it).
    public var classIntervals: [(precision: WilsonInterval, recall: WilsonInterval)] {
        let n = confusion.classCount
        return (0 ..< n).map { c in
            let correct = confusion[c, c]
            let predicted = (0 ..< n).reduce(0) { $0 + confusion[$1, c] }, actual = (0 ..< n).reduce(0) { $0 + confusion[c, $1] }
            return (WilsonInterval(successes: correct, trials: predicted), WilsonInterval(successes: correct, trials: actual))
        }
    }

    /// The test-set confusion matrix: rows are true labels, columns predicted labels.
    public var confusionCSV: CSVTable {
        let n = confusion.classCount
        return CSVTable(header: ["true\\predicted"] + (0 ..< n).map(String.init),
                        rows: (0 ..< n).map { t in [String(t)] + (0 ..< n).map { String(confusion[t, $0]) } })
    }

    /// One row per cross-validation fold.
    public var foldsCSV: CSVTable {
        CSVTable(header: ["fold", "repeat", "train_size", "test_size", "accuracy", "fit_seconds", "predict_seconds", "error"],
                 rows: folds.map { f in
                     [f.unit.foldIndex.map(String.init) ?? "", f.unit.repeatIndex.map(String.init) ?? "", String(f.trainingCount),
                      String(f.testCount), f.accuracy.map(decimal) ?? "",
                      String(format: "%.3f", f.fitSeconds), String(format: "%.3f", f.predictSeconds), f.error ?? ""]
                 })
    }

    /// `index,label,predicted`, one row per test image in test-set order.
    public var predictionsCSV: String {
        var text = "index,label,predicted\n"
        text.reserveCapacity(final.predictions.count * 12)
        for (index, (label, predicted)) in zip(testLabels, final.predictions).enumerated() {
            text += "\(index),\(label),\(predicted)\n"
        }
        return text
    }

    /// Per-class recall with its intervals.
    public var recallSVG: String {
        ReportPictures.recallBars(recall: metrics.perClass.map(\.recall), intervals: classIntervals.map(\.recall), title: title)
    }

    /// The first 36 misclassified test images, if the test images are at hand.
    public var errorGallery: String? {
        guard let images = testImages, images.count == testLabels.count, final.predictions.count == testLabels.count else { return nil }
        return ReportPictures.errorGallery(images: images, labels: testLabels, predictions: final.predictions, scores: final.scores, title: title)
    }

    /// The confusion matrix as a picture.
    public var confusionSVG: String {
        let n = confusion.classCount
        var map = SVGHeatMap(rows: n, columns: n, values: confusion.counts.map(Double.init),
                             title: "\(title): test-set confusion matrix")
        map.columnLabels = (0 ..< n).map(String.init)
        map.rowLabels = map.columnLabels
        map.columnAxis = "predicted label"
        map.rowAxis = "true label"
        map.showValues = true
        return map.svg
    }

    /// The human-readable report.
    public var markdown: String {
        let m = metrics
        var md = "# \(title) (`\(name)`)\n\n"
        md += "Test accuracy **\(percent(m.accuracy))** (95% Wilson interval \(percent(accuracyInterval.low))–\(percent(accuracyInterval.high)))"
        if let (mean, std) = crossValidationAccuracy {
            md += "; \(run.folds)-fold cross-validation accuracy \(percent(mean)) ± \(percent(std))"
        }
        md += ". Final model: fit \(seconds(final.fitSeconds)), predict \(seconds(final.predictSeconds)) for \(run.testCount) images."
        if let peak = peakMemoryBytes { md += " Peak resident memory of its cross-validation and final model: \(PeakMemory.text(peak))." }
        md += "\n\n"

        md += "## Run\n\n"
        md += markdownTable(header: ["", ""], rows: [
            ["command", "`\(run.command)`"], ["date", run.date], ["machine", run.machine],
            ["cores", String(run.cores)], ["OS", run.operatingSystem], ["version", run.version], ["git commit", run.commit],
            ["seed", String(run.seed)], ["jobs", String(run.jobs)],
            ["training images", run.trainingCount == run.fullTrainingCount ? "\(run.trainingCount)" : "\(run.trainingCount) (stratified subsample of \(run.fullTrainingCount))"],
            ["test images", String(run.testCount)],
        ])
        md += "\n## Data\n\n`\(run.dataDirectory)`\n\n"
        md += markdownTable(header: ["file", "SHA-256 of content", "checksum"],
                            rows: run.dataFiles.map { [($0.path as NSString).lastPathComponent, "`\($0.sha256)`", $0.verified ? "verified" : "not listed"] })

        md += "\n## Configuration\n\n"
        let defaultValues = Dictionary(uniqueKeysWithValues: defaults.entries.map { ($0.name, $0.value) })
        md += markdownTable(header: ["hyperparameter", "value", "default"],
                            rows: settings.entries.map { [$0.name, $0.value, defaultValues[$0.name] ?? ""] })

        md += "\n## Cross-validation\n\n"
        if let (mean, std) = crossValidationAccuracy {
            md += "Stratified \(run.folds)-fold on the training images\(run.repeats > 1 ? ", repeated \(run.repeats) times with differently seeded splits" : ""); a fresh model per fold.\n\n"
            md += markdownTable(header: ["fold", "train", "held out", "accuracy", "fit (s)", "predict (s)"],
                                rows: folds.map { f in
                                    [f.unit.foldIndex.map(String.init) ?? "", String(f.trainingCount), String(f.testCount),
                                     f.accuracy.map(percent) ?? "failed: \(f.error ?? "")",
                                     String(format: "%.2f", f.fitSeconds), String(format: "%.2f", f.predictSeconds)]
                                } + [["mean ± std", "", "", "\(percent(mean)) ± \(percent(std))",
                                      String(format: "%.2f", folds.map(\.fitSeconds).reduce(0, +) / Double(max(folds.count, 1))),
                                      String(format: "%.2f", folds.map(\.predictSeconds).reduce(0, +) / Double(max(folds.count, 1)))]])
            md += "\nStandard deviation with divisor n (numpy's default), over the folds that succeeded.\n"
        } else {
            md += "Skipped (`--folds 0`).\n"
        }

        md += "\n## Test set\n\n"
        md += "The final model is fitted on all \(run.trainingCount) training images and scored on the \(run.testCount) test images.\n\n"
        md += markdownTable(header: ["metric", "precision", "recall", "F1", "support"], rows: [
            ["accuracy", "", "", decimal(m.accuracy), String(m.macro.support)],
            ["macro avg", decimal(m.macro.precision), decimal(m.macro.recall), decimal(m.macro.f1), String(m.macro.support)],
            ["weighted avg", decimal(m.weighted.precision), decimal(m.weighted.recall), decimal(m.weighted.f1), String(m.weighted.support)],
        ])
        md += "\n### Per class\n\n"
        md += markdownTable(header: ["class", "precision", "recall", "F1", "support"],
                            rows: m.perClass.enumerated().map { c, scores in
                                let (precision, recall) = classIntervals[c]
                                return [String(c), "\(decimal(scores.precision)) (\(decimal(precision.low))–\(decimal(precision.high)))",
                                        "\(decimal(scores.recall)) (\(decimal(recall.low))–\(decimal(recall.high)))", decimal(scores.f1), String(scores.support)]
                            })
        md += "\nIn brackets: 95% Wilson score intervals ([docs/statistics.md](../../docs/statistics.md)).\n"
        md += "\n![Recall per class](recall.svg)\n"
        md += "\n\(ClassificationMetrics.zeroDivisionRule)\n"
        md += "\n### Confusion matrix\n\nRows are true labels, columns predicted labels.\n\n"
        let n = confusion.classCount
        md += markdownTable(header: ["true \\ predicted"] + (0 ..< n).map(String.init),
                            rows: (0 ..< n).map { t in ["**\(t)**"] + (0 ..< n).map { String(confusion[t, $0]) } })
        md += "\n![Confusion matrix](confusion.svg)\n"
        if errorGallery != nil {
            md += "\n### Errors\n\nThe first 36 test images the model gets wrong, in test-set order (`#index: true → predicted (confidence)`).\n\n![Misclassified test images](errors.svg)\n"
        }

        md += final.diagnostics.markdown
        if let saved = final.savedModel {
            md += "\n## Saved model\n\n"
            md += markdownTable(header: ["", ""], rows: [
                ["file", "`\(saved.path)`"], ["size", "\(saved.bytes) bytes (\(String(format: "%.1f", Double(saved.bytes) / 1_048_576)) MiB)"],
                ["load time", String(format: "%.3f s (read, checksum, decode)", saved.loadSeconds)],
                ["use", "`bench predict --model \(saved.path) IMAGES...`"],
            ])
        }
        md += "\n## Files\n\n"
        md += "`metrics.csv` (per class, test set), `confusion.csv` (test set), `cv_folds.csv` (one row per fold), "
        md += "`predictions.csv` (`index,label,predicted`, test-set order)"
        let extra = final.diagnostics.reportFiles.map { "`\($0.name)`" }
        md += extra.isEmpty ? ".\n" : ", " + extra.joined(separator: ", ") + ".\n"
        return md
    }

    /// This algorithm's row of `summary.csv`.
    public var summaryRow: [String: String] {
        let cv = crossValidationAccuracy
        return ["algorithm": name,
                "cv_accuracy_mean": cv.map { decimal($0.mean) } ?? "",
                "cv_accuracy_std": cv.map { decimal($0.std) } ?? "",
                "test_accuracy": decimal(metrics.accuracy),
                "test_accuracy_low": bound(accuracyInterval.low),
                "test_accuracy_high": bound(accuracyInterval.high),
                "fit_seconds": String(format: "%.3f", final.fitSeconds),
                "predict_seconds": String(format: "%.3f", final.predictSeconds),
                "test_macro_f1": decimal(metrics.macro.f1),
                "peak_memory_mb": peakMemoryBytes.map { String(format: "%.0f", Double($0) / 1_000_000) } ?? "",
                "train_size": String(run.trainingCount),
                "folds": String(run.folds),
                "repeats": String(run.repeats),
                "seed": String(run.seed),
                "date": run.date,
                "machine": "\(run.machine), \(run.cores) cores",
                // The settings that differ from the defaults ("" for a default run).
                "settings": settings.entries.filter { entry in defaults.entries.first { $0.name == entry.name }?.value != entry.value }
                    .map { "\($0.name)=\($0.value)" }.joined(separator: ", ")]
    }
}

/// Seven decimals, for interval bounds in CSV: within 1e-6 of the computed value, so that
/// they can be checked against another implementation.
public func bound(_ value: Double) -> String { String(format: "%.7f", value) }

/// Four decimals, for fractions in CSV and Markdown.
public func decimal(_ value: Double) -> String { String(format: "%.4f", value) }
