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
    /// The process's peak resident bytes from the start of its algorithm's units to the end of
    /// this one (units of one algorithm run at the same time, so this is not this unit's alone).
    public var peakMemoryBytes: Int?

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

    /// Checks that the record agrees with itself, as a record read from a file must before it
    /// is used: counts not negative, timings finite, one prediction per scored image, each a
    /// class of the confusion matrix, the matrix tallying exactly those predictions, one score
    /// row per image; a failed unit has no predictions.
    /// - Throws: ``InconsistentOutcome`` saying what disagrees.
    public func validate() throws(InconsistentOutcome) {
        func check(_ condition: Bool, _ reason: @autoclosure () -> String) throws(InconsistentOutcome) {
            if !condition { throw InconsistentOutcome(reason: reason()) }
        }
        try check(trainingCount >= 0 && testCount >= 0 && threads >= 1, "negative image counts or no threads")
        try check(fitSeconds.isFinite && fitSeconds >= 0 && predictSeconds.isFinite && predictSeconds >= 0, "a timing is not a finite, non-negative number")
        guard error == nil else {
            try check(predictions.isEmpty && confusion == nil && scores == nil, "a failed unit with predictions")
            return
        }
        guard let confusion else { throw InconsistentOutcome(reason: "no confusion matrix and no error") }
        try check(predictions.count == testCount, "\(predictions.count) predictions for \(testCount) scored images")
        try check(confusion.total == testCount, "the confusion matrix tallies \(confusion.total) images, not \(testCount)")
        var perClass = [Int](repeating: 0, count: confusion.classCount)
        for label in predictions {
            try check(label >= 0 && label < confusion.classCount, "prediction \(label) is not one of the \(confusion.classCount) classes")
            perClass[label] += 1
        }
        for c in 0 ..< confusion.classCount {
            let column = (0 ..< confusion.classCount).reduce(0) { $0 + confusion[$1, c] }
            try check(column == perClass[c], "the confusion matrix does not tally the predictions (class \(c))")
        }
        if let scores {
            try check(scores.rows == testCount && scores.classCount == confusion.classCount,
                      "scores of \(scores.rows)×\(scores.classCount) for \(testCount) images of \(confusion.classCount) classes")
            try check(scores.values.allSatisfy(\.isFinite), "a score is not a finite number")
        }
    }
}

/// A stored outcome that disagrees with itself.
public struct InconsistentOutcome: Error, Equatable {
    public let reason: String
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
