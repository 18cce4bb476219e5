import BenchCore

/// A forest in a model archive: every tree's nodes concatenated as four parallel arrays, the
/// trees' leaf distributions concatenated, and per tree its node count, leaf count and depth.
///
/// | name | type | values |
/// |---|---|---|
/// | `nodeFeatures` | int32 | Σ nodes: the pixel a split tests, −1 for a leaf |
/// | `nodeThresholds` | float32 | Σ nodes: go left when `pixel <= threshold` (0–1 units); 0 for a leaf |
/// | `nodeChildren` | int32 | Σ nodes: a split's left child in its tree (the right one follows); a leaf's row |
/// | `nodeByteThresholds` | uint8 | Σ nodes: go left when `byte <= byteThreshold` (forests grown on bytes) |
/// | `treeNodeCounts` | int64 | trees: nodes of each tree, root first |
/// | `leafValues` | float32 | Σ leaves × classes: each leaf's class distribution |
/// | `treeLeafCounts` | int64 | trees: leaves of each tree |
/// | `treeDepths` | int64 | trees: depth of each tree's deepest leaf |
/// | `fittedOnBytes` | int64 | 1 if the trees were grown on pixel bytes, else 0 |
/// | `maxFeatures` | int64 | candidate features drawn per split |
extension ForestModel {
    public func encode(into archive: inout ModelArchive) {
        let nodes = trees.flatMap(\.nodes)
        archive.put("nodeFeatures", int32s: nodes.map(\.feature))
        archive.put("nodeThresholds", floats: nodes.map(\.threshold))
        archive.put("nodeChildren", int32s: nodes.map(\.child))
        archive.put("nodeByteThresholds", bytes: nodes.map(\.byteThreshold))
        archive.put("treeNodeCounts", integers: trees.map(\.nodes.count))
        archive.put("leafValues", floats: trees.flatMap(\.leafValues))
        archive.put("treeLeafCounts", integers: trees.map(\.leafCount))
        archive.put("treeDepths", integers: trees.map(\.depth))
        archive.put("fittedOnBytes", integer: fittedOnBytes ? 1 : 0)
        archive.put("maxFeatures", integer: maxFeatures)
    }

    /// The forest `archive` holds, checked so that prediction can never read outside an array
    /// or loop: every split tests a pixel of the image and points at two children inside its
    /// tree that come after it, every leaf points at a row of its tree's distributions, and
    /// every number is finite.
    /// - Throws: ``ModelArchiveError`` naming the array, tree and node at fault.
    init(decoding archive: ModelArchive) throws(ModelArchiveError) {
        let classCount = archive.classCount
        let pixels = try archive.checkedPixelCount(model: "a forest")
        let largestCount = Int(Int32.max)
        let nodeCounts = try archive.integers("treeNodeCounts", in: 1 ... largestCount)
        guard !nodeCounts.isEmpty else { throw ModelArchiveError("the array 'treeNodeCounts' is empty: a forest has at least one tree") }
        let treeCount = nodeCounts.count
        let leafCounts = try archive.integers("treeLeafCounts", count: treeCount, in: 1 ... largestCount)
        let depths = try archive.integers("treeDepths", count: treeCount, in: 0 ... largestCount)
        let totalNodes = try checkedSum(nodeCounts, "treeNodeCounts")
        let (leafValueCount, leafOverflow) = try checkedSum(leafCounts, "treeLeafCounts").multipliedReportingOverflow(by: classCount)
        guard !leafOverflow else { throw ModelArchiveError("the array 'treeLeafCounts' sums to more leaf values than can exist") }

        let features = try archive.int32s("nodeFeatures", count: totalNodes)
        let thresholds = try archive.floats("nodeThresholds", count: totalNodes)
        let children = try archive.int32s("nodeChildren", count: totalNodes)
        let byteThresholds = try archive.bytes("nodeByteThresholds", count: totalNodes)
        let leafValues = try archive.floats("leafValues", count: leafValueCount)
        if let bad = thresholds.firstIndex(where: { !$0.isFinite }) {
            throw ModelArchiveError("the array 'nodeThresholds' holds \(thresholds[bad]) at \(bad); thresholds must be finite")
        }
        if let bad = leafValues.firstIndex(where: { !$0.isFinite }) {
            throw ModelArchiveError("the array 'leafValues' holds \(leafValues[bad]) at \(bad); leaf values must be finite")
        }
        let fittedOnBytes = try archive.integer("fittedOnBytes", in: 0 ... 1) == 1
        let maxFeatures = try archive.integer("maxFeatures", in: 1 ... pixels)

        var trees: [DecisionTree] = []
        trees.reserveCapacity(treeCount)
        var firstNode = 0, firstLeaf = 0
        for t in 0 ..< treeCount {
            let count = nodeCounts[t], leaves = leafCounts[t]
            guard leaves <= count else {
                throw ModelArchiveError("tree \(t) has \(leaves) leaves but only \(count) nodes")
            }
            guard depths[t] < count else {
                throw ModelArchiveError("tree \(t) has depth \(depths[t]) but only \(count) nodes")
            }
            var nodes: [TreeNode] = []
            nodes.reserveCapacity(count)
            for i in 0 ..< count {
                let k = firstNode + i
                let feature = Int(features[k]), child = Int(children[k])
                if feature == -1 {
                    guard child >= 0 && child < leaves else {
                        throw ModelArchiveError("tree \(t), node \(i): a leaf points at row \(child) of the tree's \(leaves) leaf distributions")
                    }
                } else {
                    guard feature >= 0 && feature < pixels else {
                        throw ModelArchiveError("tree \(t), node \(i): feature \(feature) is neither a pixel (0..<\(pixels)) nor -1 (a leaf)")
                    }
                    // Children after their parent: every step of a descent goes forwards, so it ends.
                    guard child > i && child + 1 < count else {
                        throw ModelArchiveError("tree \(t), node \(i): children \(child) and \(child + 1) must come after the node "
                                                + "and inside the tree's \(count) nodes")
                    }
                }
                nodes.append(TreeNode(feature: features[k], threshold: thresholds[k], child: children[k],
                                      byteThreshold: byteThresholds[k]))
            }
            let values = Array(leafValues[firstLeaf * classCount ..< (firstLeaf + leaves) * classCount])
            trees.append(DecisionTree(nodes: nodes, leafValues: values, classCount: classCount, depth: depths[t]))
            firstNode += count
            firstLeaf += leaves
        }
        self.init(trees: trees, classCount: classCount, inputHeight: archive.inputHeight, inputWidth: archive.inputWidth,
                  fittedOnBytes: fittedOnBytes, maxFeatures: maxFeatures)
    }
}

/// The sum of nonnegative counts read from the array `name`.
/// - Throws: ``ModelArchiveError`` if the sum overflows.
private func checkedSum(_ counts: [Int], _ name: String) throws(ModelArchiveError) -> Int {
    var total = 0
    for count in counts {
        let (sum, overflow) = total.addingReportingOverflow(count)
        guard !overflow else { throw ModelArchiveError("the array '\(name)' sums to more than can exist") }
        total = sum
    }
    return total
}
