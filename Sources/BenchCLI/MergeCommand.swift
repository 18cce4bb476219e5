import BenchCore
import Evaluation
import Foundation

/// `bench merge DIR... --out DIR`: the task stores of a run's shards, gathered and rendered.
enum MergeCommand {
    static let table = [
        OptionSpec("--out", "DIR", "Where the merged store and the reports go (required; may be one of the inputs)."),
        OptionSpec("--models", "DIR", "Where each final model is saved, as DIR/<algorithm>.model. (default: models)"),
        OptionSpec("--no-models", nil, "Do not save the final models."),
        OptionSpec("--data", "DIR", "The run's data directory, if not where the run read it. (default: as recorded)"),
        OptionSpec("--quiet", nil, "No progress lines on standard error."),
        OptionSpec("--help", nil, "Show this help and exit."),
    ]

    static let usage = "bench merge DIR... --out DIR [--models DIR | --no-models] [--data DIR]"

    static var helpText: String {
        helpPage(
            overview: "Gather the task stores of a run's shards ('bench run ... --shard I/N --out DIR') and write the reports\n"
                + "exactly as one process would. A unit no store has is named with the command that computes it,\n"
                + "and then nothing is written.",
            usage: [usage],
            arguments: [("DIR...", "The --out directories of the shards (each holds a tasks/ store); a shared one counts once.")],
            options: table,
            sections: [
                ("EXAMPLES", """
                  for i in 1 2 3; do bench run --algo softmax,knn --folds 3 --shard $i/3 --out /tmp/sh$i; done
                  bench merge /tmp/sh1 /tmp/sh2 /tmp/sh3 --out /tmp/merged

                """),
                ("EXIT STATUS", "  0 success, 1 a final fit had failed, 64 usage error, 65 stores of different runs or damaged data,\n  66 a store or unit missing, 73 cannot create output.\n"),
            ])
    }

    static func main(_ arguments: [String]) -> Int32 {
        let help = "bench merge --help"
        let words: CommandWords
        do {
            words = try CommandWords(arguments, table: table, takesPositionals: true)
        } catch {
            return BenchCommand.usageFailure(error, usage: usage, help: help)
        }
        if words.has("--help") { print(helpText, terminator: ""); return ExitStatus.success }
        guard !words.positionals.isEmpty else {
            return BenchCommand.usageFailure(UsageError("'bench merge' takes the --out directories of the shards to merge."), usage: usage, help: help)
        }
        guard let out = words.value("--out"), !out.trimmingWhitespace().isEmpty else {
            return BenchCommand.usageFailure(UsageError("'bench merge' needs '--out DIR': where the merged reports go."), usage: usage, help: help)
        }
        if words.has("--models") && words.has("--no-models") {
            return BenchCommand.usageFailure(UsageError("Use either '--models DIR' or '--no-models', not both."), usage: usage, help: help)
        }
        var inputs: [String] = []
        for input in words.positionals where !inputs.contains(where: { ($0 as NSString).standardizingPath == (input as NSString).standardizingPath }) {
            inputs.append(input)
        }
        let stores = inputs.map { TaskStore(out: $0) }
        if !stores.contains(where: { FileManager.default.fileExists(atPath: PlanRecord.path(in: $0)) }) {
            let tunes = stores.flatMap { TuneRecord.all(in: $0) }
            if !tunes.isEmpty { return mergeTuning(tunes, stores: stores, out: out, words: words, arguments: arguments) }
        }
        let record: PlanRecord
        let classifiers: [any Classifier]
        do {
            record = try BenchMerge.plan(of: inputs)
            classifiers = try configured(record.plan)
        } catch {
            return BenchCommand.failure(error, usage: usage, help: help)
        }
        let request = MergeRequest(
            inputs: inputs, out: out, models: words.has("--no-models") ? nil : (words.value("--models") ?? "models"),
            dataDirectory: words.value("--data"), command: (["bench", "merge"] + arguments).joined(separator: " "),
            environment: MachineInfo.environment, progress: ProgressLog(enabled: !words.has("--quiet")))
        let result: RunResult
        do {
            result = try BenchMerge.execute(request, record: record, classifiers: classifiers)
        } catch {
            return BenchCommand.failure(error, usage: usage, help: help)
        }
        for failure in result.failures {
            BenchCommand.printError("Error: \(failure.algorithm): the final fit failed: \(failure.error). No report written for \(failure.algorithm).")
        }
        BenchCommand.printSummary(result.reports)
        return result.failures.isEmpty ? ExitStatus.success : ExitStatus.failure
    }

