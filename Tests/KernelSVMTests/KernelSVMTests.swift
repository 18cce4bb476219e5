import BenchCore
import KernelSVM
import TestSupport
import Testing

@Suite struct KernelSVMTests {
    func settings(_ changes: [(String, HyperparameterValue)]) -> HyperparameterSettings {
        var settings = KernelSVM.defaultSettings
        for (name, value) in changes { settings.set(name, value) }
        return settings
    }

    func fit(_ training: LabeledImages, _ changes: [(String, HyperparameterValue)] = [], threads: Int = 1) throws -> SVMModel {
        try #require(try KernelSVM(settings: settings(changes)).fit(training, seed: 0, context: ExecutionContext(threads: threads)) as? SVMModel)
    }

    @Test(arguments: [1, 5, 8, 9, 16, 17, 37])
    func vectorKernelMatchesTheScalarFormula(count: Int) {
        var generator = SplitMix64(seed: UInt64(count))
        let dots = (0 ..< count).map { _ in generator.nextUnitFloat() * 40 }
        let norms = (0 ..< count).map { _ in generator.nextUnitFloat() * 80 }
        let kernels: [KernelFunction] = [.rbf(gamma: 0.05), .rbf(gamma: 2), .linear, .polynomial(gamma: 0.1, coef0: 1, degree: 3)]
        for kernel in kernels {
            var values = dots
            norms.withUnsafeBufferPointer { z in
                values.withUnsafeMutableBufferPointer { kernel.apply(to: $0.baseAddress!, count: count, squaredNorm: 30, z.baseAddress!) }
            }
            for t in 0 ..< count {
                let expected = kernel.value(dot: dots[t], squaredNorm: 30, norms[t])
                #expect(abs(values[t] - expected) <= 2e-6 * max(1, abs(expected)), "\(kernel), t = \(t)")
            }
        }
    }

    @Test func linearKernelOnASeparableSetDecidesByTheMaximalMarginLine() throws {
        // Two-pixel "images": class 0 at x₁ ≤ −1 and class 1 at x₁ ≥ 1 (pixels scaled by 1/4,
        // then shifted by 1 so none is always zero); the maximal-margin line is x₁ = 0.
        let points: [[Float]] = [[-3, 0], [-1, 1], [-1, -1], [-2, 2], [1, 1], [1, -1], [2, 0], [3, -2]]
        let features = FeatureMatrix(rows: 8, columns: 2, values: points.flatMap { $0 })
        let training = LabeledImages(images: ImageSet(height: 1, width: 2, features: features), labels: [0, 0, 0, 0, 1, 1, 1, 1], classCount: 2)
        let model = try fit(training, [("kernel", .choice("linear")), ("C", .real(1000)), ("tolerance", .real(1e-6))])
        let queries = ImageSet(height: 1, width: 2, features: FeatureMatrix(rows: 3, columns: 2, values: [0.5, 3, -0.25, -7, 4, 0]))
        let decisions = model.decisionValues(queries, context: ExecutionContext(threads: 1))
        // The pair is (0, 1) with class 0 positive: f(x) = −x₁.
        for (q, expected) in [-0.5, 0.25, -4].enumerated() {
            #expect(abs(Double(decisions[q][0]) - expected) < 1e-4, "query \(q): \(decisions[q][0])")
        }
        #expect(model.predict(queries, context: ExecutionContext(threads: 1)) == [1, 0, 1])
    }

    @Test func fastPathMatchesThePlainReference() throws {
        // GEMM kernel rows, the row cache and prediction by two GEMMs, against a per-pair solve
        // on a whole kernel matrix built with the scalar formula and decision values summed in
        // double precision. Both solve to a tight tolerance, so both are near the one optimum.
        let (training, test) = try TestData.mnistSample(training: 300, test: 40)
        let model = try fit(training, [("cacheMB", .integer(1)), ("rowBlock", .integer(5)), ("tolerance", .real(1e-5))])
        let fast = model.decisionValues(test.images, context: ExecutionContext(threads: 2))
        let kernel = KernelFunction.rbf(gamma: 0.05)
        for (p, pair) in model.pairs.enumerated() {
            let members = training.labels.indices.filter { [pair.positive, pair.negative].contains(training.labels[$0]) }
            let points = members.map { Array(training.images.features.row($0)) }
            let labels = members.map { training.labels[$0] == pair.positive ? 1.0 : -1.0 }
            let solution = SMOSolver(labels: labels, configuration: .init(C: 5, tolerance: 1e-5)).solve(PrecomputedKernel(kernel, features: points))
            for q in 0 ..< test.count {
                let x = Array(test.images.features.row(q))
                let xx = x.reduce(0) { $0 + $1 * $1 }
                var decision = solution.bias
                for (t, point) in points.enumerated() where solution.alpha[t] > 0 {
                    let k = kernel.value(dot: zip(point, x).reduce(0) { $0 + $1.0 * $1.1 }, squaredNorm: xx, point.reduce(0) { $0 + $1 * $1 })
                    decision += labels[t] * solution.alpha[t] * Double(k)
                }
                #expect(abs(Double(fast[q][p]) - decision) < 1e-3, "pair \(pair), test image \(q)")
            }
        }
    }

    @Test func predictionsDoNotDependOnThreadsOrTheCacheBudget() throws {
        let (training, test) = try TestData.mnistSample(training: 2000, test: 500)
        let reference = try fit(training, threads: 1)
        let squeezed = try fit(training, [("cacheMB", .integer(1)), ("rowBlock", .integer(7))], threads: 2)
        #expect(reference.decisionValues(test.images, context: ExecutionContext(threads: 1))
            == squeezed.decisionValues(test.images, context: ExecutionContext(threads: 2)))
        // The small cache really was small: rows were computed more than once.
        let facts = Dictionary(uniqueKeysWithValues: squeezed.report.facts.map { ($0.name, $0.value) })
        let referenceFacts = Dictionary(uniqueKeysWithValues: reference.report.facts.map { ($0.name, $0.value) })
        #expect(facts["kernel rows"] != referenceFacts["kernel rows"])
        #expect(facts["SMO iterations"] == referenceFacts["SMO iterations"])
    }

    @Test func classifiesAnMNISTSubset() throws {
        let (training, test) = try TestData.mnistSample(training: 2000, test: 1000)
        let model = try fit(training, threads: 2)
        let predicted = model.predict(test.images, context: ExecutionContext(threads: 2))
        let accuracy = Double(zip(predicted, test.labels).count { $0 == $1 }) / Double(test.count)
        #expect(accuracy > 0.9, "accuracy \(accuracy)")
        #expect(model.pairs.count == 45)
    }

    @Test func oneClassIsAnError() throws {
        let (training, _) = try TestData.mnistSample(training: 200, test: 0)
        let ones = training.subset(training.labels.indices.filter { training.labels[$0] == 1 })
        #expect(throws: FitError.self) { try KernelSVM().fit(ones, seed: 0, context: ExecutionContext(threads: 1)) }
    }
}
