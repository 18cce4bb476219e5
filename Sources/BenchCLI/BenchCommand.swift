import BenchCore
import Evaluation
import Foundation
import IDXData

/// The `bench` program: reads the subcommand and dispatches to it. Returns the exit status.
///
/// `bench run` (the benchmark), `bench predict` (a saved model on image files), `bench list`
/// and `bench kernels`; `bench` followed directly by options is `bench run`, so
/// `bench --all` and `bench --algo forest --folds 5` work as they always have.
public enum BenchCommand {
    /// The subcommands, with a line each for the overview.
    static let subcommands: [(name: String, help: String)] = [
        ("run", "Cross-validate, fit, test, save models and write reports (the default)."),
        ("predict", "Predict image files with a saved model."),
        ("tune", "Choose hyperparameters by cross-validation: a grid or successive halving."),
        ("merge", "Gather the task stores of shards and write the reports."),
        ("compare", "Compare two results directories: accuracy changes with their significance, time ratios."),
        ("list", "List the algorithms and their hyperparameters."),
        ("kernels", "Measure the matrix-multiply kernel in GFLOP/s."),
        ("profile", "Time each layer of a network's training step."),
        ("help", "Show the help of a subcommand."),
    ]

    /// Runs `bench` with `arguments` (without the program name), printing to standard output
    /// and standard error, and returns the exit status.
    public static func main(_ arguments: [String]) -> Int32 {
        guard let first = arguments.first, !first.hasPrefix("-") else { return run(arguments, subcommand: false) }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "run": return run(rest, subcommand: true)
        case "predict": return PredictCommand.main(rest)
        case "merge": return MergeCommand.main(rest)
        case "tune": return TuneCommand.main(rest)
        case "compare": return CompareCommand.main(rest)
        case "list": return ListCommand.main(rest)
        case "kernels": return KernelsCommand.main(rest)
        case "profile": return ProfileCommand.main(rest)
        case "help":
            guard let topic = rest.first else { print(overview, terminator: ""); return ExitStatus.success }
            guard subcommands.contains(where: { $0.name == topic }), topic != "help" else {
                return usageFailure(UsageError("Unknown subcommand '\(topic)'.\(didYouMean(topic, subcommands.map(\.name)))"), usage: "bench help SUBCOMMAND")
            }
            return main([topic, "--help"])
        default:
            return usageFailure(UsageError("Unknown subcommand '\(first)'.\(didYouMean(first, subcommands.map(\.name))) (Subcommands: \(subcommands.map(\.name).joined(separator: ", ")).)"),
                                usage: "bench SUBCOMMAND [OPTIONS]")
        }
    }

    /// `bench --help`: the subcommands, then `bench run`'s options (it is the default).
    static var overview: String {
        var text = "OVERVIEW: Benchmark classical classifiers on MNIST, save the models, predict new images.\n\n"
        text += "USAGE: bench SUBCOMMAND [OPTIONS]\n       bench [run options]          (same as 'bench run')\n\nSUBCOMMANDS:\n"
        let width = subcommands.map(\.name.count).max()! + 2
        for command in subcommands { text += "  " + command.name + String(repeating: " ", count: width - command.name.count) + command.help + "\n" }
        text += "\n  See 'bench SUBCOMMAND --help' for the options of each.\n\n"
        return text + BenchOptions.helpText.replacingOccurrences(of: "OVERVIEW: ", with: "'bench run': ")
    }

    static func run(_ arguments: [String], subcommand: Bool) -> Int32 {
        let options: BenchOptions
        do {
            options = try BenchOptions.parse(arguments)
        } catch {
            return usageFailure(error)
        }
        if options.help { print(subcommand ? BenchOptions.helpText : overview, terminator: ""); return ExitStatus.success }
        if options.version { print("bench \(MachineInfo.version)"); return ExitStatus.success }
        if options.list { print(BenchOptions.listText, terminator: ""); return ExitStatus.success }
        if options.kernels {
            guard options.algorithms.isEmpty && !options.all else {
                return usageFailure(UsageError("'--kernels' measures the GEMM only; run it without '--algo' or '--all'."))
            }
            return KernelsCommand.measure(jobs: options.jobs, out: options.out, quiet: options.quiet)
        }
        let classifiers: [any Classifier]
        let shard: Shard?
        do {
            classifiers = try options.configuredClassifiers()
            shard = try options.resolvedShard(environment: ProcessInfo.processInfo.environment)
        } catch {
            return usageFailure(error)
        }
        var request = RunRequest(
            classifiers: classifiers, folds: options.folds, seed: options.seed, jobs: options.jobs, trainSize: options.trainSize,
            dataDirectory: options.data ?? defaultDataDirectory(), out: options.out, models: options.models,
            command: (["bench"] + (subcommand ? ["run"] : []) + arguments).joined(separator: " "), environment: MachineInfo.environment,
            progress: ProgressLog(enabled: !options.quiet))
        request.repeats = options.repeats
        request.fresh = options.fresh
        request.shard = shard
        Interruption.install(store: (options.out as NSString).appendingPathComponent("tasks"), command: request.command)
        let result: RunResult
        do {
            result = try BenchRun.execute(request)
        } catch {
            return failure(error)
        }
        if let shard {
            print("shard \(shard): \(result.computed) unit(s) computed, \(result.reused) reused, stored in \((options.out as NSString).appendingPathComponent("tasks"))")
            return ExitStatus.success
        }
        for failure in result.failures {
            printError("Error: \(failure.algorithm): the final fit failed: \(failure.error). No report written for \(failure.algorithm).")
        }
        printSummary(result.reports)
        return result.failures.isEmpty ? ExitStatus.success : ExitStatus.failure
    }

    /// One line per report on standard output.
    static func printSummary(_ reports: [AlgorithmReport]) {
        for report in reports {
            let cv = report.crossValidationAccuracy.map { " cv \(percent($0.mean)) ± \(percent($0.std))," } ?? ""
            print("\(report.name):\(cv) test \(percent(report.metrics.accuracy)), fit \(seconds(report.final.fitSeconds)), predict \(seconds(report.final.predictSeconds))")
        }
    }

    /// The message and exit status of a run that could not finish.
    static func failure(_ error: RunError, usage: String = BenchOptions.usage, help: String = "bench --help") -> Int32 {
        switch error {
        case .usage(let message): return usageFailure(UsageError(message), usage: usage, help: help)
        case .data(let dataError):
            printError("Error: \(dataError)")
            return dataError.isMissingInput ? ExitStatus.noInput : ExitStatus.dataError
        case .output(let message):
            printError("Error: \(message)")
            return ExitStatus.cannotCreate
        case .mismatch(let message):
            printError("Error: \(message)")
            return ExitStatus.dataError
        case .missing(let message):
            printError("Error: \(message)")
            return ExitStatus.noInput
        case .incomplete:
            printError("Error: \(error)")
            return ExitStatus.noInput
        }
    }

    static func usageFailure(_ error: UsageError, usage: String = BenchOptions.usage, help: String = "bench --help") -> Int32 {
        printError("Error: \(error.message)\nUsage: \(usage)\n  See '\(help)' for more.")
        return ExitStatus.usage
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// The default data directory: `data/mnist` under the working directory, else under the
    /// package this binary was built from (so `swift run` works from a subdirectory too).
    static func defaultDataDirectory() -> String {
        let local = "data/mnist"
        if FileManager.default.fileExists(atPath: local) { return local }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let built = packageRoot.appendingPathComponent("data/mnist").path
        return FileManager.default.fileExists(atPath: built) ? built : local
    }
}
