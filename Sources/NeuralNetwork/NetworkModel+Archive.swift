import BenchCore

/// A network model in a ``ModelArchive``: the arrays below, and nothing of the architecture,
/// which the decoder rebuilds from the classifier's settings and the archive's input size
/// and class count.
///
/// | name | type | values |
/// |---|---|---|
/// | `parameters` | float32 | the flat parameter buffer, layer after layer (`network.parameterCount`) |
/// | `mean` | float32 | 1: the training pixels' mean |
/// | `deviation` | float32 | 1: the training pixels' standard deviation |
extension NetworkModel {
    /// The largest image side and class count a decoder builds a network for. Far beyond any
    /// image a network here is trained on, and small enough that no layer size overflows.
    public static let largestInputSide = 65_536
    public static let largestClassCount = 65_536

    public func encode(into archive: inout ModelArchive) {
        archive.put("parameters", floats: parameters)
        archive.put("mean", float: mean)
        archive.put("deviation", float: deviation)
    }

    /// Checks the archive's input size and class count before a network is built for them,
    /// so that no layer is asked for an impossible shape.
    /// - Throws: ``ModelArchiveError`` when a side is outside 1...``largestInputSide`` or the
    ///   class count outside 1...``largestClassCount``.
    public static func checkShape(of archive: ModelArchive) throws(ModelArchiveError) {
        for (what, value, limit) in [("input height", archive.inputHeight, largestInputSide),
                                     ("input width", archive.inputWidth, largestInputSide),
                                     ("class count", archive.classCount, largestClassCount)]
            where !(1 ... limit).contains(value) {
            throw ModelArchiveError("the \(what) is \(value); a network takes 1...\(limit)")
        }
    }

    /// The model `archive` holds for `network`, the architecture rebuilt from the settings,
    /// after checking every value: the shape (``checkShape(of:)``) against the network's, the
    /// parameter count against the network's, every
    /// parameter and the mean finite, the deviation finite and positive (a normal float, so
    /// its reciprocal is finite too).
    /// - Throws: ``ModelArchiveError`` naming the first problem found.
    public init(decoding archive: ModelArchive, network: Network) throws(ModelArchiveError) {
        try Self.checkShape(of: archive)
        guard archive.inputHeight * archive.inputWidth == network.inputCount else {
            throw ModelArchiveError("the network takes \(network.inputCount) pixels, not \(archive.inputHeight)×\(archive.inputWidth)")
        }
        guard archive.classCount == network.classCount else {
            throw ModelArchiveError("the network has \(network.classCount) classes, not \(archive.classCount)")
        }
        let parameters = try archive.floats("parameters", count: network.parameterCount)
        if let index = parameters.firstIndex(where: { !$0.isFinite }) {
            throw ModelArchiveError("the array 'parameters' holds \(parameters[index]) at index \(index); finite values expected")
        }
        let mean = try archive.float("mean")
        guard mean.isFinite else { throw ModelArchiveError("the array 'mean' holds \(mean); a finite value expected") }
        let deviation = try archive.float("deviation")
        guard deviation.isFinite, deviation >= Float.leastNormalMagnitude else {
            throw ModelArchiveError("the array 'deviation' holds \(deviation); a finite value of at least \(Float.leastNormalMagnitude) expected")
        }
        self.init(network: network, parameters: parameters, mean: mean, deviation: deviation,
                  inputHeight: archive.inputHeight, inputWidth: archive.inputWidth)
    }
}
