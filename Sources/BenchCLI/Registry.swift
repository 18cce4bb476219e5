import BenchCore
import ConvolutionalNetwork
import KernelSVM
import KNearestNeighbors
import MultilayerPerceptron
import RandomForest
import SoftmaxRegression

/// Every classifier the tool knows, in the order `--all` runs them and `--list` shows them.
/// Adding a classifier is adding its module to Package.swift and its type here.
public let registeredClassifiers: [any Classifier.Type] = [
    SoftmaxRegression.self,
    KNearestNeighbors.self,
    RandomForest.self,
    KernelSVM.self,
    MLP.self,
    ConvNet.self,
]

/// The classifier called `name`, if any.
func classifier(named name: String) -> (any Classifier.Type)? {
    registeredClassifiers.first { $0.name == name }
}
