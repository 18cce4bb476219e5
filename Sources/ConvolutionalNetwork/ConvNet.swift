import BenchCore
import NeuralNetwork

/// A small convolutional network in the LeNet tradition (LeCun, Bottou, Bengio and Haffner,
/// "Gradient-based learning applied to document recognition", Proc. IEEE 86(11), 1998),
/// with ReLU, max pooling and Adam as in current practice. Default architecture (the
/// project brief's, and the PyTorch twin's): conv 32@3×3 → ReLU → max-pool 2×2 → conv 64@3×3
/// → ReLU → max-pool 2×2 → dense 128 → ReLU → dense 10, softmax cross-entropy. The input
/// size is read from the data.
public struct ConvNet: Classifier {
    public static let name = "cnn"
    public static let title = "Convolutional network"
    public static let hyperparameters: [Hyperparameter] = [
        Hyperparameter("filters1", .integer(1 ... 1024), default: .integer(32), help: "filters of the first 3×3 convolution"),
        Hyperparameter("filters2", .integer(1 ... 1024), default: .integer(64), help: "filters of the second 3×3 convolution"),
        Hyperparameter("hidden", .integer(1 ... 65_536), default: .integer(128), help: "units of the hidden dense layer"),
    ] + NetworkHyperparameters.training(epochs: 3, batchSize: 128, learningRate: 1e-3, weightDecay: 0)

    public let settings: HyperparameterSettings

    public init(settings: HyperparameterSettings = ConvNet.defaultSettings) {
        self.settings = settings
    }

    /// The layers for `height × width` single-channel images and `classes` classes.
    /// - Throws: When the images are too small for two convolutions and two poolings.
    public func network(height: Int, width: Int, classes: Int) throws -> Network {
        // conv (−2), pool (÷2), conv (−2), pool (÷2) must leave at least one pixel.
        guard ((height - 2) / 2 - 2) / 2 >= 1, ((width - 2) / 2 - 2) / 2 >= 1 else {
            throw FitError("cnn: \(height)×\(width) images are too small for the architecture (at least 10×10)")
        }
        let conv1 = Conv2D(input: Shape(height: height, width: width, channels: 1), filters: settings.integer("filters1"))
        let pool1 = MaxPool2D(conv1.outputShape)
        let conv2 = Conv2D(input: pool1.outputShape, filters: settings.integer("filters2"))
        let pool2 = MaxPool2D(conv2.outputShape)
        let hidden = Dense(inputs: pool2.outputShape, outputs: settings.integer("hidden"))
        let output = Dense(inputs: hidden.outputShape, outputs: classes)
        return Network([conv1, ReLU(conv1.outputShape), pool1, conv2, ReLU(conv2.outputShape), pool2,
                        hidden, ReLU(hidden.outputShape), output])
    }

    public func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> any FittedClassifier {
        let network = try network(height: training.images.height, width: training.images.width, classes: training.classCount)
        return try fitNetwork(network, title: Self.title, training: training, settings: NetworkHyperparameters.trainingSettings(settings),
                              seed: seed, context: context)
    }
}
