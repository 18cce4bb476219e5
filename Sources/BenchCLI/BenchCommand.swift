import BenchCore
import Evaluation
import Foundation
import IDXData

/// The `bench` program: parse, validate, load, run, report. Returns the exit status.
public enum BenchCommand {
    /// Runs `bench` with `arguments` (without the program name), printing to standard output
    /// and standard error, and returns the exit status.
    public static func main(_ arguments: [String]) -> Int32 {
        let options: BenchOptions
        do {
            options = try BenchOptions.parse(arguments)
        } catch {
            return usageFailure(error)
        }
        if options.help { print(BenchOptions.helpText, terminator: ""); return ExitStatus.success }
        if options.version { print("bench \(MachineInfo.version)"); return ExitStatus.success }
        if options.list { print(BenchOptions.listText, terminator: ""); return ExitStatus.success }
        if options.kernels {
            guard options.algorithms.isEmpty && !options.all else {
                return usageFailure(UsageError("'--kernels' measures the GEMM only; run it without '--algo' or '--all'."))
            }
            if let failure = makeOutputDirectory(options.out) { return failure }
            return KernelBenchmark.run(threads: options.jobs, out: options.out, progress: ProgressLog(enabled: !options.quiet))
        }
        let classifiers: [any Classifier]
        do {
            classifiers = try options.configuredClassifiers()
        } catch {
            return usageFailure(error)
        }
        return run(classifiers, options: options, arguments: arguments)
    }

    static func usageFailure(_ error: UsageError) -> Int32 {
        printError("Error: \(error.message)\nUsage: \(BenchOptions.usage)\n  See 'bench --help' for more.")
        return ExitStatus.usage
    }

    /// Creates the output directory before any long work, so that an unwritable `--out`
    /// fails at once; returns the exit status on failure.
    static func makeOutputDirectory(_ path: String) -> Int32? {
        do {
            try AtomicFile.makeDirectory(path)
            return nil
        } catch {
            printError("Error: \(error)")
            return ExitStatus.cannotCreate
        }
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

    static func run(_ classifiers: [any Classifier], options: BenchOptions, arguments: [String]) -> Int32 {
        let progress = ProgressLog(enabled: !options.quiet)
        let directory = options.data ?? defaultDataDirectory()
        progress.log("loading \(directory)")
        let dataset: IDXDataset
        do {
            dataset = try IDXDataset.load(directory: directory)
        } catch {
            printError("Error: \(error)")
            return error.isMissingInput ? ExitStatus.noInput : ExitStatus.dataError
        }
        let full = dataset.training
        progress.log("loaded \(full.count) training and \(dataset.test.count) test images of \(full.images.height)x\(full.images.width), \(full.classCount) classes; checksums \(dataset.files.allSatisfy(\.verified) ? "verified" : "not all listed")")
        var training = full
        if let size = options.trainSize, size < full.count {
            guard size >= full.classCount else {
                return usageFailure(UsageError("The value of '--train-size' must be at least the number of classes (\(full.classCount)). Got \(size) instead."))
            }
            training = full.subset(stratifiedSubsample(labels: full.labels, classCount: full.classCount, size: size,
                                                       seed: SeedStream.subsample(options.seed)))
            progress.log("using a stratified subsample of \(size) training images")
        } else if let size = options.trainSize, size > full.count {
            return usageFailure(UsageError("The value of '--train-size' must be at most the training set's \(full.count) images. Got \(size) instead."))
        }
        if options.folds > 0 {
            // Only classes present count: label files may skip class numbers.
            let smallest = training.classCounts.filter { $0 > 0 }.min() ?? 0
            guard options.folds <= smallest else {
                return usageFailure(UsageError("The value of '--folds' must be at most the smallest class's \(smallest) training images. Got \(options.folds) instead."))
            }
        }
        if let failure = makeOutputDirectory(options.out) { return failure }

        let runInfo = RunInfo(
            command: (["bench"] + arguments).joined(separator: " "), seed: options.seed, folds: options.folds, jobs: options.jobs,
            trainingCount: training.count, fullTrainingCount: full.count, testCount: dataset.test.count,
            dataDirectory: directory, dataFiles: dataset.files.map { ($0.path, $0.sha256, $0.verified) },
            version: MachineInfo.version, commit: MachineInfo.commit, machine: MachineInfo.cpu, cores: MachineInfo.cores,
            operatingSystem: MachineInfo.operatingSystem, date: MachineInfo.date)

        var status = ExitStatus.success
        var reports: [AlgorithmReport] = []
        var wallSeconds: [String: Double] = [:]
        for classifier in classifiers {
            let type = type(of: classifier)
            let start = Date()
            progress.log("\(type.name): \(type.title)")
            let crossValidation = options.folds > 0
                ? crossValidate(classifier, on: training, folds: options.folds, seed: options.seed, jobs: options.jobs, progress: progress)
                : nil
            if let cv = crossValidation {
                let (mean, std) = cv.accuracy
                progress.log("\(type.name): cross-validation accuracy \(percent(mean)) ± \(percent(std))")
            }
            let test: TestEvaluation
            do {
                test = try evaluateOnTestSet(classifier, training: training, test: dataset.test, seed: options.seed,
                                             threads: options.jobs, progress: progress)
            } catch {
                printError("Error: \(type.name): the final fit failed: \(error). No report written for \(type.name).")
                status = ExitStatus.failure
                continue
            }
            let report = AlgorithmReport(name: type.name, title: type.title, settings: classifier.settings,
                                         defaults: type.defaultSettings, crossValidation: crossValidation, test: test,
                                         testLabels: dataset.test.labels, run: runInfo)
            let reportDirectory = (options.out as NSString).appendingPathComponent(type.name)
            do {
                try AtomicFile.replaceDirectory(reportDirectory, with: report.files)
                let summaryPath = (options.out as NSString).appendingPathComponent("summary.csv")
                let existing = try? String(contentsOfFile: summaryPath, encoding: .utf8)
                let summary = Summary.merge(existing: existing, rows: [report.summaryRow])
                try AtomicFile.write(summary.text, to: summaryPath)
                try AtomicFile.write(Summary.markdown(summary), to: (options.out as NSString).appendingPathComponent("summary.md"))
            } catch {
                printError("Error: \(error)")
                return ExitStatus.cannotCreate
            }
            wallSeconds[type.name] = Date().timeIntervalSince(start)
            reports.append(report)
            progress.log("\(type.name): wrote \(reportDirectory)/report.md")
        }
        do {
            let manifest = RunManifest(run: runInfo, options: options, reports: reports, wallSeconds: wallSeconds,
                                       totalSeconds: progress.elapsed)
            try AtomicFile.write(manifest.json, to: (options.out as NSString).appendingPathComponent("run.json"))
        } catch {
            printError("Error: \(error)")
            return ExitStatus.cannotCreate
        }
        for report in reports {
            let cv = report.crossValidation.map { " cv \(percent($0.accuracy.mean)) ± \(percent($0.accuracy.std))," } ?? ""
            print("\(report.name):\(cv) test \(percent(report.test.metrics.accuracy)), fit \(seconds(report.test.fitSeconds)), predict \(seconds(report.test.predictSeconds))")
        }
        return status
    }
}
