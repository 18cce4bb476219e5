import BenchCore
import Evaluation
import Foundation

/// A trained network with the standardisation it was trained with.
public struct NetworkModel: FittedClassifier {
    public let network: Network
    public let parameters: [Float]
    /// Pixels are standardised as (x − mean) / deviation, with the training set's figures.
    public let mean: Float
    public let deviation: Float
    public let epochs: [EpochRecord]
    public let title: String

    public init(network: Network, parameters: [Float], mean: Float, deviation: Float, epochs: [EpochRecord], title: String) {
        self.network = network
        self.parameters = parameters
        self.mean = mean
        self.deviation = deviation
        self.epochs = epochs
        self.title = title
    }

    public func predict(_ images: ImageSet, context: ExecutionContext) -> [Int] {
        precondition(images.pixelCount == network.inputCount, "network takes \(network.inputCount) pixels, images have \(images.pixelCount)")
        return network.predict(standardise(images.features.values, mean: mean, deviation: deviation), count: images.count,
                               parameters: parameters, threads: context.threads)
    }

    public var report: ModelReport {
        let layers = network.layers.map { "\($0.name) (\($0.outputShape))" }.joined(separator: " → ")
        let epochsCSV = CSVTable(header: ["epoch", "loss", "train_accuracy", "seconds"],
                                 rows: epochs.map { [String($0.epoch), String(format: "%.5f", $0.loss), String(format: "%.5f", $0.trainAccuracy),
                                                     String(format: "%.2f", $0.seconds)] })
        var chart = SVGLineChart(title: "\(title): learning curve of the final model", xLabel: "epoch")
        chart.series = [("training loss", epochs.map { Double($0.loss) }), ("training error", epochs.map { 1 - $0.trainAccuracy })]
        let table = markdownTable(header: ["epoch", "loss", "training accuracy", "seconds"],
                                  rows: epochs.map { [String($0.epoch), String(format: "%.4f", $0.loss), percent($0.trainAccuracy), String(format: "%.1f", $0.seconds)] })
        let totalSeconds = epochs.reduce(0) { $0 + $1.seconds }
        return ModelReport(
            facts: [("layers", layers),
                    ("parameters", "\(network.parameterCount) (\(network.parameterCount * 4) bytes as float32)"),
                    ("standardisation", String(format: "(x − %.4f) / %.4f, from the training pixels", mean, deviation)),
                    ("epochs", "\(epochs.count), \(String(format: "%.1f", totalSeconds)) s in all, \(String(format: "%.1f", totalSeconds / Double(max(epochs.count, 1)))) s per epoch")],
            sections: [("Learning curve", "Loss and accuracy on each epoch's training images as they were seen (`epochs.csv`).\n\n" + table + "\n![Learning curve](learning_curve.svg)\n")],
            files: [("epochs.csv", epochsCSV.text), ("learning_curve.svg", chart.svg)])
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
