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
        let (labels, probabilities) = network.predict(standardise(images.features.values, mean: mean, deviation: deviation),
                                                      count: images.count, parameters: parameters, threads: context.threads)
        guard let scores = ScoreMatrix(rows: images.count, classCount: classCount, values: probabilities) else {
            preconditionFailure("NetworkModel: \(probabilities.count) probabilities for \(images.count) images")
        }
        return Prediction(labels: labels, scores: scores)
    }
}

/// (x − mean) / deviation for every value.
public func standardise(_ values: [Float], mean: Float, deviation: Float) -> [Float] {
    let scale = 1 / deviation
    return values.map { ($0 - mean) * scale }
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
