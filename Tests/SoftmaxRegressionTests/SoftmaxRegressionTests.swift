import BenchCore
import Evaluation
import SoftmaxRegression
import TestSupport
import Testing

@Suite struct SoftmaxRegressionTests {
    @Test func lbfgsFindsTheMinimumOfRosenbrock() {
        var optimiser = LBFGS()
        optimiser.maxIterations = 500
        optimiser.gradientTolerance = 1e-8
        let result = optimiser.minimize(from: [-1.2, 1]) { x, g in
            let (a, b) = (x[0], x[1])
            g[0] = -2 * (1 - a) - 400 * a * (b - a * a)
            g[1] = 200 * (b - a * a)
            return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a)
        }
        #expect(abs(result.x[0] - 1) < 1e-5 && abs(result.x[1] - 1) < 1e-5, "stopped at \(result.x): \(result.stop)")
    }

    @Test func separatesATinySeparableSet() throws {
        // Class = which of three pixels is lit.
        var bytes: [UInt8] = []
        var labels: [Int] = []
        for i in 0 ..< 30 {
            let label = i % 3
            bytes += (0 ..< 3).map { $0 == label ? 255 : UInt8(i % 7) }
            labels.append(label)
        }
        let data = LabeledImages(images: ImageSet(height: 1, width: 3, bytes: bytes), labels: labels, classCount: 3)
        let model = try SoftmaxRegression().fit(data, seed: 0, context: ExecutionContext(threads: 1)).model
        #expect(try model.predict(data.images, context: ExecutionContext(threads: 1)).labels == labels)
    }

    @Test func learnsARealMNISTSubset() throws {
        let (training, test) = try TestData.mnistSample(training: 3_000, test: 1_000)
        var settings = SoftmaxRegression.defaultSettings
        try settings.set("l2", .real(1e-3))
        let model = try SoftmaxRegression(settings: settings).fit(training, seed: 0, context: ExecutionContext(threads: 2)).model
        let predicted = try model.predict(test.images, context: ExecutionContext(threads: 2)).labels
        let accuracy = ConfusionMatrix(truth: test.labels, predicted: predicted, classCount: 10).accuracy
        // Published: about 92% on the full set; 3,000 images give a little less.
        #expect(accuracy > 0.85, "accuracy \(accuracy)")
    }

    @Test func predictionsDoNotDependOnThreads() throws {
        let (training, test) = try TestData.mnistSample(training: 2_500, test: 500, seed: 3)
        var settings = SoftmaxRegression.defaultSettings
        try settings.set("iterations", .integer(30))
        let one = try SoftmaxRegression(settings: settings).fit(training, seed: 0, context: ExecutionContext(threads: 1)).model
        let two = try SoftmaxRegression(settings: settings).fit(training, seed: 0, context: ExecutionContext(threads: 2)).model
        #expect((one as! SoftmaxModel).theta == (two as! SoftmaxModel).theta)
        #expect(try one.predict(test.images, context: ExecutionContext(threads: 1)) == two.predict(test.images, context: ExecutionContext(threads: 2)))
    }
}
