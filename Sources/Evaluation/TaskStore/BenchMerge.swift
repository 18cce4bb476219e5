import BenchCore
import Foundation
import IDXData

/// What `bench merge` needs: the stores to gather and where the merged results go.
public struct MergeRequest: Sendable {
    /// Results directories (each with a `tasks/` store), typically one per shard.
    public var inputs: [String]
    public var out: String
    /// Where the final models go, or `nil` not to save them.
    public var models: String?
    /// The data directory, or `nil` for the one the plan recorded.
    public var dataDirectory: String?
    public var command: String
    public var environment: RunEnvironment
    public var progress: ProgressLog

    public init(inputs: [String], out: String, models: String?, dataDirectory: String?, command: String,
                environment: RunEnvironment, progress: ProgressLog) {
        self.inputs = inputs
        self.out = out
        self.models = models
        self.dataDirectory = dataDirectory
        self.command = command
        self.environment = environment
        self.progress = progress
    }
}

/// `bench merge`: gathers the task stores of a run's shards into one, checks that every unit
/// of the plan is there, and renders the reports exactly as a single process would (the same
/// records, so the same predictions, metrics and per-fold figures; only timings differ).
/// Nothing is written unless every unit is found.
public enum BenchMerge {
    /// The plan the inputs' stores share.
    /// - Throws: ``RunError/missing(_:)`` for an input without a store,
    ///   ``RunError/mismatch(_:)`` when stores hold plans of different runs.
    public static func plan(of inputs: [String]) throws(RunError) -> PlanRecord {
        var first: (input: String, record: PlanRecord)? = nil
        for input in inputs {
            let store = TaskStore(out: input)
            let record: PlanRecord
            do {
                record = try PlanRecord.read(from: store)
            } catch {
                switch error {
                case .missing: throw .missing("\(input): no task store (\(PlanRecord.path(in: store)) is missing); expected the --out directory of a 'bench run'.")
                case .damaged(let reason): throw .mismatch("\(PlanRecord.path(in: store)): \(reason)")
                }
            }
            if let first, first.record.plan != record.plan {
                throw .mismatch("\(input) and \(first.input) hold different runs (their plans differ: another command, seed, data or program build); merge only the shards of one run.")
            }
            if first == nil { first = (input, record) }
        }
        guard let first else { throw .usage("'bench merge' needs at least one directory.") }
        return first.record
    }

