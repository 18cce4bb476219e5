import BenchCore

/// The hyperparameters every network classifier shares, with per-classifier defaults.
public enum NetworkHyperparameters {
    /// Epochs, batch size, Adam's settings, weight decay and augmentation.
    public static func training(epochs: Int, batchSize: Int, learningRate: Double, weightDecay: Double) -> [Hyperparameter] {
        [
            Hyperparameter("epochs", .integer(1 ... 1000), default: .integer(epochs), help: "passes over the training set"),
            Hyperparameter("batchSize", .integer(1 ... 8192), default: .integer(batchSize), help: "images per Adam step"),
            Hyperparameter("learningRate", .real(minimum: 0, inclusive: false, maximum: 10), default: .real(learningRate),
                           help: "Adam's step size"),
            Hyperparameter("beta1", .real(minimum: 0, inclusive: true, maximum: 0.999_999), default: .real(0.9),
                           help: "Adam's decay of the gradient's running mean"),
            Hyperparameter("beta2", .real(minimum: 0, inclusive: true, maximum: 0.999_999_9), default: .real(0.999),
                           help: "Adam's decay of the squared gradient's running mean"),
            Hyperparameter("weightDecay", .real(minimum: 0, inclusive: true, maximum: 1), default: .real(weightDecay),
                           help: "decoupled weight decay per step, times the learning rate"),
            Hyperparameter("augment", .boolean, default: .boolean(false),
                           help: "random shifts (≤ 2 px) and rotations (≤ 10°) of the training images"),
            Hyperparameter("schedule", .choice(LearningRateSchedule.allCases.map(\.rawValue)), default: .choice("cosine"),
                           help: "learning rate over training: constant, or cosine annealing to 0"),
        ]
    }

    /// The training settings read from `settings`.
    public static func trainingSettings(_ settings: HyperparameterSettings) -> TrainingSettings {
        TrainingSettings(epochs: settings.integer("epochs"), batchSize: settings.integer("batchSize"),
                         learningRate: Float(settings.real("learningRate")), beta1: Float(settings.real("beta1")),
                         beta2: Float(settings.real("beta2")), weightDecay: Float(settings.real("weightDecay")),
                         augment: settings.boolean("augment"),
                         schedule: LearningRateSchedule(rawValue: settings.choice("schedule")) ?? .constant)
    }
}

/// Fits `network` to `training` with `settings`: standardises the pixels with the training
/// set's mean and deviation, trains, and returns the model with its training diagnostics.
/// - Parameters:
///   - network: The untrained architecture, taking `training`'s images and classes.
///   - title: The classifier's title, for messages.
/// - Throws: ``FitError`` when there are no training images.
public func fitNetwork(_ network: Network, title: String, training: LabeledImages, settings: TrainingSettings,
                       seed: UInt64, context: ExecutionContext) throws(FitError) -> FitResult {
    guard training.count > 0 else { throw FitError("\(title): no training images") }
    let (mean, deviation) = meanAndDeviation(training.images)
    // Each sample is standardised as a batch is filled: no float copy of the training set
    // (188 MB for MNIST's, against 47 MB of bytes).
    let scale = 1 / deviation, images = training.images
    let read: @Sendable (Int, UnsafeMutablePointer<Float>) -> Void = { index, destination in
        images.copyFeatures(index ..< index + 1, into: destination, shift: mean, scale: scale)
    }
    context.report("\(network.parameterCount) parameters; \(settings.epochs) epochs of \(training.count) images, batches of \(settings.batchSize)\(settings.augment ? ", augmented" : "")")
    let (parameters, epochs) = train(network, count: training.count, read: read, labels: training.labels,
                                     imageShape: Shape(height: training.images.height, width: training.images.width, channels: 1),
                                     background: (0 - mean) / deviation, settings: settings, seed: seed, context: context)
    let model = NetworkModel(network: network, parameters: parameters, mean: mean, deviation: deviation,
                             inputHeight: training.images.height, inputWidth: training.images.width)
    return FitResult(model: model, diagnostics: Diagnostics(network: network, mean: mean, deviation: deviation, epochs: epochs))
}
