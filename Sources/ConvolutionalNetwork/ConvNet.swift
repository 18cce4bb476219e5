import BenchCore
import NeuralNetwork

/// A small convolutional network in the LeNet tradition (LeCun, Bottou, Bengio and Haffner,
/// "Gradient-based learning applied to document recognition", Proc. IEEE 86(11), 1998),
/// with ReLU, max pooling and Adam as in current practice. Default architecture (the
/// project brief's, and the PyTorch twin's): conv 32@3×3 → ReLU → max-pool 2×2 → conv 64@3×3
/// → ReLU → max-pool 2×2 → dense 128 → ReLU → dense 10, softmax cross-entropy, with each
/// convolution's ReLU computed after its pooling (the same function; see ``network(height:width:classes:)``).
/// The input size is read from the data.
public struct ConvNet: NetworkClassifier {
    public static let name = "cnn"
    public static let title = "Convolutional network"
    public static let hyperparameters: [Hyperparameter] = [
        Hyperparameter("filters1", .integer(1 ... 1024), default: .integer(32), help: "filters of the first 3×3 convolution"),
        Hyperparameter("filters2", .integer(1 ... 1024), default: .integer(64), help: "filters of the second 3×3 convolution"),
        Hyperparameter("hidden", .integer(1 ... 65_536), default: .integer(128), help: "units of the hidden dense layer"),
    ] + NetworkHyperparameters.training(epochs: 3, batchSize: 128, learningRate: 1e-3, weightDecay: 0)

    public let settings: HyperparameterSettings
    /// Filters of the first and second 3×3 convolutions.
    public let filters1: Int
    public let filters2: Int
    /// Units of the hidden dense layer.
    public let hidden: Int
    /// Epochs, batches, Adam, weight decay, augmentation and schedule.
    public let training: TrainingSettings

    public init(settings: HyperparameterSettings = ConvNet.defaultSettings) {
        self.settings = settings
        filters1 = settings.integer("filters1")
        filters2 = settings.integer("filters2")
        hidden = settings.integer("hidden")
        training = NetworkHyperparameters.trainingSettings(settings)
    }

    /// The layers for `height × width` single-channel images and `classes` classes.
    /// - Throws: ``FitError`` when the images are too small for two convolutions and two poolings.
    public func network(height: Int, width: Int, classes: Int) throws(FitError) -> Network {
        // conv (−2), pool (÷2), conv (−2), pool (÷2) must leave at least one pixel.
        guard ((height - 2) / 2 - 2) / 2 >= 1, ((width - 2) / 2 - 2) / 2 >= 1 else {
            throw FitError("cnn: \(height)×\(width) images are too small for the architecture (at least 10×10)")
        }
        let conv1 = Conv2D(input: Shape(height: height, width: width, channels: 1), filters: filters1)
        let pool1 = MaxPool2D(conv1.outputShape)
        let conv2 = Conv2D(input: pool1.outputShape, filters: filters2)
        let pool2 = MaxPool2D(conv2.outputShape)
        let dense = Dense(inputs: pool2.outputShape, outputs: hidden)
        let output = Dense(inputs: dense.outputShape, outputs: classes)
        // Each ReLU after its pooling, not before: max-pooling and ReLU commute (ReLU is
        // monotone, so max(relu(x)) = relu(max(x)), exactly in floating point for any
        // non-NaN input, and the gradient reaches the same input), and after pooling the ReLU touches a quarter of
        // the values. Measured: ReLU1 18 µs → 5 µs per image of the training step.
        return Network([conv1, pool1, ReLU(pool1.outputShape), conv2, pool2, ReLU(pool2.outputShape),
                        dense, ReLU(dense.outputShape), output])
    }

    /// Measured on full MNIST, two cores: 31 s for 3 epochs, linear in images and epochs.
    public func estimatedSeconds(_ work: WorkSize) -> Double {
        10.5 * work.trainingScale * work.pixelScale * Double(settings.integer("epochs")) + 0.5 * work.scoringScale
    }

    public func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> FitResult {
        let network = try network(height: training.images.height, width: training.images.width, classes: training.classCount)
        return try fitNetwork(network, title: Self.title, training: training, settings: self.training, seed: seed, context: context)
    }

    /// The network for the archive's image size and classes, with the archive's parameters.
    /// - Throws: ``ModelArchiveError`` when the size or class count is out of range, the
    ///   images are too small for the architecture, or an array is missing, of another size,
    ///   or holds a value the model cannot use.
    public func decodeModel(_ archive: ModelArchive) throws(ModelArchiveError) -> any FittedClassifier {
        try NetworkModel.checkShape(of: archive)
        let network: Network
        do {
            network = try self.network(height: archive.inputHeight, width: archive.inputWidth, classes: archive.classCount)
        } catch {
            throw ModelArchiveError(error.message)
        }
        return try NetworkModel(decoding: archive, network: network)
    }
}
