import BenchCore
import ConvolutionalNetwork
import MultilayerPerceptron
import NeuralNetwork
import TestSupport
import Testing

/// The fitted network as data: its scores, its diagnostics, and its archive (written, read
/// back identically, and refused when damaged).
@Suite struct NetworkModelTests {
    /// Configurations small enough to fit 300 images in well under a second.
    static func smallMLP() throws -> MLP {
        try MLP.configured([("layers", .integerList([16])), ("epochs", .integer(2)), ("batchSize", .integer(32))])
    }

    static func smallCNN() throws -> ConvNet {
        try ConvNet.configured([("filters1", .integer(4)), ("filters2", .integer(8)), ("hidden", .integer(16)),
                                ("epochs", .integer(1)), ("batchSize", .integer(32))])
    }

    /// The configuration called `name` ("mlp" or "cnn"), small.
    static func small(_ name: String) throws -> any Classifier {
        if name == MLP.name { return try smallMLP() }
        return try smallCNN()
    }

    /// An untrained model of `classifier` for 28 × 28 images and 10 classes, with its initial
    /// parameters and MNIST's standardisation: an archive to damage without fitting.
    static func untrainedArchive(mlp: Bool) throws -> ModelArchive {
        let network = mlp ? try smallMLP().network(inputs: 28 * 28, classes: 10)
            : try smallCNN().network(height: 28, width: 28, classes: 10)
        let model = NetworkModel(network: network, parameters: network.initialParameters(seed: 3), mean: 0.1307, deviation: 0.3081,
                                 inputHeight: 28, inputWidth: 28)
        return model.archive
    }

    @Test(arguments: [MLP.name, ConvNet.name])
    func aDecodedModelGivesBitIdenticalLabelsAndScores(name: String) throws {
        let classifier = try Self.small(name)
        let (training, test) = try TestData.mnistSample(training: 300, test: 100)
        let model = try classifier.fit(training, seed: 11, context: ExecutionContext(threads: 2)).model
        let archive = model.archive
        #expect(archive.arrays.map(\.name) == ["parameters", "mean", "deviation"])
        #expect(archive.arrays.map(\.array.typeName) == ["float32", "float32", "float32"])
        #expect(archive.arrays[0].array.count == (model as! NetworkModel).network.parameterCount)

        let decoded = try classifier.decodeModel(archive)
        #expect(decoded.inputHeight == 28 && decoded.inputWidth == 28 && decoded.classCount == 10)
        #expect(decoded.archive == archive)
        let original = try model.predict(test.images, context: ExecutionContext(threads: 2))
        let reloaded = try decoded.predict(test.images, context: ExecutionContext(threads: 1))
        #expect(reloaded.labels == original.labels, "\(name)")
        #expect(reloaded.scores.values.map(\.bitPattern) == original.scores.values.map(\.bitPattern), "\(name)")
    }

    @Test(arguments: [MLP.name, ConvNet.name])
    func scoresAreProbabilitiesAndTheLabelHasTheLargest(name: String) throws {
        let (training, test) = try TestData.mnistSample(training: 300, test: 100)
        let model = try Self.small(name).fit(training, seed: 12, context: ExecutionContext(threads: 2)).model
        let prediction = try model.predict(test.images, context: ExecutionContext(threads: 2))
        #expect(prediction.scores.rows == test.count && prediction.scores.classCount == 10)
        for (row, label) in prediction.labels.enumerated() {
            let scores = prediction.scores.row(row)
            let total = scores.reduce(0, +)
            #expect(abs(total - 1) < 1e-5, "\(name) image \(row): scores sum to \(total)")
            #expect(scores.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(name) image \(row)")
            #expect(prediction.scores[row, label] == scores.max(), "\(name) image \(row): label \(label)")
        }
    }

