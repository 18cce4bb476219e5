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
    /// Recompute every unit even when the store has it (`--fresh`).
    public var fresh = false
    /// Run only this shard's units, and render no report (`--shard`); `nil`: all of them.
    public var shard: Shard? = nil

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
    /// The build that computes: the version and a digest of the executable, part of every
    /// stored unit's key (a rebuilt program recomputes; a rerun of the same one reuses).
    public var program: String

    public init(version: String, commit: String, machine: String, cores: Int, operatingSystem: String, date: String,
                program: String? = nil) {
        self.program = program ?? version
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
    /// `bench merge`: stores or data that do not belong together (exit 65).
    case mismatch(String)
    /// `bench merge`: an input that is not there (exit 66).
    case missing(String)
    /// `bench merge`: units no store has (exit 66): each with the command that computes it.
    case incomplete([MissingUnit])

    public var description: String {
        switch self {
        case .usage(let message): message
        case .data(let error): "\(error)"
        case .output(let message): message
        case .mismatch(let message): message
        case .missing(let message): message
        case .incomplete(let missing):
            "\(missing.count) unit(s) of the run are in none of the stores; no report was written:\n"
                + missing.map { "  \($0.unit) (key \($0.key))\($0.command.map { ": computed by: \($0)" } ?? "")" }.joined(separator: "\n")
        }
    }
}

/// A unit that `bench merge` found in no store, and the command that computes it.
public struct MissingUnit: Sendable, Equatable {
    public let unit: WorkUnit
    public let key: String
    public let command: String?
}

/// What a finished run produced.
public struct RunResult: Sendable {
    /// One report per algorithm whose final model was fitted, in run order (none for a shard).
    public let reports: [AlgorithmReport]
    /// Algorithms whose final fit failed, with the error.
    public let failures: [(algorithm: String, error: String)]
    /// Units this process computed, and units it took from the store.
    public var computed = 0
    public var reused = 0
}

