import BenchCore
import Foundation

extension Diagnostics {
    /// What a network's fit learned about itself, as plain values for the report layer: facts
    /// (layers, parameters, standardisation, time), the table `epochs` (one row per epoch:
    /// `epoch`, `loss`, `train_accuracy`, `seconds`) and the series `learning_curve` (training
    /// loss and training error per epoch).
    /// - Parameters:
    ///   - network: The trained architecture.
    ///   - mean: The standardisation's mean; `deviation` its deviation.
    ///   - epochs: What each epoch of training recorded, in order.
    init(network: Network, mean: Float, deviation: Float, epochs: [EpochRecord]) {
        self.init()
        fact("layers", network.layers.map { "\($0.name) (\($0.outputShape))" }.joined(separator: " → "))
        fact("parameters", "\(network.parameterCount) (\(network.parameterCount * 4) bytes as float32)")
        fact("standardisation", String(format: "(x − %.4f) / %.4f, from the training pixels", mean, deviation))
        let totalSeconds = epochs.reduce(0) { $0 + $1.seconds }
        fact("epochs", "\(epochs.count), \(String(format: "%.1f", totalSeconds)) s in all, "
                 + "\(String(format: "%.1f", totalSeconds / Double(max(epochs.count, 1)))) s per epoch")
        tables.append(DiagnosticTable(
            id: "epochs", title: "Training epochs",
            caption: "Loss and accuracy on each epoch's training images as they were seen (mid-training), and the epoch's time in seconds.",
            columns: ["epoch", "loss", "train_accuracy", "seconds"],
            rows: epochs.map { [.integer($0.epoch), .real($0.loss), .real($0.trainAccuracy), .real($0.seconds)] }))
        series.append(DiagnosticSeries(
            id: "learning_curve", title: "Learning curve",
            caption: "Training loss and training error (1 − accuracy) of the final model after each epoch, on the training images as they were seen.",
            xLabel: "epoch",
            lines: [DiagnosticSeries.Line(name: "training loss", values: epochs.map(\.loss)),
                    DiagnosticSeries.Line(name: "training error", values: epochs.map { 1 - $0.trainAccuracy })]))
    }
}
