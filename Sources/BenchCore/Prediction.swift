/// Per-class scores of a batch of images: one row per image, one column per class, each row
/// summing to 1 (probabilities, vote fractions or normalised votes, as the model defines them).
public struct ScoreMatrix: Sendable, Equatable, Codable {
    /// Number of images.
    public let rows: Int
    /// Number of classes.
    public let classCount: Int
    /// `rows * classCount` scores, row-major.
    public let values: [Float]

    /// Wraps `values`; `nil` if they do not fill `rows × classCount`.
    public init?(rows: Int, classCount: Int, values: [Float]) {
        guard rows >= 0, classCount >= 0, values.count == rows * classCount else { return nil }
        self.rows = rows
        self.classCount = classCount
        self.values = values
    }

    /// The score of class `label` for image `row`.
    public subscript(row: Int, label: Int) -> Float { values[row * classCount + label] }

    /// The scores of one image.
    public func row(_ index: Int) -> ArraySlice<Float> {
        values[index * classCount ..< (index + 1) * classCount]
    }

    /// Rows of `classCount` scores, each divided by its sum (a row summing to 0 stays 0).
    /// Used by models whose raw scores are counts or sums (votes, leaf distributions).
    public static func normalising(rows: Int, classCount: Int, sums: [Float]) -> ScoreMatrix {
        var values = sums
        for r in 0 ..< rows {
            var total: Float = 0
            for c in 0 ..< classCount { total += values[r * classCount + c] }
            guard total > 0 else { continue }
            let scale = 1 / total
            for c in 0 ..< classCount { values[r * classCount + c] *= scale }
        }
        return ScoreMatrix(rows: rows, classCount: classCount, values: values) ?? ScoreMatrix(empty: classCount)
    }

    /// No rows.
    public init(empty classCount: Int) {
        rows = 0
        self.classCount = classCount
        values = []
    }
}

/// What a model says about a batch of images: its labels (by the model's own rule, ties
/// included), the per-class scores behind them, and facts about the prediction itself.
public struct Prediction: Sendable, Equatable {
    /// One predicted class per image, in order.
    public let labels: [Int]
    /// One row of class scores per image.
    public let scores: ScoreMatrix
    /// What the prediction learned about itself (the k-NN's exact distances per query, ...).
    public let diagnostics: Diagnostics

    public init(labels: [Int], scores: ScoreMatrix, diagnostics: Diagnostics = Diagnostics()) {
        self.labels = labels
        self.scores = scores
        self.diagnostics = diagnostics
    }
}

/// Images that a model cannot take: another size than it was fitted on.
public struct InputShapeError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
