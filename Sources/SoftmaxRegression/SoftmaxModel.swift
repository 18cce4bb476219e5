import BenchCore
import Foundation

/// A fitted softmax regression: predicts the class with the highest score x W + b.
public struct SoftmaxModel: FittedClassifier {
    /// Weights as `features × classes` row-major, then the bias.
    public let theta: [Double]
    public let features: Int
    public let classCount: Int
    let optimisation: LBFGS.Result
    /// How L-BFGS was preconditioned, for the report.
    let preconditioning: String

    /// Predicted labels (ties go to the lower class).
    public func predict(_ images: ImageSet, context: ExecutionContext) -> [Int] {
        precondition(images.pixelCount == features, "softmax: model has \(features) features, images have \(images.pixelCount)")
        let scores = self.scores(images.features, threads: context.threads)
        return (0 ..< images.count).map { r in
            var best = 0
            for c in 1 ..< classCount where scores[r * classCount + c] > scores[r * classCount + best] { best = c }
            return best
        }
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

    public var report: ModelReport {
        ModelReport(facts: [
            ("parameters", "\(theta.count) (\(features) × \(classCount) weights + \(classCount) biases)"),
            ("model size", "\(theta.count * MemoryLayout<Float>.size) bytes as float32"),
            ("L-BFGS iterations", "\(optimisation.iterations) (\(optimisation.evaluations) objective evaluations)"),
            ("preconditioning", preconditioning),
            ("stopped because", optimisation.stop.rawValue),
            ("final training objective", String(format: "%.6f", optimisation.value)),
            ("final gradient max-norm", String(format: "%.3e", optimisation.gradientMaxNorm) + (preconditioning == "none" ? "" : " (of the whitened parameters)")),
        ])
    }
}
