import BenchCore
import NeuralNetwork

/// A multilayer perceptron (Rumelhart, Hinton and Williams, "Learning representations by
/// back-propagating errors", Nature 323, 1986) with ReLU hidden layers, trained by Adam on
/// softmax cross-entropy. Default: 784 → 256 → 128 → 10, as the scikit-learn twin
/// `MLPClassifier(hidden_layer_sizes=(256, 128))`.
public struct MLP: NetworkClassifier {
    public static let name = "mlp"
    public static let title = "Dense network (MLP)"
    public static let hyperparameters: [Hyperparameter] = [
        Hyperparameter("layers", .integerList(1 ... 65_536), default: .integerList([256, 128]),
                       help: "sizes of the hidden layers, comma-separated"),
    ] + NetworkHyperparameters.training(epochs: 20, batchSize: 128, learningRate: 1e-3, weightDecay: 0)

    public let settings: HyperparameterSettings
    /// Sizes of the hidden layers, input side first (at least one).
    public let hiddenLayers: [Int]
    /// Epochs, batches, Adam, weight decay, augmentation and schedule.
    public let training: TrainingSettings

    /// - Throws: ``ConfigurationError`` when `layers` lists no hidden layer.
    public init(settings: HyperparameterSettings = MLP.defaultSettings) throws(ConfigurationError) {
        hiddenLayers = settings.integerList("layers")
        guard !hiddenLayers.isEmpty else {
            throw ConfigurationError("The 'layers' parameter of mlp must list at least one hidden layer size. Got '' instead.")
        }
        self.settings = settings
        training = NetworkHyperparameters.trainingSettings(settings)
    }

    /// The layers for `height × width` images (flattened) and `classes` classes.
    public func network(height: Int, width: Int, classes: Int) -> Network { network(inputs: height * width, classes: classes) }

    /// The layers for `inputs` features and `classes` classes.
    public func network(inputs: Int, classes: Int) -> Network {
        var layers: [any Layer] = []
        var shape = Shape(features: inputs)
        for width in hiddenLayers {
            let dense = Dense(inputs: shape, outputs: width)
            layers += [dense, ReLU(dense.outputShape)]
            shape = dense.outputShape
        }
        layers.append(Dense(inputs: shape, outputs: classes))
        return Network(layers)
    }

    /// Measured on full MNIST, two cores: 12.5 s for 20 epochs, linear in images and epochs.
    public func estimatedSeconds(_ work: WorkSize) -> Double {
        12.5 * work.trainingScale * work.pixelScale * Double(settings.integer("epochs")) / 20 + 0.1 * work.scoringScale
    }

    public func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> FitResult {
        try fitNetwork(network(inputs: training.images.pixelCount, classes: training.classCount), title: Self.title,
                       training: training, settings: self.training, seed: seed, context: context)
    }

    /// The network for the archive's image size and classes, with the archive's parameters.
    /// - Throws: ``ModelArchiveError`` when the size or class count is out of range, or an
    ///   array is missing, of another size, or holds a value the model cannot use.
    public func decodeModel(_ archive: ModelArchive) throws(ModelArchiveError) -> any FittedClassifier {
        try NetworkModel.checkShape(of: archive)
        return try NetworkModel(decoding: archive,
                                network: network(inputs: archive.inputHeight * archive.inputWidth, classes: archive.classCount))
    }
}
