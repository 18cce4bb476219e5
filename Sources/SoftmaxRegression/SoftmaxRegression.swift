import BenchCore
import Foundation

/// Multinomial logistic (softmax) regression with L2 regularisation, fitted by L-BFGS.
///
/// Why L-BFGS rather than mini-batch SGD: the objective is smooth and convex, and only
/// (features + 1) × classes = 7,850 parameters on MNIST, so a quasi-Newton method converges in
/// about a hundred full passes with no learning rate to tune; every pass is deterministic and
/// splits over the cores in fixed chunks; and it is the optimiser of the scikit-learn twin
/// (`LogisticRegression(solver="lbfgs")`), so the two solve the same problem the same way.
///
/// Pixels enter as given (0–1 on MNIST). scikit-learn's `C` corresponds to `l2 = 1 / (C · n)`.
public struct SoftmaxRegression: Classifier {
    public static let name = "softmax"
    public static let title = "Softmax regression"
    public static let hyperparameters: [Hyperparameter] = [
        Hyperparameter("l2", .real(minimum: 0, inclusive: true, maximum: .infinity), default: .real(1e-4),
                       help: "L2 penalty λ on the weights (objective: mean cross-entropy + λ/2 ‖W‖²)"),
        Hyperparameter("iterations", .integer(1 ... 100_000), default: .integer(100),
                       help: "most L-BFGS iterations; reaching the cap is reported"),
        Hyperparameter("memory", .integer(1 ... 100), default: .integer(10),
                       help: "L-BFGS correction pairs kept"),
        Hyperparameter("tolerance", .real(minimum: 0, inclusive: false, maximum: .infinity), default: .real(1e-6),
                       help: "stop when the largest gradient component is below this"),
    ]

    public let settings: HyperparameterSettings
    public var l2: Double { settings.real("l2") }
    public var iterations: Int { settings.integer("iterations") }
    public var memory: Int { settings.integer("memory") }
    public var tolerance: Double { settings.real("tolerance") }

    public init(settings: HyperparameterSettings = SoftmaxRegression.defaultSettings) {
        self.settings = settings
    }

    /// Fits the weights. Deterministic: no random choice is made (the start is all zeros), so
    /// `seed` is unused.
    public func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> any FittedClassifier {
        guard training.count > 0 else { throw FitError("softmax: no training images") }
        let k = training.classCount, d = training.images.pixelCount
        let objective = SoftmaxObjective(data: SparseRows(training.images.features), labels: training.labels,
                                         classCount: k, l2: l2, threads: context.threads)
        var optimiser = LBFGS()
        optimiser.maxIterations = iterations
        optimiser.memory = memory
        optimiser.gradientTolerance = tolerance
        let start = [Double](repeating: 0, count: objective.parameterCount)
        let result = optimiser.minimize(from: start, objective: objective.evaluate) { iteration, value, gradientNorm in
            if iteration % 25 == 0 {
                context.report(String(format: "iteration %d, loss %.5f, gradient %.2e", iteration, value, gradientNorm))
            }
        }
        context.report(String(format: "L-BFGS stopped after %d iterations (%@), loss %.5f",
                              result.iterations, result.stop.rawValue, result.value))
        return SoftmaxModel(theta: result.x, features: d, classCount: k, optimisation: result)
    }
}
