import BenchCore
import Foundation

/// `results/run.json`: what ran, where, and how long it took.
public struct RunManifest: Sendable {
    public let run: RunInfo
    public let reports: [AlgorithmReport]
    public let wallSeconds: [String: Double]
    public let totalSeconds: Double
    /// Units computed and reused, and seconds spent in the task store.
    public var store: [String: Any & Sendable]? = nil

    public init(run: RunInfo, reports: [AlgorithmReport], wallSeconds: [String: Double], totalSeconds: Double) {
        self.run = run
        self.reports = reports
        self.wallSeconds = wallSeconds
        self.totalSeconds = totalSeconds
    }

    public var json: String {
        let algorithms: [[String: Any]] = reports.map { report in
            var entry: [String: Any] = [
                "name": report.name,
                "hyperparameters": Dictionary(uniqueKeysWithValues: report.settings.entries.map { ($0.name, $0.value) }),
                "test_accuracy": rounded(report.metrics.accuracy),
                "fit_seconds": rounded(report.final.fitSeconds),
                "predict_seconds": rounded(report.final.predictSeconds),
                "wall_seconds": rounded(wallSeconds[report.name] ?? 0),
            ]
            if let cv = report.crossValidationAccuracy {
                entry["cv_accuracy_mean"] = rounded(cv.mean)
                entry["cv_accuracy_std"] = rounded(cv.std)
                entry["cv_fold_fit_seconds"] = report.folds.map { rounded($0.fitSeconds) }
            }
            if let peak = report.peakMemoryBytes { entry["peak_memory_bytes"] = peak }
            if let saved = report.final.savedModel {
                entry["model"] = ["path": saved.path, "bytes": saved.bytes, "load_seconds": rounded(saved.loadSeconds)] as [String: Any]
            }
            return entry
        }
        var object: [String: Any] = [
            "command": run.command,
            "version": run.version,
            "git_commit": run.commit,
            "date": run.date,
            "seed": String(run.seed),
            "folds": run.folds,
            "repeats": run.repeats,
            "peak_memory_bytes": PeakMemory.processBytes ?? 0,
            "jobs": run.jobs,
            "train_size": run.trainingCount,
            "data": ["directory": run.dataDirectory,
                     "files": run.dataFiles.map { ["path": $0.path, "sha256": $0.sha256, "verified": $0.verified] as [String: Any] }],
            "machine": ["cpu": run.machine, "cores": run.cores, "os": run.operatingSystem],
            "algorithms": algorithms,
            "total_seconds": rounded(totalSeconds),
        ]
        if let store { object["task_store"] = store }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return "{}\n"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
}
