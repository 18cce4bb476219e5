import BenchCore

/// A trained network: its layers, its parameters and the standardisation it was trained
/// with; nothing else (the fit's epochs are in its ``FitResult/diagnostics``).
public struct NetworkModel: FittedClassifier {
    public let network: Network
    /// The network's flat parameter buffer (`network.parameterCount` floats).
    public let parameters: [Float]
    /// Pixels are standardised as (x − mean) / deviation, with the training set's figures.
    public let mean: Float
    public let deviation: Float
    public let inputHeight: Int
    public let inputWidth: Int
    public var classCount: Int { network.classCount }

    /// - Precondition: `network` takes `inputHeight × inputWidth` pixels and `parameters` fills it.
    public init(network: Network, parameters: [Float], mean: Float, deviation: Float, inputHeight: Int, inputWidth: Int) {
        precondition(network.inputCount == inputHeight * inputWidth, "NetworkModel: the network does not take \(inputHeight)×\(inputWidth) images")
        precondition(parameters.count == network.parameterCount, "NetworkModel: \(parameters.count) parameters for \(network.parameterCount)")
        self.network = network
        self.parameters = parameters
        self.mean = mean
        self.deviation = deviation
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
    }

    /// The class of the largest output score (ties to the lower class) and, as scores, the
    /// softmax probabilities of the output scores, from one forward pass.
    public func classify(_ images: ImageSet, context: ExecutionContext) -> Prediction {
        // Each chunk is standardised as it is read: no float copy of the whole set.
        let (mean, scale) = (self.mean, 1 / deviation)
        let (labels, probabilities) = network.predict(count: images.count, parameters: parameters, threads: context.threads) { range, destination in
            images.copyFeatures(range, into: destination, shift: mean, scale: scale)
        }
        guard let scores = ScoreMatrix(rows: images.count, classCount: classCount, values: probabilities) else {
            preconditionFailure("NetworkModel: \(probabilities.count) probabilities for \(images.count) images")
        }
        return Prediction(labels: labels, scores: scores)
    }
}

/// Mean and standard deviation of every pixel's feature value (in double precision), read
/// from the images' stored form: the same figures as for `images.features.values`.
public func meanAndDeviation(_ images: ImageSet) -> (Float, Float) {
    guard let bytes = images.bytes else { return meanAndDeviation(images.features.values) }
    // Each value v = b / 255 enters as the same Double it would from the float copy.
    var sum = 0.0, squares = 0.0
    for b in bytes {
        let v = Double(Float(b) / 255)
        sum += v
        squares += v * v
    }
    let mean = sum / Double(max(bytes.count, 1))
    let variance = max(squares / Double(max(bytes.count, 1)) - mean * mean, 1e-12)
    return (Float(mean), Float(variance.squareRoot()))
}

/// Mean and standard deviation of all values (in double precision).
public func meanAndDeviation(_ values: [Float]) -> (Float, Float) {
    var sum = 0.0, squares = 0.0
    for v in values {
        sum += Double(v)
        squares += Double(v) * Double(v)
    }
    let mean = sum / Double(max(values.count, 1))
    let variance = max(squares / Double(max(values.count, 1)) - mean * mean, 1e-12)
    return (Float(mean), Float(variance.squareRoot()))
}
