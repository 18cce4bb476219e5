import BenchCore
import Evaluation
import Foundation

/// The parsed command line of `bench`. Parsing only reads the words; ``validated()`` checks
/// them against each other and against the classifiers, before any work starts.
public struct BenchOptions: Equatable {
    public var all = false
    public var algorithms: [String] = []
    public var folds = 5
    public var repeats = 1
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
    /// `--shard` as given (resolved against the environment by ``resolvedShard(environment:)``).
    public var shard: String? = nil
    public var fresh = false

    public init() {}

    public static func == (lhs: BenchOptions, rhs: BenchOptions) -> Bool {
        lhs.all == rhs.all && lhs.algorithms == rhs.algorithms && lhs.folds == rhs.folds && lhs.repeats == rhs.repeats && lhs.seed == rhs.seed
            && lhs.jobs == rhs.jobs && lhs.trainSize == rhs.trainSize && lhs.data == rhs.data && lhs.out == rhs.out
            && lhs.settings.map { "\($0.algorithm).\($0.parameter)=\($0.value)" } == rhs.settings.map { "\($0.algorithm).\($0.parameter)=\($0.value)" }
            && lhs.list == rhs.list && lhs.help == rhs.help && lhs.version == rhs.version && lhs.quiet == rhs.quiet
            && lhs.kernels == rhs.kernels && lhs.models == rhs.models && lhs.shard == rhs.shard && lhs.fresh == rhs.fresh
    }

    /// Where final models go (`nil`: `--no-models`).
    public var models: String? = "models"

    /// Every option of `bench run`: name, value placeholder (nil for flags), help line.
    static let table: [OptionSpec] = [
        OptionSpec("--all", nil, "Run every algorithm."),
        OptionSpec("--algo", "NAME[,NAME...]", "Run these algorithms (see 'bench list')."),
        OptionSpec("--folds", "K", "Stratified cross-validation folds, 2 or more; 0 skips cross-validation. (default: 5)"),
        OptionSpec("--repeats", "R", "Repeat the cross-validation R times with differently seeded splits (R × K folds); the first is the plain K-fold's. (default: 1)"),
        OptionSpec("--seed", "N", "Seed of every random choice; the same seed gives the same predictions for any --jobs. (default: 42)"),
        OptionSpec("--jobs", "N", "Threads to use. (default: the machine's active cores)"),
        OptionSpec("--train-size", "N", "Use a stratified subsample of N training images, for quick runs. (default: all)"),
        OptionSpec("--data", "DIR", "Directory with the four IDX files, raw or .gz. (default: data/mnist)"),
        OptionSpec("--out", "DIR", "Where reports go. (default: results)"),
        OptionSpec("--models", "DIR", "Where each final model is saved, as DIR/<algorithm>.model. (default: models)"),
        OptionSpec("--no-models", nil, "Do not save the final models."),
        OptionSpec("--set", "ALGO.PARAM=VALUE", "Set a hyperparameter; repeatable (see 'bench list')."),
        OptionSpec("--shard", "I/N|auto|auto/N", "Run only shard I of N of the units (balanced by estimated cost) into --out's task store, and no reports; 'auto' reads a Slurm job array's SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, 'auto/N' a Kubernetes Indexed Job's JOB_COMPLETION_INDEX. Then 'bench merge'. (see docs/cluster.md)"),
        OptionSpec("--fresh", nil, "Recompute every unit, even those already in --out's task store."),
        OptionSpec("--list", nil, "Same as 'bench list'."),
        OptionSpec("--kernels", nil, "Same as 'bench kernels' (with --jobs and --out)."),
        OptionSpec("--quiet", nil, "No progress lines on standard error."),
        OptionSpec("--version", nil, "Show the version and exit."),
        OptionSpec("--help", nil, "Show this help and exit."),
    ]

    /// Parses the options of `bench run` (or of `bench` without a subcommand).
    /// - Throws: ``UsageError`` for an unknown option, a missing or malformed value.
    public static func parse(_ arguments: [String]) throws(UsageError) -> BenchOptions {
        var options = BenchOptions()
        let words = try CommandWords(arguments, table: table, takesPositionals: false)
        for (name, given) in words.options {
            let value = given ?? ""
            switch name {
            case "--all": options.all = true
            case "--algo":
                for word in value.split(separator: ",", omittingEmptySubsequences: false).map({ String($0).trimmingWhitespace() }) {
                    guard !word.isEmpty else { throw UsageError("'--algo' has an empty name in its list.") }
                    if !options.algorithms.contains(word) { options.algorithms.append(word) }
                }
            case "--folds":
                let k = try integerValue(value, name, 0 ... 1000)
                guard k != 1 else { throw UsageError("The value of '--folds' must be 0 (no cross-validation) or at least 2. Got 1 instead.") }
                options.folds = k
            case "--seed":
                guard let seed = UInt64(value) else {
                    throw UsageError("The value of '--seed' must be a non-negative integer below 2^64. Got '\(value)' instead.")
                }
                options.seed = seed
            case "--repeats": options.repeats = try integerValue(value, name, 1 ... 100)
            case "--jobs": options.jobs = try integerValue(value, name, 1 ... 1024)
            case "--train-size": options.trainSize = try integerValue(value, name, 1 ... Int(Int32.max))
            case "--data": options.data = try pathValue(value, name)
            case "--out": options.out = try pathValue(value, name)
            case "--models": options.models = try pathValue(value, name)
            case "--no-models": options.models = nil
            case "--set":
                guard let equals = value.firstIndex(of: "="), let dot = value[..<equals].firstIndex(of: ".") else {
                    throw UsageError("'--set' takes ALGO.PARAM=VALUE, for example '--set softmax.l2=0.001'. Got '\(value)' instead.")
                }
                options.settings.append((String(value[..<dot]), String(value[value.index(after: dot) ..< equals]),
                                         String(value[value.index(after: equals)...])))
            case "--shard": options.shard = try pathValue(value, name)
            case "--fresh": options.fresh = true
            case "--list": options.list = true
            case "--kernels": options.kernels = true
            case "--quiet": options.quiet = true
            case "--version": options.version = true
            case "--help": options.help = true
            default: break
            }
        }
        if words.has("--models") && words.has("--no-models") {
            throw UsageError("Use either '--models DIR' or '--no-models', not both.")
        }
        return options
    }

