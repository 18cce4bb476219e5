import BenchCore
import Foundation

/// The parsed command line of `bench`. Parsing only reads the words; ``validated()`` checks
/// them against each other and against the classifiers, before any work starts.
public struct BenchOptions: Equatable {
    public var all = false
    public var algorithms: [String] = []
    public var folds = 5
    public var seed: UInt64 = 42
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    public var trainSize: Int? = nil
    public var data: String? = nil
    public var out = "results"
    /// `--set ALGO.PARAM=VALUE`, in order.
    public var settings: [(algorithm: String, parameter: String, value: String)] = []
    public var list = false
    public var help = false
    public var version = false
    public var quiet = false
    public var kernels = false

    public init() {}

    public static func == (lhs: BenchOptions, rhs: BenchOptions) -> Bool {
        lhs.all == rhs.all && lhs.algorithms == rhs.algorithms && lhs.folds == rhs.folds && lhs.seed == rhs.seed
            && lhs.jobs == rhs.jobs && lhs.trainSize == rhs.trainSize && lhs.data == rhs.data && lhs.out == rhs.out
            && lhs.settings.map { "\($0.algorithm).\($0.parameter)=\($0.value)" } == rhs.settings.map { "\($0.algorithm).\($0.parameter)=\($0.value)" }
            && lhs.list == rhs.list && lhs.help == rhs.help && lhs.version == rhs.version && lhs.quiet == rhs.quiet
            && lhs.kernels == rhs.kernels
    }

    /// Every option: name, value placeholder (nil for flags), help line.
    static let table: [(name: String, value: String?, help: String)] = [
        ("--all", nil, "Run every algorithm."),
        ("--algo", "NAME[,NAME...]", "Run these algorithms (see --list)."),
        ("--folds", "K", "Stratified cross-validation folds, 2 or more; 0 skips cross-validation. (default: 5)"),
        ("--seed", "N", "Seed of every random choice; the same seed gives the same predictions for any --jobs. (default: 42)"),
        ("--jobs", "N", "Threads to use. (default: the machine's active cores)"),
        ("--train-size", "N", "Use a stratified subsample of N training images, for quick runs. (default: all)"),
        ("--data", "DIR", "Directory with the four IDX files, raw or .gz. (default: data/mnist)"),
        ("--out", "DIR", "Where reports go. (default: results)"),
        ("--set", "ALGO.PARAM=VALUE", "Set a hyperparameter; repeatable (see --list)."),
        ("--list", nil, "List the algorithms and their hyperparameters, then exit."),
        ("--kernels", nil, "Measure the matrix-multiply kernel (GFLOP/s on 1 and --jobs threads), write <out>/kernels.csv, then exit."),
        ("--quiet", nil, "No progress lines on standard error."),
        ("--version", nil, "Show the version and exit."),
        ("--help", nil, "Show this help and exit."),
    ]

