import BenchCore
import Foundation
import IDXData
import Imaging
import ModelFile

/// Everything a run needs to know: what to run, on which data, where to write.
public struct RunRequest: Sendable {
    /// The configured classifiers, in run order.
    public var classifiers: [any Classifier]
    /// Cross-validation folds (0: none), and differently seeded splits into them.
    public var folds: Int
    public var repeats: Int = 1
    public var seed: UInt64
    /// The thread budget.
    public var jobs: Int
    /// A stratified subsample of the training set, or `nil` for all of it.
    public var trainSize: Int?
    public var dataDirectory: String
    /// Where the reports go.
    public var out: String
    /// Where the final models go (`<models>/<algorithm>.model`), or `nil` not to save them.
    public var models: String?
    /// The command line as typed, and where the program runs.
    public var command: String
    public var environment: RunEnvironment
    public var progress: ProgressLog

    public init(classifiers: [any Classifier], folds: Int, seed: UInt64, jobs: Int, trainSize: Int?, dataDirectory: String,
                out: String, models: String?, command: String, environment: RunEnvironment, progress: ProgressLog) {
        self.classifiers = classifiers
        self.folds = folds
        self.seed = seed
        self.jobs = jobs
        self.trainSize = trainSize
        self.dataDirectory = dataDirectory
        self.out = out
        self.models = models
        self.command = command
        self.environment = environment
        self.progress = progress
    }
}

/// The program and machine a run happens on, recorded in every report.
public struct RunEnvironment: Sendable {
    public var version: String
    public var commit: String
    public var machine: String
    public var cores: Int
    public var operatingSystem: String
    public var date: String

    public init(version: String, commit: String, machine: String, cores: Int, operatingSystem: String, date: String) {
        self.version = version
        self.commit = commit
        self.machine = machine
        self.cores = cores
        self.operatingSystem = operatingSystem
        self.date = date
    }
}

/// Why a run could not start or finish.
public enum RunError: Error, CustomStringConvertible {
    /// The request does not fit the data (exit 64).
    case usage(String)
    /// The data is missing or damaged (exit 66 or 65).
    case data(DataError)
    /// An output cannot be written (exit 73).
    case output(String)

    public var description: String {
        switch self {
        case .usage(let message): message
        case .data(let error): "\(error)"
        case .output(let message): message
        }
    }
}

/// What a finished run produced.
public struct RunResult: Sendable {
    /// One report per algorithm whose final model was fitted, in run order.
    public let reports: [AlgorithmReport]
    /// Algorithms whose final fit failed, with the error.
    public let failures: [(algorithm: String, error: String)]
}

