import BenchCore

/// The record of one finished ``WorkUnit``: everything the reports need from it, as plain
/// values that can be encoded (it is `Codable`), stored and merged.
///
/// A unit whose fit failed keeps its error as data instead of stopping the run (as
/// scikit-learn's `cross_validate` with `error_score`): its predictions are empty and its
/// confusion matrix is `nil`.
public struct UnitOutcome: Sendable, Equatable, Codable {
    public let unit: WorkUnit
    /// Images the unit's model was fitted on, and images it scored.
    public let trainingCount: Int
    public let testCount: Int
    public let fitSeconds: Double
    public let predictSeconds: Double
    /// Threads the fit and prediction used (timings depend on it; results do not).
    public let threads: Int
    /// One predicted label per scored image (held-out fold images in ascending index order,
    /// or test images in file order); empty if the fit failed.
    public let predictions: [Int]
    /// The per-class scores behind ``predictions``.
    public let scores: ScoreMatrix?
    /// Scored images' true labels against ``predictions``; `nil` if the fit failed.
    public let confusion: ConfusionMatrix?
    /// What the fit and the prediction learned about themselves.
    public let diagnostics: Diagnostics
    /// Why the fit failed, if it did.
    public let error: String?
    /// Where the final model was saved, if it was.
    public var savedModel: SavedModel?

    public init(unit: WorkUnit, trainingCount: Int, testCount: Int, fitSeconds: Double, predictSeconds: Double, threads: Int,
                predictions: [Int], scores: ScoreMatrix?, confusion: ConfusionMatrix?, diagnostics: Diagnostics, error: String?,
                savedModel: SavedModel? = nil) {
        self.unit = unit
        self.trainingCount = trainingCount
        self.testCount = testCount
        self.fitSeconds = fitSeconds
        self.predictSeconds = predictSeconds
        self.threads = threads
        self.predictions = predictions
        self.scores = scores
        self.confusion = confusion
        self.diagnostics = diagnostics
        self.error = error
        self.savedModel = savedModel
    }

    /// Accuracy on the scored images, or `nil` if the fit failed.
    public var accuracy: Double? { confusion?.accuracy }
}

/// A final model written to a file, and what it cost to read back.
public struct SavedModel: Sendable, Equatable, Codable {
    public let path: String
    public let bytes: Int
    /// Seconds to read, check and decode the file.
    public let loadSeconds: Double

    public init(path: String, bytes: Int, loadSeconds: Double) {
        self.path = path
        self.bytes = bytes
        self.loadSeconds = loadSeconds
    }
}
