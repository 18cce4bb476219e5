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
    /// - Returns: The model (its parameters, nothing else) and what the fit learned about itself.
    /// - Throws: When the data cannot be fitted (for example, fewer than two classes).
    func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> FitResult

    /// The model that `archive` holds, as written by ``FittedClassifier/encode(into:)`` of a
    /// model this configuration fitted (the settings come from the same file).
    /// - Throws: ``ModelArchiveError`` when an array is missing, of another size, or holds a
    ///   value the model cannot use (an index out of range): a model file is never trusted.
    func decodeModel(_ archive: ModelArchive) throws(ModelArchiveError) -> any FittedClassifier

    /// A rough estimate of a unit's seconds, for spreading units over shards and estimating
    /// the time left (``WorkSize``); never used for a result. A linear default exists.
    func estimatedSeconds(_ work: WorkSize) -> Double
}

extension Classifier {
    /// The algorithm's own ``hyperparameters`` and, last, the ones every classifier has
    /// (``Hyperparameter/preprocess``): declared once here, not in every module.
    public static var allHyperparameters: [Hyperparameter] { hyperparameters + [Hyperparameter.preprocess] }

    /// The defaults of ``allHyperparameters``.
    public static var defaultSettings: HyperparameterSettings {
        HyperparameterSettings(owner: name, parameters: allHyperparameters)
    }

    /// Checks that `settings` were made for this classifier: its name and its declarations, in
    /// order (settings are validated value by value when set; this catches settings made for
    /// another classifier).
    /// - Throws: ``ConfigurationError`` otherwise.
    public static func checkOwnership(of settings: HyperparameterSettings) throws(ConfigurationError) {
        guard settings.owner == name, settings.declarations == allHyperparameters.map(\.name) else {
            throw ConfigurationError("These settings are for \(settings.owner), not \(name).")
        }
    }

    /// The preprocessing step the settings name.
    public var preprocessing: PreprocessingStep {
        settings.value("preprocess").flatMap { PreprocessingStep(rawValue: $0.description) } ?? .none
    }

    /// A configuration from `changes` applied over the defaults, each value checked against its
    /// declaration: the one way every classifier's settings are validated, before any work.
    /// - Throws: ``ConfigurationError`` with the standard message ("The 'C' parameter of svm
    ///   must be > 0. Got '-1' instead.").
    public static func configured(_ changes: [(name: String, value: HyperparameterValue)] = []) throws(ConfigurationError) -> Self {
        var settings = defaultSettings
        for change in changes { try settings.set(change.name, change.value) }
        return try Self(settings: settings)
    }
}

/// A fitted model and what its fit learned about itself.
public struct FitResult: Sendable {
    /// The parameters prediction needs, and nothing else.
    public let model: any FittedClassifier
    /// Iterations, support vectors, learning curves, importances...: plain values for the report.
    public let diagnostics: Diagnostics

    public init(model: any FittedClassifier, diagnostics: Diagnostics = Diagnostics()) {
        self.model = model
        self.diagnostics = diagnostics
    }
}

/// A fitted model: its parameters, which predict labels and per-class scores and can be
/// written to a ``ModelArchive``.
public protocol FittedClassifier: Sendable {
    /// The image height and width the model was fitted on.
    var inputHeight: Int { get }
    var inputWidth: Int { get }
    /// Classes `0 ..< classCount`.
    var classCount: Int { get }

    /// Labels and scores for `images`, which have the model's input size (``predict(_:context:)``
    /// checks that first; call that). Must not depend on `context.threads`.
    func classify(_ images: ImageSet, context: ExecutionContext) -> Prediction

    /// Writes every parameter prediction needs into `archive`.
    func encode(into archive: inout ModelArchive)
}

extension FittedClassifier {
    /// Labels and per-class scores for `images`.
    /// - Throws: ``InputShapeError`` when the images are not the model's input size.
    public func predict(_ images: ImageSet, context: ExecutionContext) throws(InputShapeError) -> Prediction {
        guard images.height == inputHeight, images.width == inputWidth else {
            throw InputShapeError("The model takes \(inputHeight)×\(inputWidth) images; these are \(images.height)×\(images.width).")
        }
        return classify(images, context: context)
    }

    /// The archive of this model's parameters.
    public var archive: ModelArchive {
        var archive = ModelArchive(inputHeight: inputHeight, inputWidth: inputWidth, classCount: classCount)
        encode(into: &archive)
        return archive
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
