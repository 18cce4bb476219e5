import BenchCore
import Foundation
import IDXData
import ModelFile

/// What `bench tune` searches, on which data, and where it writes.
public struct TuneRequest: Sendable {
    public var algorithm: any Classifier.Type
    /// The settings every candidate starts from (defaults with `--set` applied).
    public var base: HyperparameterSettings
    public var grid: Grid
    public var folds: Int
    public var seed: UInt64
    public var jobs: Int
    public var trainSize: Int?
    public var dataDirectory: String
    public var out: String
    /// Where the chosen model goes (`<models>/<algorithm>-tuned.model`), or `nil`.
    public var models: String?
    public var command: String
    public var environment: RunEnvironment
    public var progress: ProgressLog
    /// Successive halving with factor η, or the exhaustive grid.
    public var halving = false
    public var factor = 3
    public var fresh = false
    public var shard: Shard? = nil
    /// `bench merge`: compute no cross-validation unit (a missing one is an error naming it,
    /// with the command of the shard that computes it); only the chosen setting's final unit.
    public var mergeOnly = false
    /// The commands of the shards that wrote the gathered stores, for that error.
    public var shardCommands: [(shard: Shard?, command: String)] = []

    public init(algorithm: any Classifier.Type, base: HyperparameterSettings, grid: Grid, folds: Int, seed: UInt64, jobs: Int,
                trainSize: Int?, dataDirectory: String, out: String, models: String?, command: String,
                environment: RunEnvironment, progress: ProgressLog) {
        self.algorithm = algorithm
        self.base = base
        self.grid = grid
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

/// What a search found.
public struct TuneResult: Sendable {
    /// Each round's scores, in grid order.
    public let rounds: [[CandidateScore]]
    /// The candidates' settings changes, in grid order.
    public let candidates: [[(parameter: String, value: String)]]
    /// The chosen candidate, once every round is complete.
    public let chosen: CandidateScore?
    /// The chosen setting's final model's report (none for a shard, or if its fit failed).
    public let report: AlgorithmReport?
    /// Units computed here and taken from the store.
    public let computed: Int
    public let reused: Int
    /// With `--shard`: the round that waits for other shards' units, if any.
    public let waitingForRound: Int?
}

/// `bench tune`: a cross-validated grid search, exhaustive or by successive halving, whose
/// units are ordinary fold units in the task store (a candidate's fold is the same unit as
/// `bench run --set ...`'s, so either reuses the other's), then the chosen setting's final
/// model, fitted on the whole training set and scored on the test set.
///
/// Every candidate is scored on the same stratified folds (and, in halving rounds, on the same
/// subsamples of them), so candidates are compared pair by pair. The choice sees only
/// cross-validation records (``TuningChoice``); the test set is scored only after it.
public enum BenchTune {
    public static func execute(_ request: TuneRequest) throws(RunError) -> TuneResult {
        let progress = request.progress
        let name = request.algorithm.name
        let (dataset, training, subsample) = try BenchRun.loadData(request.dataDirectory, trainSize: request.trainSize, folds: request.folds,
                                                                 seed: request.seed, progress: progress)
        let candidates = request.grid.candidates
        var classifiers: [any Classifier] = []
        for candidate in candidates {
            var settings = request.base
            do {
                for change in candidate { try settings.set(change.parameter, text: change.value) }
                classifiers.append(try request.algorithm.init(settings: settings))
            } catch {
                throw .usage(error.message)
            }
        }
        do {
            try AtomicFile.makeDirectory(request.out)
        } catch {
            throw .output("\(error)")
        }
        let store = TaskStore(out: request.out)
        if !request.mergeOnly {
            do { try TuneRecord(request).write(to: store) } catch { throw .output("\(error)") }
        }
        let data = DataFileChecksum.of(dataset)
        let held = training.count / request.folds
        let foldTraining = training.count - held
        let pixels = training.images.height * training.images.width
        let schedule = request.halving
            ? HalvingSchedule(candidates: candidates.count, factor: request.factor, foldTrainingSize: foldTraining, minimum: 20 * training.classCount)
            : HalvingSchedule(candidates: candidates.count, factor: max(candidates.count + 1, 2), foldTrainingSize: foldTraining, minimum: foldTraining)
        func identity(_ unit: WorkUnit, _ c: Int) -> TaskIdentity {
            TaskIdentity(program: request.environment.program, algorithm: name, settings: classifiers[c].settings.entries, unit: unit,
                         seed: request.seed, trainSize: subsample, data: data)
        }
        func estimate(_ c: Int, subset: Int?) -> Double {
            classifiers[c].estimatedSeconds(WorkSize(training: subset ?? foldTraining, scoring: held, pixels: pixels, classes: training.classCount))
        }
        let roundsText = schedule.rounds.enumerated().map { "round \($0.offset + 1): \($0.element.candidates) candidate(s) on \($0.element.trainingSubset.map(String.init) ?? "all \(foldTraining)") images per fold" }
        progress.log("tune \(name): \(candidates.count) candidate(s) × \(request.folds) folds; " + roundsText.joined(separator: "; "))
        let averageCost = (0 ..< candidates.count).reduce(0.0) { $0 + estimate($1, subset: nil) } / Double(max(candidates.count, 1))
        func costLeft(from round: Int) -> Double {
            schedule.rounds[round...].reduce(0.0) { total, r in
                let scale = estimate(0, subset: r.trainingSubset) / max(estimate(0, subset: nil), 1e-12)
                return total + Double(r.candidates * request.folds) * averageCost * scale
            }
        }
        let totalUnits = schedule.rounds.reduce(0) { $0 + $1.candidates * request.folds } + (request.shard == nil ? 1 : 0)
        let tracker = RunProgress(log: progress, total: totalUnits, reused: 0, estimatedSeconds: costLeft(from: 0))
        let runner = UnitRunner(training: training, test: dataset.test, seed: request.seed, progress: progress)

        var alive = Array(candidates.indices)
        var rounds: [[CandidateScore]] = []
        var outcomesByCandidate: [Int: [UnitOutcome]] = [:]
        var computed = 0, reused = 0
        for (r, round) in schedule.rounds.enumerated() {
            let units = alive.flatMap { c in
                (1 ... request.folds).map { (c, WorkUnit(algorithm: name, kind: .fold(index: $0, count: request.folds, repeat: 1), trainingSubset: round.trainingSubset)) }
            }
            let owners = request.shard.map { Shard.assign(costs: units.map { estimate($0.0, subset: round.trainingSubset) }, shards: $0.count) }
            var found: [Int: UnitOutcome] = [:]
            for (u, unit) in units.enumerated() where !request.fresh || (owners != nil && owners![u] != request.shard!.index - 1) {
                switch store.load(identity(unit.1, unit.0)) {
                case .found(let outcome): found[u] = outcome
                case .damaged(let path, let reason): progress.log("warning: \(path): \(reason); computing the unit again")
                case .missing: break
                }
            }
            let toCompute = units.indices.filter { found[$0] == nil && (owners == nil || owners![$0] == request.shard!.index - 1) }
            if request.mergeOnly, !toCompute.isEmpty {
                let count = request.shardCommands.compactMap(\.shard?.count).first
                let owner = count.map { Shard.assign(costs: units.map { estimate($0.0, subset: round.trainingSubset) }, shards: $0) }
                throw .incomplete(toCompute.map { u in
                    let command = BenchMerge.command(for: owner.map { $0[u] + 1 }, of: count, commands: request.shardCommands)
                    return MissingUnit(unit: units[u].1, key: identity(units[u].1, units[u].0).key,
                                       command: command.map { "\($0)  (candidate \(units[u].0 + 1): \(describe(candidates[units[u].0])))" })
                })
            }
            tracker.setEstimateLeft(costLeft(from: r))
            tracker.reuse(units.indices.filter { found[$0] != nil && (owners == nil || owners![$0] == request.shard!.index - 1) }.count,
                          estimate: 0)
            progress.log("tune \(name): round \(r + 1)/\(schedule.rounds.count), \(alive.count) candidate(s), \(units.count) units: \(found.count) in the store, \(toCompute.count) to compute")
            let failure = StoreFailure()
            let pairs = toCompute.map { (unit: units[$0].1, classifier: classifiers[units[$0].0]) }
            let identities = toCompute.map { identity(units[$0].1, units[$0].0) }
            let estimates = toCompute.map { estimate(units[$0].0, subset: round.trainingSubset) }
            let outcomes = runner.run(folds: pairs, jobs: request.jobs) { position, outcome in
                do throws(OutputError) { try store.store(outcome, identity: identities[position]) } catch { failure.record(error) }
                tracker.finished(outcome.unit, estimate: estimates[position])
            }
            if let error = failure.error { throw .output("\(error)") }
            for (position, u) in toCompute.enumerated() { found[u] = outcomes[position] }
            computed += toCompute.count
            reused += found.count - toCompute.count
            guard found.count == units.count else {
                let missing = units.count - found.count
                progress.log("tune \(name): round \(r + 1) waits for \(missing) unit(s) of the other shards; rerun this command when they have finished (on a shared --out, or after copying the stores together)")
                return TuneResult(rounds: rounds, candidates: candidates, chosen: nil, report: nil, computed: computed, reused: reused, waitingForRound: r + 1)
            }
            var scores: [CandidateScore] = []
            for c in alive {
                let own = units.indices.filter { units[$0].0 == c }.compactMap { found[$0] }
                outcomesByCandidate[c] = own
                scores.append(CandidateScore(candidate: c, foldAccuracies: own.map(\.accuracy),
                                             meanFitSeconds: own.reduce(0) { $0 + $1.fitSeconds } / Double(max(own.count, 1)),
                                             meanPredictSeconds: own.reduce(0) { $0 + $1.predictSeconds } / Double(max(own.count, 1))))
            }
            rounds.append(scores)
            let best = TuningChoice.ranked(scores)[0]
            progress.log("tune \(name): round \(r + 1) best: \(describe(candidates[best.candidate])), CV \(percent(best.mean)) ± \(percent(best.std))")
            if r + 1 < schedule.rounds.count {
                alive = TuningChoice.ranked(scores).prefix(schedule.rounds[r + 1].candidates).map(\.candidate).sorted()
            }
        }
        guard let chosen = TuningChoice.chosen(rounds.last ?? []) else {
            throw .usage("The grid has no candidate.")
        }
        progress.log("tune \(name): chosen \(describe(candidates[chosen.candidate])): CV \(percent(chosen.mean)) ± \(percent(chosen.std)), mean fit \(seconds(chosen.meanFitSeconds))")
        if request.shard != nil {
            return TuneResult(rounds: rounds, candidates: candidates, chosen: chosen, report: nil, computed: computed, reused: reused, waitingForRound: nil)
        }

        // Only now is the test set scored: the final model of the chosen setting.
        let classifier = classifiers[chosen.candidate]
        let finalIdentity = identity(WorkUnit(algorithm: name, kind: .final), chosen.candidate)
        var final: UnitOutcome? = nil
        if !request.fresh, case .found(let stored) = store.load(finalIdentity),
           request.models == nil || store.has(store.modelPath(finalIdentity)) {
            final = stored
            reused += 1
            tracker.reuse(1)
        }
        // No shard can know the choice before every shard has finished, so the final unit is
        // computed here, also by `bench merge` of a sharded search (one fit).
        if final == nil {
            var (outcome, model) = runner.final(classifier, threads: request.jobs)
            if let model, request.models != nil {
                let checksums = data.map { ModelFile.DataChecksum(file: $0.file, sha256: $0.sha256) }
                outcome.savedModel = try BenchRun.save(model, of: classifier, checksums: checksums, version: request.environment.version,
                                                       to: store.modelPath(finalIdentity))
            }
            do { try store.store(outcome, identity: finalIdentity) } catch { throw .output("\(error)") }
            tracker.finished(outcome.unit, estimate: classifier.estimatedSeconds(WorkSize(training: training.count, scoring: dataset.test.count, pixels: pixels, classes: training.classCount)))
            final = outcome
            computed += 1
        }
        guard var finalOutcome = final else { throw .output("no final unit") }

        let run = RunInfo(command: request.command, seed: request.seed, folds: request.folds, repeats: 1, jobs: request.jobs,
                          trainingCount: training.count, fullTrainingCount: dataset.training.count, testCount: dataset.test.count,
                          dataDirectory: request.dataDirectory, data: dataset, environment: request.environment)
        let directory = ((request.out as NSString).appendingPathComponent("tuned") as NSString).appendingPathComponent(name)
        if let models = request.models, let saved = finalOutcome.savedModel {
            let path = (models as NSString).appendingPathComponent("\(name)-tuned.model")
            do { try AtomicFile.place(store.modelPath(finalIdentity), at: path) } catch { throw .output("\(error)") }
            finalOutcome.savedModel = SavedModel(path: path, bytes: saved.bytes, loadSeconds: saved.loadSeconds)
            progress.log("\(name): saved \(path)")
        } else {
            finalOutcome.savedModel = nil
        }
        let tuning = TuningReport(algorithm: name, grid: request.grid, candidates: candidates, rounds: rounds, schedule: schedule,
                                  foldTrainingSize: foldTraining, chosen: chosen, halving: request.halving, factor: request.factor,
                                  command: request.command, folds: request.folds, defaults: request.algorithm.defaultSettings)
        var report = AlgorithmReport(name: name, title: request.algorithm.title, settings: classifier.settings,
                                     defaults: request.algorithm.defaultSettings, folds: outcomesByCandidate[chosen.candidate] ?? [],
                                     final: finalOutcome, testLabels: dataset.test.labels, run: run)
        if report != nil { report!.testImages = dataset.test.images }
        var files = tuning.files
        if let report {
            files += report.files.map { $0.name == "report.md" ? ($0.name, report.markdown + tuning.chosenSection) : $0 }
        }
        do {
            try AtomicFile.replaceDirectory(directory, with: files)
            if let report {
                var row = report.summaryRow
                row["settings"] = describe(candidates[chosen.candidate])
                try Summary.update(in: (request.out as NSString).appendingPathComponent("tuned"), rows: [row])
            }
        } catch {
            throw .output("\(error)")
        }
        progress.log("tune \(name): wrote \(directory)/grid.md and report.md")
        return TuneResult(rounds: rounds, candidates: candidates, chosen: chosen, report: report, computed: computed, reused: reused, waitingForRound: nil)
    }

    /// "C=5, gamma=0.025".
    public static func describe(_ candidate: [(parameter: String, value: String)]) -> String {
        candidate.map { "\($0.parameter)=\($0.value)" }.joined(separator: ", ")
    }
}

