import BenchCore
import Evaluation
import Foundation

/// `bench tune`: a cross-validated grid search (exhaustive or successive halving) over any
/// hyperparameters of one algorithm, then the chosen setting's final model.
enum TuneCommand {
    static let table: [OptionSpec] = [
        OptionSpec("--algo", "NAME", "The algorithm to tune (see 'bench list')."),
        OptionSpec("--grid", "ALGO.PARAM=SPEC", "Values to search: V1,V2,... or lo..hi:n (evenly spaced) or lo..hi:n:log; repeatable, one per parameter."),
        OptionSpec("--folds", "K", "Stratified cross-validation folds, 2 or more. (default: 5)"),
        OptionSpec("--halving", nil, "Successive halving: rounds on growing subsets of each training fold, keeping the best ⌈n/factor⌉."),
        OptionSpec("--factor", "N", "The halving factor, 2 or more. (default: 3)"),
        OptionSpec("--set", "ALGO.PARAM=VALUE", "A fixed setting for every candidate; repeatable."),
        OptionSpec("--seed", "N", "Seed of every random choice. (default: 42)"),
        OptionSpec("--jobs", "N", "Threads to use. (default: the machine's active cores)"),
        OptionSpec("--train-size", "N", "Use a stratified subsample of N training images. (default: all)"),
        OptionSpec("--data", "DIR", "Directory with the four IDX files. (default: data/mnist)"),
        OptionSpec("--out", "DIR", "Results directory: reports go to DIR/tuned/<algorithm>/, units to DIR/tasks/. (default: results)"),
        OptionSpec("--models", "DIR", "Where the chosen model is saved, as DIR/<algorithm>-tuned.model. (default: models)"),
        OptionSpec("--no-models", nil, "Do not save the chosen model."),
        OptionSpec("--shard", "I/N|auto|auto/N", "Run only shard I of N of each round's units (see 'bench run --help')."),
        OptionSpec("--fresh", nil, "Recompute every unit, even those already stored."),
        OptionSpec("--quiet", nil, "No progress lines on standard error."),
        OptionSpec("--help", nil, "Show this help and exit."),
    ]

    static let usage = "bench tune --algo NAME --grid NAME.PARAM=SPEC [--grid ...] [--folds K] [--halving [--factor N]] [--set ...] [run options]"

    static var helpText: String {
        helpPage(
            overview: "Choose hyperparameters by cross-validation, as scikit-learn's GridSearchCV and HalvingGridSearchCV do.\n\n"
                + "Every candidate is scored on the same stratified folds; the highest mean accuracy wins (an exact tie goes\n"
                + "to the lower mean fit time, then the earlier candidate). Only then is the chosen setting fitted on the whole\n"
                + "training set, scored on the test set and saved. Units go into the task store, so a search resumes\n"
                + "where it stopped and a candidate's folds are shared with 'bench run --set ...'.",
            usage: [usage], options: table,
            sections: [
                ("EXAMPLES", """
                  swift run -c release bench tune --algo knn --grid knn.k=1,3,5,7 --grid knn.preprocess=none,deskew --folds 5
                  swift run -c release bench tune --algo svm --grid svm.C=5,10,20 --grid "svm.gamma=0.01..0.05:4:log" --halving

                """),
                ("OUTPUT", "  DIR/tuned/<algorithm>/grid.csv, grid.md, grid.svg and the final model's report; DIR/tuned/summary.csv.\n"),
                ("EXIT STATUS", "  0 success, 1 the final fit failed, 64 usage error, 65 bad data, 66 missing data, 73 cannot create output.\n"),
            ])
    }

