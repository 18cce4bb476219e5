import Foundation

/// Per-class scores of a batch of images: one row per image, one column per class, each row
/// summing to 1 (probabilities, vote fractions or normalised votes, as the model defines them).
public struct ScoreMatrix: Sendable, Equatable {
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

extension ScoreMatrix: Codable {
    private enum CodingKeys: String, CodingKey { case rows, classCount, values }

    /// Stored as the little-endian bytes of the scores in Base64: exact (no decimal rounding),
    /// and a quarter of the size and a fraction of the time of a JSON array of numbers.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(classCount, forKey: .classCount)
        var bytes = [UInt8](repeating: 0, count: values.count * 4)
        for (i, value) in values.enumerated() {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { for b in 0 ..< 4 { bytes[4 * i + b] = $0[b] } }
        }
        try container.encode(Data(bytes).base64EncodedString(), forKey: .values)
    }

    /// Reads stored scores, checking that they fill `rows × classCount`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try container.decode(Int.self, forKey: .rows)
        let classCount = try container.decode(Int.self, forKey: .classCount)
        let text = try container.decode(String.self, forKey: .values)
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else {
            throw DecodingError.dataCorruptedError(forKey: .values, in: container, debugDescription: "scores must be Base64 of 4-byte floats")
        }
        let values: [Float] = data.withUnsafeBytes { raw in
            (0 ..< data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        let product = rows.multipliedReportingOverflow(by: classCount)
        guard rows >= 0, classCount >= 0, !product.overflow, product.partialValue == values.count,
              let matrix = ScoreMatrix(rows: rows, classCount: classCount, values: values) else {
            throw DecodingError.dataCorruptedError(forKey: .values, in: container, debugDescription: "\(values.count) scores do not fill \(rows) × \(classCount)")
        }
        self = matrix
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