/// The run: load the data, plan the units, run them algorithm by algorithm (folds in
/// parallel, then the final model on all threads), save each final model, and render every
/// report from the units' records.
public enum BenchRun {
    public static func execute(_ request: RunRequest) throws(RunError) -> RunResult {
        let progress = request.progress
        progress.log("loading \(request.dataDirectory)")
        let dataset: IDXDataset
        do {
            dataset = try IDXDataset.load(directory: request.dataDirectory)
        } catch {
            throw .data(error)
        }
        let full = dataset.training
        progress.log("loaded \(full.count) training and \(dataset.test.count) test images of \(full.images.height)x\(full.images.width), \(full.classCount) classes; checksums \(dataset.files.allSatisfy(\.verified) ? "verified" : "not all listed")")
        var training = full
        if let size = request.trainSize, size < full.count {
            guard size >= full.classCount else {
                throw .usage("The value of '--train-size' must be at least the number of classes (\(full.classCount)). Got \(size) instead.")
            }
            training = full.subset(stratifiedSubsample(labels: full.labels, classCount: full.classCount, size: size,
                                                       seed: SeedStream.subsample(request.seed)))
            progress.log("using a stratified subsample of \(size) training images")
        } else if let size = request.trainSize, size > full.count {
            throw .usage("The value of '--train-size' must be at most the training set's \(full.count) images. Got \(size) instead.")
        }
        if request.folds > 0 {
            // Only classes present count: label files may skip class numbers.
            let smallest = training.classCounts.filter { $0 > 0 }.min() ?? 0
            guard request.folds <= smallest else {
                throw .usage("The value of '--folds' must be at most the smallest class's \(smallest) training images. Got \(request.folds) instead.")
            }
        }
        do {
            try AtomicFile.makeDirectory(request.out)
            if let models = request.models { try AtomicFile.makeDirectory(models) }
        } catch {
            throw .output("\(error)")
        }

        let environment = request.environment
        var run = RunInfo(
            command: request.command, seed: request.seed, folds: request.folds, jobs: request.jobs,
            trainingCount: training.count, fullTrainingCount: full.count, testCount: dataset.test.count,
            dataDirectory: request.dataDirectory, dataFiles: dataset.files.map { ($0.path, $0.sha256, $0.verified) },
            version: environment.version, commit: environment.commit, machine: environment.machine, cores: environment.cores,
            operatingSystem: environment.operatingSystem, date: environment.date)
        run.repeats = request.folds > 0 ? request.repeats : 1
        let plan = RunPlan(algorithms: request.classifiers.map { type(of: $0).name }, folds: request.folds, repeats: run.repeats)
        let runner = UnitRunner(training: training, test: dataset.test, seed: request.seed, progress: progress)
        let checksums = dataset.files.map { ModelFile.DataChecksum(file: ($0.path as NSString).lastPathComponent, sha256: $0.sha256) }
        progress.log("plan: \(plan.units.count) units (\(plan.algorithms.count) algorithm(s) × (\(request.folds) fold(s)\(run.repeats > 1 ? " × \(run.repeats) repeats" : "") + final))")

        var reports: [AlgorithmReport] = []
        var failures: [(algorithm: String, error: String)] = []
        var wallSeconds: [String: Double] = [:]
        for classifier in request.classifiers {
            let type = type(of: classifier)
            let start = Date()
            let peakReset = PeakMemory.reset()
            progress.log("\(type.name): \(type.title)")
            let folds = request.folds > 0 ? runner.crossValidate(classifier, folds: request.folds, repeats: run.repeats, jobs: request.jobs) : []
            if !folds.isEmpty {
                let (mean, std) = meanAndStandardDeviation(folds.compactMap(\.accuracy))
                progress.log("\(type.name): cross-validation accuracy \(percent(mean)) ± \(percent(std))")
            }
            var (final, model) = runner.final(classifier, threads: request.jobs)
            guard let model else {
                failures.append((type.name, final.error ?? "unknown error"))
                continue
            }
            if let directory = request.models {
                let path = (directory as NSString).appendingPathComponent("\(type.name).model")
                final.savedModel = try save(model, of: classifier, checksums: checksums, version: environment.version, to: path)
                progress.log("\(type.name): saved \(path) (\(final.savedModel!.bytes) bytes; reads back in \(seconds(final.savedModel!.loadSeconds)))")
            }
            guard var report = AlgorithmReport(name: type.name, title: type.title, settings: classifier.settings,
                                               defaults: type.defaultSettings, folds: folds, final: final,
                                               testLabels: dataset.test.labels, run: run) else { continue }
            report.peakMemoryBytes = peakReset ? PeakMemory.bytes : nil
            report.testImages = dataset.test.images
            let directory = (request.out as NSString).appendingPathComponent(type.name)
            do {
                try AtomicFile.replaceDirectory(directory, with: report.files)
                try Summary.update(in: request.out, rows: [report.summaryRow])
            } catch {
                throw .output("\(error)")
            }
            wallSeconds[type.name] = Date().timeIntervalSince(start)
            reports.append(report)
            progress.log("\(type.name): wrote \(directory)/report.md")
        }
        do {
            let manifest = RunManifest(run: run, reports: reports, wallSeconds: wallSeconds, totalSeconds: progress.elapsed)
            try AtomicFile.write(manifest.json, to: (request.out as NSString).appendingPathComponent("run.json"))
        } catch {
            throw .output("\(error)")
        }
        return RunResult(reports: reports, failures: failures)
    }

    /// Writes `model` to `path`, reads it back, and checks that what was read is what was
    /// written (the same archive), timing the read as `bench predict` would do it.
    static func save(_ model: any FittedClassifier, of classifier: any Classifier, checksums: [ModelFile.DataChecksum],
                     version: String, to path: String) throws(RunError) -> SavedModel {
        let archive = model.archive
        let envelope = ModelFile.Envelope(algorithm: type(of: classifier).name,
                                          settings: classifier.settings.entries.map { ModelFile.Setting($0.name, $0.value) },
                                          trainingData: checksums, programVersion: version)
        let bytes: Int
        do {
            bytes = try ModelFile.write(archive, envelope: envelope, to: path)
        } catch {
            throw .output("\(error)")
        }
        let start = DispatchTime.now()
        do {
            let contents = try ModelFile.read(path)
            let loaded = try classifier.decodePreprocessed(contents.archive)
            let seconds = Stopwatch.seconds(since: start)
            guard loaded.archive == archive else { throw RunError.output("\(path): the saved model did not read back identically") }
            return SavedModel(path: path, bytes: bytes, loadSeconds: seconds)
        } catch let error as RunError {
            throw error
        } catch {
            throw .output("\(path): the saved model cannot be read back: \(error)")
        }
    }
}

import Dispatch
