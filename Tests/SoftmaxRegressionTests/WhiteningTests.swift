import BenchCore
import SoftmaxRegression
import TestSupport
import Testing

@Suite struct WhiteningTests {
    /// Random features in 0–1, about half of them zero; column `constant` is always 0.5.
    func features(rows: Int, columns: Int, constant: Int?, seed: UInt64) -> FeatureMatrix {
        var generator = SplitMix64(seed: seed)
        var values = (0 ..< rows * columns).map { _ in generator.nextUnitFloat() < 0.5 ? generator.nextUnitFloat() : 0 }
        if let constant { for r in 0 ..< rows { values[r * columns + constant] = 0.5 } }
        return FeatureMatrix(rows: rows, columns: columns, values: values)
    }

    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// `parameters` is affine in z and `pullBack` must be its linear part's adjoint (the chain
    /// rule): ⟨u, θ(z) − θ(0)⟩ = ⟨pullBack(u), z⟩ for any u and z.
    @Test(arguments: [UInt64(1), 2, 3])
    func pullBackIsTheAdjointOfTheChangeOfVariables(seed: UInt64) throws {
        let x = features(rows: 300, columns: 12, constant: 5, seed: seed)
        let whitening = try Whitening(x, classes: 4, sampleRows: 200, shrinkage: 0.5, threads: 2)
        #expect(whitening.varying == [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11])
        var generator = SplitMix64(seed: 50 + seed)
        let z = (0 ..< whitening.parameterCount).map { _ in generator.nextGaussian() }
        let u = (0 ..< whitening.parameterCount).map { _ in generator.nextGaussian() }
        let zero = whitening.parameters([Double](repeating: 0, count: z.count))
        #expect(zero.allSatisfy { $0 == 0 }, "z = 0 must be the model W = 0, b = 0")
        let moved = whitening.parameters(z)
        var pulled = [Double](repeating: 0, count: z.count)
        whitening.pullBack(u, into: &pulled)
        let left = dot(u, zip(moved, zero).map { $0 - $1 }), right = dot(pulled, z)
        #expect(abs(left - right) < 1e-4 * max(1, abs(left)), "seed \(seed): ⟨u, θ(z)⟩ = \(left), ⟨pullBack(u), z⟩ = \(right)")
    }

    /// With V = I (as many classes as features), c = 0 and almost no shrinkage, the scores
    /// x W + b are the whitened inputs (x − μ) L⁻ᵀ: over the sampled rows their mean is 0 and
    /// their covariance the identity.
    @Test func whitenedInputsHaveIdentityCovariance() throws {
        let (n, d) = (400, 7)
        let x = features(rows: n, columns: d, constant: nil, seed: 9)
        let whitening = try Whitening(x, classes: d, sampleRows: n, shrinkage: 1e-9, threads: 1)
        var z = [Double](repeating: 0, count: whitening.parameterCount)
        for j in 0 ..< d { z[j * d + j] = 1 }
        let theta = whitening.parameters(z)
        let scores = (0 ..< n).map { r in
            (0 ..< d).map { c in (0 ..< d).reduce(theta[d * d + c]) { $0 + Double(x[r, $1]) * theta[$1 * d + c] } }
        }
        for a in 0 ..< d {
            let mean = scores.reduce(0) { $0 + $1[a] } / Double(n)
            #expect(abs(mean) < 1e-4, "whitened input \(a) has mean \(mean)")
            for b in 0 ..< d {
                let covariance = scores.reduce(0) { $0 + $1[a] * $1[b] } / Double(n)
                #expect(abs(covariance - (a == b ? 1 : 0)) < 2e-3, "covariance[\(a)][\(b)] = \(covariance)")
            }
        }
    }

    /// The change of variables must not change the problem: run to convergence, with and
    /// without it, both reach the same minimum, and the whitened run's answer is a stationary
    /// point of the original objective; after a few iterations, the whitened run is well ahead.
    @Test func whiteningKeepsTheMinimumAndGetsThereSooner() throws {
        let (training, _) = try TestData.mnistSample(training: 600, test: 1, seed: 4)
        func fit(whitenRows: Int, iterations: Int) throws -> (loss: Double, gradient: Double) {
            var settings = SoftmaxRegression.defaultSettings
            try settings.set("whitenRows", .integer(whitenRows))
            try settings.set("iterations", .integer(iterations))
            try settings.set("l2", .real(1e-2))
            try settings.set("tolerance", .real(1e-7))
            let model = try SoftmaxRegression(settings: settings).fit(training, seed: 0, context: ExecutionContext(threads: 2)).model as! SoftmaxModel
            let objective = SoftmaxObjective(data: SparseRows(training.images), labels: training.labels, classCount: 10, l2: 1e-2, threads: 2)
            var gradient = [Double](repeating: 0, count: objective.parameterCount)
            let loss = objective.evaluate(model.theta, gradient: &gradient)
            return (loss, gradient.map(abs).max()!)
        }
        let plain = try fit(whitenRows: 0, iterations: 2_000), whitened = try fit(whitenRows: 300, iterations: 2_000)
        #expect(abs(plain.loss - whitened.loss) < 1e-6, "minimum \(plain.loss) without whitening, \(whitened.loss) with")
        #expect(whitened.gradient < 1e-5, "gradient of the original objective at the whitened answer: \(whitened.gradient)")
        let plainEarly = try fit(whitenRows: 0, iterations: 10), whitenedEarly = try fit(whitenRows: 300, iterations: 10)
        #expect(whitenedEarly.loss - whitened.loss < 0.5 * (plainEarly.loss - plain.loss),
                "after 10 iterations: \(whitenedEarly.loss) whitened, \(plainEarly.loss) plain; minimum \(plain.loss)")
    }

    /// Degenerate inputs must not crash or throw: no feature varies (nothing to factor), and a
    /// shrinkage far below the covariance's rounding on three images (rank 2).
    @Test func degenerateInputsStillFit() throws {
        let constant = LabeledImages(images: ImageSet(height: 1, width: 4, bytes: [UInt8](repeating: 9, count: 4 * 6)),
                                     labels: [0, 1, 1, 1, 2, 1], classCount: 3)
        let model = try SoftmaxRegression().fit(constant, seed: 0, context: ExecutionContext(threads: 2)).model
        // With no information in the pixels, the bias alone predicts the commonest class.
        #expect(try model.predict(constant.images, context: ExecutionContext(threads: 1)).labels == [Int](repeating: 1, count: 6))

        let (three, _) = try TestData.mnistSample(training: 30, test: 1, seed: 5)
        let tiny = three.subset([0, 1, 2])
        var settings = SoftmaxRegression.defaultSettings
        try settings.set("shrinkage", .real(1e-12))
        let fitted = try SoftmaxRegression(settings: settings).fit(tiny, seed: 0, context: ExecutionContext(threads: 1)).model
        #expect(try fitted.predict(tiny.images, context: ExecutionContext(threads: 1)).labels == tiny.labels)
    }
}