/// The run: load the data, plan the units, take every unit already in the task store, run the
/// others algorithm by algorithm (folds in parallel, then the final model on all threads),
/// storing each outcome as it finishes, and render every report from the store.
public enum BenchRun {
    public static func execute(_ request: RunRequest) throws(RunError) -> RunResult {
        let progress = request.progress
        let (dataset, training, subsample) = try loadData(request.dataDirectory, trainSize: request.trainSize, folds: request.folds,
                                                         seed: request.seed, progress: progress)
        let full = dataset.training
        do {
            try AtomicFile.makeDirectory(request.out)
            if let models = request.models, request.shard == nil { try AtomicFile.makeDirectory(models) }
        } catch {
            throw .output("\(error)")
        }

        let environment = request.environment
        let run = RunInfo(command: request.command, seed: request.seed, folds: request.folds,
                          repeats: request.folds > 0 ? request.repeats : 1, jobs: request.jobs, trainingCount: training.count,
                          fullTrainingCount: full.count, testCount: dataset.test.count, dataDirectory: request.dataDirectory,
                          data: dataset, environment: environment)
        let data = DataFileChecksum.of(dataset)
        let checksums = data.map { ModelFile.DataChecksum(file: $0.file, sha256: $0.sha256) }
        let planned = PlannedRun(classifiers: request.classifiers, folds: request.folds, repeats: run.repeats, seed: request.seed,
                                 subsample: subsample, training: training, full: full, test: dataset.test,
                                 data: data, program: environment.program)
        let store = TaskStore(out: request.out)
        do {
            try PlanRecord(plan: planned.stored, command: request.command, shard: request.shard,
                           dataDirectory: request.dataDirectory, jobs: request.jobs).write(to: store)
        } catch {
            throw .output("\(error)")
        }

        // This process's units, and which of them the store already has.
        let owners = request.shard.map { planned.stored.owners(shards: $0.count) }
        let mine = planned.units.indices.filter { owners == nil || owners![$0] == request.shard!.index - 1 }
        var stored: [Int: UnitOutcome] = [:]
        for index in mine where !request.fresh {
            let unit = planned.units[index]
            switch store.load(unit.identity) {
            case .found(let outcome):
                // A final unit counts only with its model when models are wanted.
                if unit.unit.foldIndex == nil, request.models != nil, !store.has(store.modelPath(unit.identity)) { continue }
                stored[index] = outcome
            case .damaged(let path, let reason):
                progress.log("warning: \(path): \(reason); computing the unit again")
            case .missing: break
            }
        }
        let toCompute = mine.filter { stored[$0] == nil }
        progress.log("plan: \(planned.units.count) units (\(planned.stored.algorithms.count) algorithm(s) × (\(request.folds) fold(s)\(run.repeats > 1 ? " × \(run.repeats) repeats" : "") + final))"
                     + (request.shard.map { "; shard \($0) has \(mine.count) of them" } ?? "")
                     + (request.fresh ? "; --fresh: computing all" : "; \(stored.count) already in \(store.directory), \(toCompute.count) to compute"))
        let tracker = RunProgress(log: progress, total: mine.count, reused: stored.count,
                                  estimatedSeconds: toCompute.reduce(0) { $0 + planned.units[$1].estimatedSeconds })
        let runner = UnitRunner(training: training, test: dataset.test, seed: request.seed, progress: progress)

        var reports: [AlgorithmReport] = []
        var failures: [(algorithm: String, error: String)] = []
        var wallSeconds: [String: Double] = [:]
        for (c, classifier) in request.classifiers.enumerated() {
            let type = type(of: classifier)
            let start = Date()
            let own = toCompute.filter { planned.units[$0].classifier == c }
            if !own.isEmpty {
                let peakReset = PeakMemory.reset()
                progress.log("\(type.name): \(type.title)")
                let folds = own.filter { planned.units[$0].unit.foldIndex != nil }
                let failure = StoreFailure()
                let outcomes = runner.run(folds: folds.map { planned.units[$0].unit }, of: classifier, jobs: request.jobs) { outcome in
                    var outcome = outcome
                    outcome.peakMemoryBytes = peakReset ? PeakMemory.bytes : nil
                    guard let unit = planned.units.first(where: { $0.unit == outcome.unit }) else { return }
                    do throws(OutputError) { try store.store(outcome, identity: unit.identity) } catch { failure.record(error) }
                    tracker.finished(outcome.unit, estimate: unit.estimatedSeconds)
                }
                if let error = failure.error { throw .output("\(error)") }
                let succeeded = outcomes.compactMap(\.accuracy)
                if !succeeded.isEmpty, folds.count == planned.units.filter({ $0.classifier == c && $0.unit.foldIndex != nil }).count {
                    let (mean, std) = meanAndStandardDeviation(succeeded)
                    progress.log("\(type.name): cross-validation accuracy \(percent(mean)) ± \(percent(std))")
                }
                if let finalIndex = own.first(where: { planned.units[$0].unit.foldIndex == nil }) {
                    let unit = planned.units[finalIndex]
                    var (final, model) = runner.final(classifier, threads: request.jobs)
                    if let model, request.models != nil {
                        final.savedModel = try save(model, of: classifier, checksums: checksums, version: environment.version,
                                                    to: store.modelPath(unit.identity))
                    }
                    final.peakMemoryBytes = peakReset ? PeakMemory.bytes : nil
                    do { try store.store(final, identity: unit.identity) } catch { throw .output("\(error)") }
                    tracker.finished(final.unit, estimate: unit.estimatedSeconds)
                }
            }
            guard request.shard == nil else { continue }
            let rendered = try render(classifier, planned: planned, store: store, run: run, out: request.out, models: request.models,
                                      test: dataset.test, progress: progress)
            switch rendered {
            case .success(let report):
                wallSeconds[type.name] = Date().timeIntervalSince(start)
                reports.append(report)
            case .failure(let message):
                failures.append((type.name, message))
            }
        }
        progress.log("task store: \(store.clock.description) (\(String(format: "%.2f", 100 * store.clock.seconds / max(progress.elapsed, 1e-9)))% of the run's \(RunProgress.duration(progress.elapsed)))")
        if let shard = request.shard {
            progress.log("shard \(shard): \(toCompute.count) unit(s) computed, \(stored.count) reused, in \(store.directory); when every shard has finished: bench merge DIR... --out DIR")
        } else {
            do {
                var manifest = RunManifest(run: run, reports: reports, wallSeconds: wallSeconds, totalSeconds: progress.elapsed)
                manifest.store = ["units_computed": toCompute.count, "units_reused": stored.count,
                                  "seconds": (store.clock.seconds * 10_000).rounded() / 10_000]
                try AtomicFile.write(manifest.json, to: (request.out as NSString).appendingPathComponent("run.json"))
            } catch {
                throw .output("\(error)")
            }
        }
        var result = RunResult(reports: reports, failures: failures)
        result.computed = toCompute.count
        result.reused = stored.count
        return result
    }

