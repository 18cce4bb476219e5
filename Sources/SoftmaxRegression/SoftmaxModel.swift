import BenchCore
import Foundation

/// A fitted softmax regression: its weights and biases, nothing else.
///
/// The label is the class with the highest raw score x W + b (ties go to the lower class); the
/// scores are the probabilities softmax(x W + b), so the label's score is its row's largest.
public struct SoftmaxModel: FittedClassifier {
    /// Weights as `features × classes` row-major, then the `classes` biases.
    public let theta: [Double]
    public let inputHeight: Int
    public let inputWidth: Int
    public let classCount: Int

    /// Pixels per image: the rows of the weight matrix.
    public var features: Int { inputHeight * inputWidth }

    /// Wraps fitted parameters.
    /// - Precondition: `theta` holds (`inputHeight` · `inputWidth` + 1) · `classCount` values.
    init(theta: [Double], inputHeight: Int, inputWidth: Int, classCount: Int) {
        precondition(theta.count == (inputHeight * inputWidth + 1) * classCount, "softmax: theta does not fit the model's shape")
        self.theta = theta
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.classCount = classCount
    }

    /// Labels (the highest raw score, ties to the lower class) and probabilities.
    public func classify(_ images: ImageSet, context: ExecutionContext) -> Prediction {
        let k = classCount
        let scores = self.scores(images.features, threads: context.threads)
        let labels = (0 ..< images.count).map { r in
            var best = 0
            for c in 1 ..< k where scores[r * k + c] > scores[r * k + best] { best = c }
            return best
        }
        let probabilities = ScoreMatrix(rows: images.count, classCount: k, values: Self.probabilities(scores, classCount: k))
        return Prediction(labels: labels, scores: probabilities ?? ScoreMatrix(empty: k))
    }

    /// softmax of each row of `scores` (`classCount` wide), computed in double precision after
    /// subtracting the row's largest score, so no exponential overflows and the largest score's
    /// probability is the row's largest.
    static func probabilities(_ scores: [Float], classCount k: Int) -> [Float] {
        var probabilities = [Float](repeating: 0, count: scores.count)
        var exponentials = [Double](repeating: 0, count: k)
        for r in 0 ..< (k == 0 ? 0 : scores.count / k) {
            let row = scores[r * k ..< (r + 1) * k]
            let largest = Double(row.max()!)
            var sum = 0.0
            for (c, score) in row.enumerated() {
                exponentials[c] = exp(Double(score) - largest)
                sum += exponentials[c]
            }
            for c in 0 ..< k { probabilities[r * k + c] = Float(exponentials[c] / sum) }
        }
        return probabilities
    }

    /// Class scores x W + b, `rows × classes` row-major.
    func scores(_ x: FeatureMatrix, threads: Int) -> [Float] {
        let k = classCount, d = features
        let weights = (0 ..< d * k).map { Float(theta[$0]) }
        let bias = (0 ..< k).map { Float(theta[d * k + $0]) }
        let chunk = 256
        let blocks = parallelMap((x.rows + chunk - 1) / chunk, threads: threads) { block -> [Float] in
            let rows = block * chunk ..< min((block + 1) * chunk, x.rows)
            var out = [Float](repeating: 0, count: rows.count * k)
            x.values.withUnsafeBufferPointer { values in
                for (i, r) in rows.enumerated() {
                    for c in 0 ..< k { out[i * k + c] = bias[c] }
                    for j in 0 ..< d where values[r * d + j] != 0 {
                        let v = values[r * d + j]
                        for c in 0 ..< k { out[i * k + c] += v * weights[j * k + c] }
                    }
                }
            }
            return out
        }
        return blocks.flatMap { $0 }
    }
}
