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