    /// The shard `--shard` names, read against `environment` for `auto`; `nil` without `--shard`.
    /// - Throws: ``UsageError`` naming `--shard` and what was expected.
    public func resolvedShard(environment: [String: String]) throws(UsageError) -> Shard? {
        guard let text = shard else { return nil }
        do {
            return try Shard.parse(text, environment: environment)
        } catch {
            throw UsageError(error.message)
        }
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
        guard all || !algorithms.isEmpty else { throw UsageError("Choose what to run: '--algo NAME' or '--all' (see 'bench list').") }
        let chosen = all ? known : algorithms
        var settingsByName = Dictionary(uniqueKeysWithValues: registeredClassifiers.map { ($0.name, $0.defaultSettings) })
        for setting in settings {
            guard let type = classifier(named: setting.algorithm) else {
                throw UsageError("Unknown algorithm '\(setting.algorithm)' in '--set \(setting.algorithm).\(setting.parameter)=\(setting.value)'.\(didYouMean(setting.algorithm, known))")
            }
            guard chosen.contains(setting.algorithm) else {
                throw UsageError("'--set \(setting.algorithm).\(setting.parameter)=...' names '\(setting.algorithm)', which this run does not include.")
            }
            let parameters = type.allHyperparameters.map(\.name)
            guard let parameter = type.allHyperparameters.first(where: { $0.name == setting.parameter }) else {
                throw UsageError("'\(setting.algorithm)' has no hyperparameter '\(setting.parameter)'.\(didYouMean(setting.parameter, parameters, prefix: "\(setting.algorithm).")) (It has: \(parameters.joined(separator: ", ")).)")
            }
            do {
                try settingsByName[setting.algorithm]!.set(parameter.name, text: setting.value)
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
    public static let usage = "bench run (--all | --algo NAME[,NAME...]) [--folds K] [--repeats R] [--seed N] [--jobs N] [--train-size N] [--data DIR] [--out DIR] [--models DIR | --no-models] [--set ALGO.PARAM=VALUE ...] [--shard I/N|auto|auto/N] [--fresh]"

    /// The help of `bench run`.
    public static var helpText: String {
        helpPage(
            overview: "Benchmark classical classifiers on MNIST (or any IDX image set).\n\n"
                + "Runs stratified k-fold cross-validation on the training set, fits a final model on the whole\n"
                + "training set, scores it on the test set, saves it to --models and writes reports to --out.\n"
                + "'bench' without a subcommand is 'bench run'.",
            usage: [usage], options: table,
            sections: [
                ("ALGORITHMS", "  \(registeredClassifiers.map { $0.name }.joined(separator: ", ")) (hyperparameters: bench list)\n"),
                ("EXAMPLES", """
                  swift run -c release bench --all
                  swift run -c release bench run --algo softmax --folds 5
                  swift run -c release bench run --algo softmax --train-size 6000 --set softmax.l2=0.001
                  swift run -c release bench run --algo svm --folds 5 --set svm.C=5 --set svm.gamma=0.025
                  swift run -c release bench predict --model models/svm.model data/mnist/t10k-images-idx3-ubyte.gz

                """),
                ("RESUMING AND SHARDS", """
                  Every unit (a fold or a final model) is stored in DIR/tasks/ as it finishes, under a key made of
                  everything that determines it. Running the same command again reuses the stored units and says
                  how many; --fresh recomputes them. --shard I/N runs one share of the units; 'bench merge' gathers
                  the shards' stores and writes the reports (docs/cluster.md).

                """),
                ("EXIT STATUS", "  0 success, 1 a fit failed, 64 usage error, 65 bad data, 66 missing data, 73 cannot create output.\n"),
            ])
    }

    /// `--out` and friends must name something.
    static func pathValue(_ value: String, _ name: String) throws(UsageError) -> String {
        guard !value.trimmingWhitespace().isEmpty else { throw UsageError("The value of '\(name)' must be a path. Got '' instead.") }
        return value
    }

    /// The text of `bench list`.
    public static var listText: String {
        var text = ""
        for type in registeredClassifiers {
            text += "\(type.name): \(type.title)\n"
            let width = type.allHyperparameters.map { $0.name.count }.max() ?? 0
            for parameter in type.allHyperparameters {
                text += "  \(type.name).\(parameter.name)" + String(repeating: " ", count: width - parameter.name.count + 2)
                text += "\(parameter.help) (\(parameter.accepted); default: \(parameter.defaultValue))\n"
            }
        }
        return text
    }
}
