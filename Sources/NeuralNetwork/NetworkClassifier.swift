import BenchCore

/// A classifier that is a ``Network``: what `bench profile` needs to build one and time its
/// layers without fitting it.
public protocol NetworkClassifier: Classifier {
    /// The untrained layers for `height × width` single-channel images and `classes` classes.
    func network(height: Int, width: Int, classes: Int) throws(FitError) -> Network
    /// How it is trained (epochs, batch size, ...).
    var training: TrainingSettings { get }
}
