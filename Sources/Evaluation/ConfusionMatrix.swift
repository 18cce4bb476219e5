/// Counts of (true label, predicted label) pairs: rows are true labels, columns predicted.
public struct ConfusionMatrix: Sendable, Equatable {
    /// Number of classes.
    public let classCount: Int
    /// `classCount * classCount` counts, row-major: `counts[truth * classCount + predicted]`.
    public private(set) var counts: [Int]

    /// Tallies `predicted` against `truth`.
    /// - Precondition: equal lengths, labels in `0 ..< classCount`.
    public init(truth: [Int], predicted: [Int], classCount: Int) {
        precondition(truth.count == predicted.count, "ConfusionMatrix: \(truth.count) labels but \(predicted.count) predictions")
        self.classCount = classCount
        counts = [Int](repeating: 0, count: classCount * classCount)
        for (label, guess) in zip(truth, predicted) {
            precondition(guess >= 0 && guess < classCount, "ConfusionMatrix: prediction \(guess) out of range")
            counts[label * classCount + guess] += 1
        }
    }

    /// The count of images of class `truth` predicted as `predicted`.
    public subscript(truth: Int, predicted: Int) -> Int { counts[truth * classCount + predicted] }

    /// Number of images tallied.
    public var total: Int { counts.reduce(0, +) }

    /// Correct predictions over all predictions (0 when empty).
    public var accuracy: Double {
        let correct = (0 ..< classCount).reduce(0) { $0 + self[$1, $1] }
        return total == 0 ? 0 : Double(correct) / Double(total)
    }
}

extension ConfusionMatrix: Codable {
    private enum CodingKeys: String, CodingKey { case classCount, counts }

    /// Reads a stored matrix, checking that its counts fill `classCount²` cells, are not
    /// negative, and add up without overflow.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let classCount = try container.decode(Int.self, forKey: .classCount)
        let counts = try container.decode([Int].self, forKey: .counts)
        // The counts must also add up without overflow: `total` and the metrics sum them.
        var sum = 0, overflow = false
        for count in counts where !overflow { (sum, overflow) = sum.addingReportingOverflow(count) }
        guard classCount >= 0, classCount <= 65_536, counts.count == classCount * classCount, counts.allSatisfy({ $0 >= 0 }), !overflow else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: container,
                                                   debugDescription: "a confusion matrix needs classCount² non-negative counts")
        }
        self.classCount = classCount
        self.counts = counts
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(classCount, forKey: .classCount)
        try container.encode(counts, forKey: .counts)
    }
}