    static func main(_ arguments: [String]) -> Int32 {
        let help = "bench tune --help"
        func failure(_ message: String) -> Int32 { BenchCommand.usageFailure(UsageError(message), usage: usage, help: help) }
        let words: CommandWords
        do {
            words = try CommandWords(arguments, table: table, takesPositionals: false)
        } catch {
            return BenchCommand.usageFailure(error, usage: usage, help: help)
        }
        if words.has("--help") { print(helpText, terminator: ""); return ExitStatus.success }
        guard let name = words.value("--algo") else { return failure("'bench tune' needs '--algo NAME': the algorithm to tune.") }
        let known = registeredClassifiers.map { $0.name }
        guard let type = classifier(named: name) else {
            return failure("Unknown algorithm '\(name)'.\(didYouMean(name, known)) (Known: \(known.joined(separator: ", ")).)")
        }
        if words.has("--models") && words.has("--no-models") { return failure("Use either '--models DIR' or '--no-models', not both.") }
        var base = type.defaultSettings
        var axes: [GridAxis] = []
        var folds = 5, factor = 3, seed: UInt64 = 42, jobs = ProcessInfo.processInfo.activeProcessorCount
        var trainSize: Int? = nil
        do {
            for (option, given) in words.options {
                let value = given ?? ""
                switch option {
                case "--grid", "--set":
                    guard let equals = value.firstIndex(of: "="), let dot = value[..<equals].firstIndex(of: ".") else {
                        return failure("'\(option)' takes ALGO.PARAM=\(option == "--grid" ? "SPEC" : "VALUE"), for example '\(option) \(name).\(type.allHyperparameters[0].name)=...'. Got '\(value)' instead.")
                    }
                    let owner = String(value[..<dot]), parameter = String(value[value.index(after: dot) ..< equals])
                    let text = String(value[value.index(after: equals)...])
                    guard owner == name else { return failure("'\(option) \(value)' names '\(owner)', but '--algo' is '\(name)'.") }
                    guard type.allHyperparameters.contains(where: { $0.name == parameter }) else {
                        let parameters = type.allHyperparameters.map(\.name)
                        return failure("'\(name)' has no hyperparameter '\(parameter)'.\(didYouMean(parameter, parameters, prefix: "\(name).")) (It has: \(parameters.joined(separator: ", ")).)")
                    }
                    if option == "--set" {
                        try base.set(parameter, text: text)
                    } else {
                        guard !axes.contains(where: { $0.parameter == parameter }) else { return failure("'--grid' names '\(name).\(parameter)' twice.") }
                        let values: [String]
                        do { values = try GridAxis.values(text) } catch { return failure("'--grid \(value)': \(error.message)") }
                        // Every value is checked now, before any work.
                        var check = type.defaultSettings
                        for candidate in values { try check.set(parameter, text: candidate) }
                        axes.append(GridAxis(parameter: parameter, values: values))
                    }
                case "--folds": folds = try integerValue(value, option, 2 ... 1000)
                case "--factor": factor = try integerValue(value, option, 2 ... 100)
                case "--seed":
                    guard let number = UInt64(value) else { return failure("The value of '--seed' must be a non-negative integer below 2^64. Got '\(value)' instead.") }
                    seed = number
                case "--jobs": jobs = try integerValue(value, option, 1 ... 1024)
                case "--train-size": trainSize = try integerValue(value, option, 1 ... Int(Int32.max))
                case "--data", "--out", "--models", "--shard":
                    _ = try BenchOptions.pathValue(value, option)
                default: break
                }
            }
        } catch let error as UsageError {
            return BenchCommand.usageFailure(error, usage: usage, help: help)
        } catch let error as ConfigurationError {
            return failure(error.message)
        } catch {
            return failure("\(error)")
        }
        guard !axes.isEmpty else { return failure("'bench tune' needs at least one '--grid \(name).PARAM=V1,V2,...'.") }
        if let fixed = axes.first(where: { axis in words.options.contains { $0.name == "--set" && ($0.value ?? "").hasPrefix("\(name).\(axis.parameter)=") } }) {
            return failure("'\(name).\(fixed.parameter)' is both searched ('--grid') and fixed ('--set').")
        }
        if words.has("--factor") && !words.has("--halving") { return failure("'--factor' is the halving factor; add '--halving'.") }
        let grid = Grid(axes: axes)
        guard grid.count <= 10_000 else { return failure("The grid has \(grid.count) candidates; at most 10000.") }
        let shard: Shard?
        do {
            shard = try words.value("--shard").map { text throws(ShardError) in try Shard.parse(text, environment: ProcessInfo.processInfo.environment) }
        } catch {
            return failure(error.message)
        }
        var request = TuneRequest(
            algorithm: type, base: base, grid: grid, folds: folds, seed: seed, jobs: jobs, trainSize: trainSize,
            dataDirectory: words.value("--data") ?? BenchCommand.defaultDataDirectory(), out: words.value("--out") ?? "results",
            models: words.has("--no-models") ? nil : (words.value("--models") ?? "models"),
            command: (["bench", "tune"] + arguments).joined(separator: " "), environment: MachineInfo.environment,
            progress: ProgressLog(enabled: !words.has("--quiet")))
        request.halving = words.has("--halving")
        request.factor = factor
        request.fresh = words.has("--fresh")
        request.shard = shard
        Interruption.install(store: (request.out as NSString).appendingPathComponent("tasks"), command: request.command)
        let result: TuneResult
        do {
            result = try BenchTune.execute(request)
        } catch {
            return BenchCommand.failure(error, usage: usage, help: help)
        }
        if let round = result.waitingForRound {
            print("\(name): round \(round) waits for other shards' units; \(result.computed) unit(s) computed, \(result.reused) reused. Rerun when they have finished.")
            return ExitStatus.success
        }
        guard let chosen = result.chosen else { return ExitStatus.failure }
        print("\(name): chosen \(BenchTune.describe(result.candidates[chosen.candidate])): cv \(percent(chosen.mean)) ± \(percent(chosen.std))"
              + (result.report.map { ", test \(percent($0.metrics.accuracy)), fit \(seconds($0.final.fitSeconds))" } ?? ""))
        if shard == nil, result.report == nil {
            BenchCommand.printError("Error: \(name): the final fit of the chosen setting failed. No report written.")
            return ExitStatus.failure
        }
        return ExitStatus.success
    }
}