    /// Loads the data set and takes the stratified subsample `--train-size` asks for, checking
    /// the sizes against the folds.
    static func loadData(_ directory: String, trainSize: Int?, folds: Int, seed: UInt64,
                         progress: ProgressLog) throws(RunError) -> (dataset: IDXDataset, training: LabeledImages, subsample: Int?) {
        progress.log("loading \(directory)")
        let dataset: IDXDataset
        do {
            dataset = try IDXDataset.load(directory: directory)
        } catch {
            throw .data(error)
        }
        let full = dataset.training
        progress.log("loaded \(full.count) training and \(dataset.test.count) test images of \(full.images.height)x\(full.images.width), \(full.classCount) classes; checksums \(dataset.files.allSatisfy(\.verified) ? "verified" : "not all listed")")
        var training = full
        var subsample: Int? = nil
        if let size = trainSize, size < full.count {
            guard size >= full.classCount else {
                throw .usage("The value of '--train-size' must be at least the number of classes (\(full.classCount)). Got \(size) instead.")
            }
            training = full.subset(stratifiedSubsample(labels: full.labels, classCount: full.classCount, size: size,
                                                       seed: SeedStream.subsample(seed)))
            subsample = size
            progress.log("using a stratified subsample of \(size) training images")
        } else if let size = trainSize, size > full.count {
            throw .usage("The value of '--train-size' must be at most the training set's \(full.count) images. Got \(size) instead.")
        }
        if folds > 0 {
            // Only classes present count: label files may skip class numbers.
            let smallest = training.classCounts.filter { $0 > 0 }.min() ?? 0
            guard folds <= smallest else {
                throw .usage("The value of '--folds' must be at most the smallest class's \(smallest) training images. Got \(folds) instead.")
            }
        }
        return (dataset, training, subsample)
    }

    /// What rendering one algorithm gave: its report, or why its final unit has none.
    enum Rendered {
        case success(AlgorithmReport)
        case failure(String)
    }

    /// Renders the report of `classifier` from the store: its folds and final unit as stored,
    /// its model placed at `<models>/<algorithm>.model`, its row in `summary.csv`.
    static func render(_ classifier: any Classifier, planned: PlannedRun, store: TaskStore, run: RunInfo, out: String, models: String?,
                       test: LabeledImages, progress: ProgressLog) throws(RunError) -> Rendered {
        let type = type(of: classifier)
        let units = planned.units.filter { $0.unit.algorithm == type.name }
        var outcomes: [UnitOutcome] = []
        for unit in units {
            switch store.load(unit.identity) {
            case .found(let outcome): outcomes.append(outcome)
            case .missing: throw .output("\(store.taskPath(unit.identity)): the outcome of \(unit.unit) is missing from the store")
            case .damaged(let path, let reason): throw .output("\(path): \(reason)")
            }
        }
        guard var final = outcomes.last, final.unit.foldIndex == nil, let finalUnit = units.last else {
            return .failure("no final unit")
        }
        guard final.confusion != nil else { return .failure(final.error ?? "unknown error") }
        if models != nil, final.savedModel != nil, !store.has(store.modelPath(finalUnit.identity)) {
            progress.log("warning: \(type.name): the store has no model file for its final unit; no model saved")
            final.savedModel = nil
        }
        if let directory = models, let saved = final.savedModel {
            let path = (directory as NSString).appendingPathComponent("\(type.name).model")
            do { try AtomicFile.place(store.modelPath(finalUnit.identity), at: path) } catch { throw .output("\(error)") }
            final.savedModel = SavedModel(path: path, bytes: saved.bytes, loadSeconds: saved.loadSeconds)
            progress.log("\(type.name): saved \(path) (\(saved.bytes) bytes; reads back in \(seconds(saved.loadSeconds)))")
        } else {
            final.savedModel = nil
        }
        let folds = Array(outcomes.dropLast())
        guard var report = AlgorithmReport(name: type.name, title: type.title, settings: classifier.settings,
                                           defaults: type.defaultSettings, folds: folds, final: final,
                                           testLabels: test.labels, run: run) else { return .failure(final.error ?? "unknown error") }
        report.peakMemoryBytes = outcomes.compactMap(\.peakMemoryBytes).max()
        report.testImages = test.images
        let directory = (out as NSString).appendingPathComponent(type.name)
        do {
            try AtomicFile.replaceDirectory(directory, with: report.files)
            try Summary.update(in: out, rows: [report.summaryRow])
        } catch {
            throw .output("\(error)")
        }
        progress.log("\(type.name): wrote \(directory)/report.md")
        return .success(report)
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
