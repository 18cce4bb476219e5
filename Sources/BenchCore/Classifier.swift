/// A classification algorithm: a validated configuration that fits a model to labelled images.
///
/// The contract follows scikit-learn's estimators: a configuration is made from explicit,
/// named, defaulted settings and does no work when made; ``fit(_:seed:context:)`` returns a
/// new fitted model and leaves the configuration untouched, so the harness can fit a fresh
/// model per fold from one configuration, on several threads at once.
public protocol Classifier: Sendable {
    /// The command-line name (`softmax`, `knn`, ...).
    static var name: String { get }
    /// A short human title ("Softmax regression").
    static var title: String { get }
    /// Every setting of the algorithm, with its kind, range and default.
    static var hyperparameters: [Hyperparameter] { get }

    /// A configuration from complete settings.
    /// - Throws: ``ConfigurationError`` when values are valid one by one but not together.
    init(settings: HyperparameterSettings) throws(ConfigurationError)

    /// The settings this configuration was made from, for reports.
    var settings: HyperparameterSettings { get }

    /// Fits a model.
    /// - Parameters:
    ///   - training: The labelled training images.
    ///   - seed: The source of every random choice the fit makes.
    ///   - context: Threads to use and where to report progress. The fitted model must not
    ///     depend on `context.threads`.
    /// - Throws: When the data cannot be fitted (for example, fewer than two classes).
    func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> any FittedClassifier
}

extension Classifier {
    /// The defaults of ``hyperparameters``.
    public static var defaultSettings: HyperparameterSettings {
        HyperparameterSettings(defaults: hyperparameters)
    }
}

/// A fitted model: predicts labels, and describes itself for the report.
public protocol FittedClassifier: Sendable {
    /// One predicted label per image, in order. Must not depend on `context.threads`.
    func predict(_ images: ImageSet, context: ExecutionContext) -> [Int]

    /// Facts about the fitted model (size, iterations, support vectors, ...) and any extra
    /// sections or files for the report. The default has none.
    var report: ModelReport { get }
}

extension FittedClassifier {
    public var report: ModelReport { ModelReport() }
}

/// What a fitted model adds to its algorithm's report.
public struct ModelReport: Sendable {
    /// Name–value facts shown in a table ("iterations", "model size").
    public var facts: [(name: String, value: String)]
    /// Extra Markdown sections, each with a title.
    public var sections: [(title: String, markdown: String)]
    /// Extra files written next to the report (file name, contents).
    public var files: [(name: String, contents: String)]

    public init(facts: [(name: String, value: String)] = [],
                sections: [(title: String, markdown: String)] = [],
                files: [(name: String, contents: String)] = []) {
        self.facts = facts
        self.sections = sections
        self.files = files
    }
}

/// Error thrown by a fit that cannot proceed on the data it was given.
public struct FitError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// How much of the machine a fit or predict may use, and where it reports progress.
public struct ExecutionContext: Sendable {
    /// Threads the work may use (at least 1).
    public let threads: Int
    /// Where progress lines go.
    public let progress: ProgressLog
    /// Prefix for progress lines ("softmax fold 2/5").
    public let label: String

    public init(threads: Int, progress: ProgressLog = .silent, label: String = "") {
        self.threads = max(1, threads)
        self.progress = progress
        self.label = label
    }

    /// Reports one progress line, prefixed with ``label``.
    public func report(_ message: String) {
        progress.log(label.isEmpty ? message : "\(label): \(message)")
    }
}
