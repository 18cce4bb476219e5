/// How a tree grower finds a node's best split on one candidate feature, and partitions the
/// node once a split is chosen. Two implementations: ``ByteSplitSearch`` (pixel bytes: sorted
/// or histogrammed nonzero values) and ``FloatSplitSearch`` (any real features, sorting). On
/// byte data both choose the same split, threshold and partition (see ``BestSplit``).
protocol SplitSearch: AnyObject {
    /// A feature value: `UInt8` or `Float`.
    associatedtype Value: SplitValue

    /// Any value, to initialise an empty ``SplitCandidate``.
    var placeholder: Value { get }

    /// Makes the node with samples `start ..< end` and its whole subtree read from a
    /// node-local copy of its samples' values, if the search keeps one (depth-first growth
    /// finishes the subtree before it reaches any node outside it).
    func enterBlock(_ start: Int, _ end: Int)

    /// Makes the next node read from the values of the whole training set.
    func leaveBlock()

    /// Sets `constant[k]` to whether `features[k]` has one value on samples `start ..< end`,
    /// for `k` in `0 ..< count`. Called right after ``enterBlock(_:_:)``.
    func findConstantFeatures(_ start: Int, _ end: Int, features: UnsafePointer<Int32>, count: Int,
                              into constant: UnsafeMutablePointer<Bool>)

    /// Sweeps `feature` over samples `start ..< end`, offering every split between two
    /// consecutive distinct values to `best`, in increasing or decreasing order of threshold
    /// (``SplitCandidate/consider(_:feature:leftValue:rightValue:minSamplesLeaf:descending:)``
    /// breaks ties the same way for both).
    /// - Returns: `false` if the feature is constant on these samples (no split exists).
    func sweep(feature: Int, _ start: Int, _ end: Int, node: NodeStatistics, sweep: inout GiniSweep,
               best: inout SplitCandidate<Value>, minSamplesLeaf: Int) -> Bool

    /// Reorders samples `start ..< end` so that those going left under `best` come first.
    /// - Returns: The index where the right child's samples begin.
    func partition(_ start: Int, _ end: Int, by best: SplitCandidate<Value>) -> Int

    /// The stored thresholds of `best` (float, and byte when the data are bytes).
    func thresholds(of best: SplitCandidate<Value>) -> (threshold: Float, byteThreshold: UInt8)
}