    /// Gathers the stores of `request.inputs` into `request.out`'s and renders the reports.
    /// - Parameter classifiers: the plan's algorithms, configured from its settings, in order.
    public static func execute(_ request: MergeRequest, record: PlanRecord, classifiers: [any Classifier]) throws(RunError) -> RunResult {
        let progress = request.progress
        guard let planned = PlannedRun(stored: record.plan, classifiers: classifiers) else {
            throw .mismatch("\(PlanRecord.path(in: TaskStore(out: request.inputs[0]))): its units' keys do not match their settings; the plan was changed or written by another program.")
        }
        let dataDirectory = request.dataDirectory ?? record.dataDirectory
        progress.log("loading \(dataDirectory)")
        let dataset: IDXDataset
        do {
            dataset = try IDXDataset.load(directory: dataDirectory)
        } catch {
            throw .data(error)
        }
        guard DataFileChecksum.of(dataset) == record.plan.data else {
            throw .mismatch("\(dataDirectory): its files are not the ones the run used (SHA-256 differs); give the run's data with '--data DIR'.")
        }

        // Every unit from the first store that has it whole.
        let stores = request.inputs.map { TaskStore(out: $0) }
        var sources: [TaskStore] = []
        var missing: [MissingUnit] = []
        let records = request.inputs.compactMap { try? PlanRecord.read(from: TaskStore(out: $0)) }
        let shardCount = records.compactMap(\.shard?.count).first
        let owners = shardCount.map { record.plan.owners(shards: $0) }
        for (u, unit) in planned.units.enumerated() {
            var source: TaskStore? = nil
            for store in stores {
                switch store.load(unit.identity) {
                case .found: source = store
                case .damaged(let path, let reason): progress.log("warning: \(path): \(reason); looking in the other stores")
                case .missing: break
                }
                if source != nil { break }
            }
            if let source {
                sources.append(source)
            } else {
                missing.append(MissingUnit(unit: unit.unit, key: unit.identity.key,
                                           command: command(for: owners.map { $0[u] + 1 }, of: shardCount, records: records)))
            }
        }
        guard missing.isEmpty else { throw .incomplete(missing) }
        progress.log("merge: all \(planned.units.count) units found in \(request.inputs.count) store(s)")

        let out = TaskStore(out: request.out)
        do {
            for (unit, source) in zip(planned.units, sources) {
                if source.has(source.modelPath(unit.identity)) {
                    try AtomicFile.place(source.modelPath(unit.identity), at: out.modelPath(unit.identity))
                }
                try AtomicFile.place(source.taskPath(unit.identity), at: out.taskPath(unit.identity))
            }
            try PlanRecord(plan: record.plan, command: request.command, shard: nil, dataDirectory: dataDirectory, jobs: record.jobs).write(to: out)
            if let models = request.models { try AtomicFile.makeDirectory(models) }
        } catch {
            throw .output("\(error)")
        }

        let run = RunInfo(command: request.command, seed: UInt64(record.plan.seed) ?? 0, folds: record.plan.folds,
                          repeats: record.plan.repeats, jobs: record.jobs, trainingCount: record.plan.trainingCount,
                          fullTrainingCount: record.plan.fullTrainingCount, testCount: record.plan.testCount,
                          dataDirectory: dataDirectory, data: dataset, environment: request.environment)
        var reports: [AlgorithmReport] = []
        var failures: [(algorithm: String, error: String)] = []
        var wallSeconds: [String: Double] = [:]
        for classifier in classifiers {
            switch try BenchRun.render(classifier, planned: planned, store: out, run: run, out: request.out, models: request.models,
                                       test: dataset.test, progress: progress) {
            case .success(let report):
                // The units' own seconds: the shards' wall time is not known here.
                wallSeconds[report.name] = (report.folds + [report.final]).reduce(0) { $0 + $1.fitSeconds + $1.predictSeconds }
                reports.append(report)
            case .failure(let message):
                failures.append((type(of: classifier).name, message))
            }
        }
        do {
            let manifest = RunManifest(run: run, reports: reports, wallSeconds: wallSeconds, totalSeconds: progress.elapsed)
            try AtomicFile.write(manifest.json, to: (request.out as NSString).appendingPathComponent("run.json"))
        } catch {
            throw .output("\(error)")
        }
        return RunResult(reports: reports, failures: failures)
    }

    /// The command that computes shard `index` of `count`: the one a store of that shard
    /// recorded, else another shard's with its `--shard` changed, else the run's own.
    public static func command(for index: Int?, of count: Int?, records: [PlanRecord]) -> String? {
        command(for: index, of: count, commands: records.map { ($0.shard, $0.command) })
    }

    /// ``command(for:of:records:)`` from the shards' commands.
    public static func command(for index: Int?, of count: Int?, commands: [(shard: Shard?, command: String)]) -> String? {
        guard let index, let count else { return commands.first?.command }
        if let own = commands.first(where: { $0.shard?.index == index && $0.shard?.count == count }) { return own.command }
        guard let other = commands.first?.command else { return nil }
        var words = other.split(separator: " ").map(String.init)
        if let at = words.firstIndex(of: "--shard"), at + 1 < words.count {
            words[at + 1] = "\(index)/\(count)"
        } else if let at = words.firstIndex(where: { $0.hasPrefix("--shard=") }) {
            words[at] = "--shard=\(index)/\(count)"
        } else {
            words += ["--shard", "\(index)/\(count)"]
        }
        if let at = words.firstIndex(of: "--out"), at + 1 < words.count { words[at + 1] = "DIR" }
        return words.joined(separator: " ")
    }
}
