/// Precision, recall, F1 and support per class, with macro and weighted averages, computed
/// once from a confusion matrix and then rendered by separate writers.
///
/// Zero-division rule (as scikit-learn's `zero_division=0`): a precision, recall or F1 whose
/// denominator is zero — a class never predicted, or never present — is reported as 0.
public struct ClassificationMetrics: Sendable, Equatable {
    /// The scores of one class, or an average.
    public struct Scores: Sendable, Equatable {
        public let precision: Double
        public let recall: Double
        public let f1: Double
        /// Number of true images of the class (for averages, of all classes).
        public let support: Int
    }

    /// The zero-division rule, as printed in reports.
    public static let zeroDivisionRule =
        "A precision, recall or F1 whose denominator is 0 (a class never predicted, or never present) is reported as 0."

    /// Overall accuracy.
    public let accuracy: Double
    /// One entry per class, in class order.
    public let perClass: [Scores]
    /// Unweighted mean over classes.
    public let macro: Scores
    /// Mean over classes weighted by support.
    public let weighted: Scores

    public init(_ matrix: ConfusionMatrix) {
        let n = matrix.classCount
        func ratio(_ numerator: Int, _ denominator: Int) -> Double {
            denominator == 0 ? 0 : Double(numerator) / Double(denominator)
        }
        let scores = (0 ..< n).map { c in
            let truePositives = matrix[c, c]
            let predicted = (0 ..< n).reduce(0) { $0 + matrix[$1, c] }
            let actual = (0 ..< n).reduce(0) { $0 + matrix[c, $1] }
            let precision = ratio(truePositives, predicted)
            let recall = ratio(truePositives, actual)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return Scores(precision: precision, recall: recall, f1: f1, support: actual)
        }
        let total = scores.reduce(0) { $0 + $1.support }
        func average(_ weight: (Scores) -> Double) -> Scores {
            let weights = scores.map(weight)
            let sum = weights.reduce(0, +)
            func mean(_ value: (Scores) -> Double) -> Double {
                sum == 0 ? 0 : zip(scores, weights).reduce(0) { $0 + value($1.0) * $1.1 } / sum
            }
            return Scores(precision: mean(\.precision), recall: mean(\.recall), f1: mean(\.f1), support: total)
        }
        perClass = scores
        accuracy = matrix.accuracy
        macro = average { _ in 1 }
        weighted = average { Double($0.support) }
    }
}

/// Mean and population standard deviation (divisor n, as numpy's default) of `values`.
public func meanAndStandardDeviation(_ values: [Double]) -> (mean: Double, std: Double) {
    guard !values.isEmpty else { return (.nan, .nan) }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    return (mean, variance.squareRoot())
}