    @Test func theFitReportsItsEpochsAsATableAndALearningCurve() throws {
        let (training, _) = try TestData.mnistSample(training: 300, test: 1)
        let diagnostics = try Self.smallMLP().fit(training, seed: 13, context: ExecutionContext(threads: 2)).diagnostics
        #expect(diagnostics.facts.map(\.name) == ["layers", "parameters", "standardisation", "epochs"])
        #expect(diagnostics.fact(named: "parameters")?.hasPrefix("12730 ") == true)  // 784·16 + 16 + 16·10 + 10

        let table = try #require(diagnostics.tables.first { $0.id == "epochs" })
        #expect(table.columns == ["epoch", "loss", "train_accuracy", "seconds"])
        #expect(table.rows.map { $0[0] } == [.integer(1), .integer(2)])
        let curve = try #require(diagnostics.series.first { $0.id == "learning_curve" })
        #expect(curve.xLabel == "epoch")
        #expect(curve.lines.map(\.name) == ["training loss", "training error"])
        #expect(table.rows.map { $0[1] } == curve.lines[0].values.map { .real($0) })
        for (row, error) in zip(table.rows, curve.lines[1].values) {
            guard case .real(let accuracy) = row[2], case .real(let seconds) = row[3] else {
                Issue.record("row \(row) does not hold reals")
                continue
            }
            #expect(error == 1 - accuracy)
            #expect(accuracy >= 0 && accuracy <= 1 && seconds >= 0)
        }
    }

    /// Damage done to a good archive, each of which the decoder must refuse.
    static let damages: [(String, @Sendable (inout ModelArchive) throws -> Void)] = [
        ("one parameter short", { $0.put("parameters", floats: Array(try $0.floats("parameters").dropLast())) }),
        ("one parameter too many", { $0.put("parameters", floats: try $0.floats("parameters") + [0]) }),
        ("a NaN parameter", { archive in
            var parameters = try archive.floats("parameters")
            parameters[parameters.count / 2] = .nan
            archive.put("parameters", floats: parameters)
        }),
        ("an infinite parameter", { archive in
            var parameters = try archive.floats("parameters")
            parameters[0] = -.infinity
            archive.put("parameters", floats: parameters)
        }),
        ("parameters as float64", { $0.put("parameters", doubles: try $0.floats("parameters").map(Double.init)) }),
        ("a NaN mean", { $0.put("mean", float: .nan) }),
        ("a zero deviation", { $0.put("deviation", float: 0) }),
        ("a negative deviation", { $0.put("deviation", float: -0.3) }),
        ("a subnormal deviation", { $0.put("deviation", float: .leastNonzeroMagnitude) }),
        ("an infinite deviation", { $0.put("deviation", float: .infinity) }),
        ("two deviations", { $0.put("deviation", floats: [0.3, 0.3]) }),
        ("another input height", { $0.inputHeight = 20 }),
        ("another class count", { $0.classCount = 9 }),
        ("no input", { $0.inputWidth = 0 }),
        ("a negative height", { $0.inputHeight = -28 }),
        ("an absurd image size", { $0.inputHeight = .max; $0.inputWidth = .max }),
        ("an absurd class count", { $0.classCount = .max }),
        ("no classes", { $0.classCount = 0 }),
    ]

    @Test(arguments: [true, false])
    func aDamagedArchiveIsRefused(mlp: Bool) throws {
        let classifier: any Classifier = mlp ? try Self.smallMLP() : try Self.smallCNN()
        let good = try Self.untrainedArchive(mlp: mlp)
        _ = try classifier.decodeModel(good)
        for (what, damage) in Self.damages {
            var archive = good
            try damage(&archive)
            #expect(throws: ModelArchiveError.self, "\(mlp ? "mlp" : "cnn"): \(what)") { _ = try classifier.decodeModel(archive) }
        }
    }

    @Test func anArchiveWithoutTheDeviationIsRefused() throws {
        let good = try Self.untrainedArchive(mlp: true)
        var archive = ModelArchive(inputHeight: 28, inputWidth: 28, classCount: 10)
        archive.put("parameters", floats: try good.floats("parameters"))
        archive.put("mean", float: try good.float("mean"))
        #expect(throws: ModelArchiveError.self) { _ = try Self.smallMLP().decodeModel(archive) }
    }

    @Test func aCNNArchiveForImagesTooSmallForItsLayersIsRefused() throws {
        var archive = try Self.untrainedArchive(mlp: false)
        archive.inputHeight = 9
        #expect(throws: ModelArchiveError.self) { _ = try Self.smallCNN().decodeModel(archive) }
    }
}