    /// Parses `arguments` (without the program name).
    /// - Throws: ``UsageError`` for an unknown option, a missing or malformed value.
    public static func parse(_ arguments: [String]) throws(UsageError) -> BenchOptions {
        var options = BenchOptions()
        var index = 0
        let names = table.map(\.name)
        func value(for name: String, inline: String?) throws(UsageError) -> String {
            if let inline { return inline }
            index += 1
            guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                let placeholder = table.first { $0.name == name }?.value ?? "VALUE"
                throw UsageError("Missing value for '\(name) \(placeholder)'.")
            }
            return arguments[index]
        }
        func integer(_ text: String, _ name: String, _ range: ClosedRange<Int>) throws(UsageError) -> Int {
            guard let number = Int(text) else { throw UsageError("The value of '\(name)' must be an integer. Got '\(text)' instead.") }
            guard range.contains(number) else {
                throw UsageError("The value of '\(name)' must be in \(range.lowerBound)...\(range.upperBound). Got \(number) instead.")
            }
            return number
        }
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else {
                throw UsageError("Unexpected argument '\(argument)'.\(didYouMean(argument, names.map { String($0.dropFirst(2)) }, prefix: "--"))")
            }
            var name = argument
            var inline: String? = nil
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            guard let option = table.first(where: { $0.name == name }) else {
                throw UsageError("Unknown option '\(name)'.\(didYouMean(name, names))")
            }
            if option.value == nil && inline != nil { throw UsageError("'\(name)' takes no value.") }
            switch name {
            case "--all": options.all = true
            case "--algo":
                let list = try value(for: name, inline: inline).split(separator: ",", omittingEmptySubsequences: false)
                for word in list.map({ String($0).trimmingWhitespace() }) {
                    guard !word.isEmpty else { throw UsageError("'--algo' has an empty name in its list.") }
                    if !options.algorithms.contains(word) { options.algorithms.append(word) }
                }
            case "--folds":
                let k = try integer(try value(for: name, inline: inline), name, 0 ... 1000)
                guard k != 1 else { throw UsageError("The value of '--folds' must be 0 (no cross-validation) or at least 2. Got 1 instead.") }
                options.folds = k
            case "--seed":
                let text = try value(for: name, inline: inline)
                guard let seed = UInt64(text) else {
                    throw UsageError("The value of '--seed' must be a non-negative integer below 2^64. Got '\(text)' instead.")
                }
                options.seed = seed
            case "--jobs": options.jobs = try integer(try value(for: name, inline: inline), name, 1 ... 1024)
            case "--train-size": options.trainSize = try integer(try value(for: name, inline: inline), name, 1 ... Int(Int32.max))
            case "--data": options.data = try value(for: name, inline: inline)
            case "--out": options.out = try value(for: name, inline: inline)
            case "--set":
                let text = try value(for: name, inline: inline)
                guard let equals = text.firstIndex(of: "="), let dot = text[..<equals].firstIndex(of: ".") else {
                    throw UsageError("'--set' takes ALGO.PARAM=VALUE, for example '--set softmax.l2=0.001'. Got '\(text)' instead.")
                }
                options.settings.append((String(text[..<dot]), String(text[text.index(after: dot) ..< equals]),
                                         String(text[text.index(after: equals)...])))
            case "--list": options.list = true
            case "--kernels": options.kernels = true
            case "--quiet": options.quiet = true
            case "--version": options.version = true
            case "--help": options.help = true
            default: break
            }
            index += 1
        }
        return options
    }

    /// The classifiers to run, configured, after checking names and `--set` values.
    /// - Throws: ``UsageError`` for an unknown algorithm or hyperparameter, a bad value, or a
    ///   `--set` for an algorithm the run does not include.
    public func configuredClassifiers() throws(UsageError) -> [any Classifier] {
        let known = registeredClassifiers.map { $0.name }
        for name in algorithms where classifier(named: name) == nil {
            throw UsageError("Unknown algorithm '\(name)'.\(didYouMean(name, known)) (Known: \(known.joined(separator: ", ")).)")
        }
        if all && !algorithms.isEmpty { throw UsageError("Use either '--all' or '--algo', not both.") }
        guard all || !algorithms.isEmpty else { throw UsageError("Choose what to run: '--algo NAME' or '--all' (see '--list').") }
        let chosen = all ? known : algorithms
        var settingsByName = Dictionary(uniqueKeysWithValues: registeredClassifiers.map { ($0.name, $0.defaultSettings) })
        for setting in settings {
            guard let type = classifier(named: setting.algorithm) else {
                throw UsageError("Unknown algorithm '\(setting.algorithm)' in '--set \(setting.algorithm).\(setting.parameter)=\(setting.value)'.\(didYouMean(setting.algorithm, known))")
            }
            guard chosen.contains(setting.algorithm) else {
                throw UsageError("'--set \(setting.algorithm).\(setting.parameter)=...' names '\(setting.algorithm)', which this run does not include.")
            }
            let parameters = type.hyperparameters.map(\.name)
            guard let parameter = type.hyperparameters.first(where: { $0.name == setting.parameter }) else {
                throw UsageError("'\(setting.algorithm)' has no hyperparameter '\(setting.parameter)'.\(didYouMean(setting.parameter, parameters, prefix: "\(setting.algorithm).")) (It has: \(parameters.joined(separator: ", ")).)")
            }
            do {
                settingsByName[setting.algorithm]!.set(parameter.name, try parameter.parse(setting.value, owner: setting.algorithm))
            } catch {
                throw UsageError(error.message)
            }
        }
        var configured: [any Classifier] = []
        for name in chosen {
            do {
                configured.append(try classifier(named: name)!.init(settings: settingsByName[name]!))
            } catch {
                throw UsageError(error.message)
            }
        }
        return configured
    }

    /// The one-line usage.
    public static let usage = "bench (--all | --algo NAME[,NAME...]) [--folds K] [--seed N] [--jobs N] [--train-size N] [--data DIR] [--out DIR] [--set ALGO.PARAM=VALUE ...]"

    /// The full help text.
    public static var helpText: String {
        var text = """
        OVERVIEW: Benchmark classical classifiers on MNIST (or any IDX image set).

        Runs stratified k-fold cross-validation on the training set, fits a final model on the
        whole training set, scores it on the test set, and writes reports to --out.

        USAGE: \(usage)
               bench --kernels [--jobs N] [--out DIR]
               bench --list | --help | --version

        OPTIONS:

        """
        let width = table.map { $0.name.count + ($0.value.map { $0.count + 1 } ?? 0) }.max()! + 2
        for option in table {
            let left = option.name + (option.value.map { " " + $0 } ?? "")
            text += "  " + left + String(repeating: " ", count: width - left.count) + option.help + "\n"
        }
        text += """

        ALGORITHMS: \(registeredClassifiers.map { $0.name }.joined(separator: ", ")) (hyperparameters: bench --list)

        EXAMPLES:
          swift run -c release bench --all
          swift run -c release bench --algo softmax --folds 5
          swift run -c release bench --algo softmax --train-size 6000 --set softmax.l2=0.001
          swift run -c release bench --algo svm --folds 5 --set svm.C=5 --set svm.gamma=0.025
          swift run -c release bench --kernels

        EXIT STATUS: 0 success, 1 a fit failed, 64 usage error, 65 bad data, 66 missing data,
          73 cannot create output.

        """
        return text
    }

    /// The text of `--list`.
    public static var listText: String {
        var text = ""
        for type in registeredClassifiers {
            text += "\(type.name): \(type.title)\n"
            let width = type.hyperparameters.map { $0.name.count }.max() ?? 0
            for parameter in type.hyperparameters {
                text += "  \(type.name).\(parameter.name)" + String(repeating: " ", count: width - parameter.name.count + 2)
                text += "\(parameter.help) (\(parameter.accepted); default: \(parameter.defaultValue))\n"
            }
        }
        return text
    }
}