    /// `bench merge` of a sharded `bench tune`: the stores gathered into `--out`'s, then the
    /// search finished from them (computing no cross-validation unit) with the chosen
    /// setting's final model, as the unsharded command would.
    static func mergeTuning(_ records: [TuneRecord], stores: [TaskStore], out: String, words: CommandWords, arguments: [String]) -> Int32 {
        let help = "bench merge --help"
        var searches: [TuneRecord] = []
        for record in records where !searches.contains(where: { $0.sameSearch(as: record) }) {
            if searches.contains(where: { $0.algorithm == record.algorithm }) {
                return BenchCommand.failure(.mismatch("The stores hold two different searches of '\(record.algorithm)'; merge the shards of one search."), usage: usage, help: help)
            }
            searches.append(record)
        }
        if let other = searches.first(where: { $0.program != MachineInfo.program }) {
            // A search's final model is fitted here: it must come from the build that ran the shards.
            return BenchCommand.failure(.mismatch("The stores' search of '\(other.algorithm)' was run by build \(other.program) of bench; this is \(MachineInfo.program). Merge with the build that ran the shards."), usage: usage, help: help)
        }
        let target = TaskStore(out: out)
        do {
            for store in stores { try target.gather(from: store) }
        } catch {
            return BenchCommand.failure(.output("\(error)"), usage: usage, help: help)
        }
        var status = ExitStatus.success
        for search in searches {
            guard let type = classifier(named: search.algorithm) else {
                return BenchCommand.failure(.mismatch("The stores tune '\(search.algorithm)', which this program does not have."), usage: usage, help: help)
            }
            var base = type.defaultSettings
            do {
                for entry in search.base where entry.count == 2 { try base.set(entry[0], text: entry[1]) }
            } catch {
                return BenchCommand.failure(.mismatch("The stores' search of '\(search.algorithm)' has settings this program does not accept: \(error)"), usage: usage, help: help)
            }
            var request = TuneRequest(
                algorithm: type, base: base, grid: search.grid, folds: search.folds, seed: UInt64(search.seed) ?? 42,
                jobs: ProcessInfo.processInfo.activeProcessorCount, trainSize: search.trainSize,
                dataDirectory: words.value("--data") ?? search.dataDirectory, out: out,
                models: words.has("--no-models") ? nil : (words.value("--models") ?? "models"),
                command: (["bench", "merge"] + arguments).joined(separator: " "), environment: MachineInfo.environment,
                progress: ProgressLog(enabled: !words.has("--quiet")))
            request.halving = search.halving
            request.factor = search.factor
            request.mergeOnly = true
            request.shardCommands = records.filter { $0.sameSearch(as: search) }.map { ($0.shard, $0.command) }
            do {
                let result = try BenchTune.execute(request)
                if let chosen = result.chosen {
                    print("\(search.algorithm): chosen \(BenchTune.describe(result.candidates[chosen.candidate])): cv \(percent(chosen.mean)) ± \(percent(chosen.std))"
                          + (result.report.map { ", test \(percent($0.metrics.accuracy))" } ?? ""))
                }
            } catch {
                status = BenchCommand.failure(error, usage: usage, help: help)
            }
        }
        return status
    }

    /// The plan's algorithms, configured from its recorded settings.
    /// - Throws: ``RunError/mismatch(_:)`` for an algorithm or setting this program does not have.
    static func configured(_ plan: StoredPlan) throws(RunError) -> [any Classifier] {
        var classifiers: [any Classifier] = []
        for algorithm in plan.algorithms {
            guard let type = classifier(named: algorithm.name) else {
                throw .mismatch("The stores' plan names the algorithm '\(algorithm.name)', which this program does not have.")
            }
            var settings = type.defaultSettings
            do {
                for entry in algorithm.settings {
                    guard entry.count == 2 else { throw ConfigurationError("a setting is not a [name, value] pair") }
                    try settings.set(entry[0], text: entry[1])
                }
                classifiers.append(try type.init(settings: settings))
            } catch {
                throw .mismatch("The stores' plan has settings of '\(algorithm.name)' this program does not accept: \(error)")
            }
        }
        return classifiers
    }
}
