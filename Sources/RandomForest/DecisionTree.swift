/// One node of a ``DecisionTree``: a split `x[feature] <= threshold` or a leaf.
///
/// 16 bytes. Children of a split are stored next to each other (`child` and `child + 1`), so a
/// node needs one index; a leaf uses the same field for its row in the tree's leaf buffer.
public struct TreeNode: Sendable, Equatable {
    /// The feature tested, or -1 for a leaf.
    public let feature: Int32
    /// Go left when `x[feature] <= threshold` (features as floats).
    public let threshold: Float
    /// For a split, the left child (the right child is `child + 1`); for a leaf, its index in
    /// the tree's leaf distributions.
    public let child: Int32
    /// Go left when `byte <= byteThreshold`, for models fitted on byte pixels: the same
    /// partition as `threshold` on `Float(byte) / 255`. Zero for models fitted on floats.
    public let byteThreshold: UInt8

    /// A split node.
    init(feature: Int, threshold: Float, byteThreshold: UInt8, left: Int) {
        self.feature = Int32(feature)
        self.threshold = threshold
        self.child = Int32(left)
        self.byteThreshold = byteThreshold
    }

    /// A node with the given fields, as stored in a model archive.
    init(feature: Int32, threshold: Float, child: Int32, byteThreshold: UInt8) {
        self.feature = feature
        self.threshold = threshold
        self.child = child
        self.byteThreshold = byteThreshold
    }

    /// A leaf whose class distribution is row `leaf` of the leaf buffer.
    init(leaf: Int) {
        feature = -1
        threshold = 0
        child = Int32(leaf)
        byteThreshold = 0
    }

    /// Whether this node is a leaf.
    public var isLeaf: Bool { feature < 0 }

    /// A placeholder for a node not yet grown.
    static let pending = TreeNode(leaf: -1)
}

/// A fitted CART tree in flat storage: an array of ``TreeNode``s (the root first) and a separate
/// buffer of leaf class distributions, `classCount` floats per leaf.
public struct DecisionTree: Sendable, Equatable {
    /// Every node, root at index 0.
    public let nodes: [TreeNode]
    /// `leafCount × classCount` class frequencies (weighted by bootstrap multiplicity), each
    /// row summing to 1.
    public let leafValues: [Float]
    /// Classes per leaf row.
    public let classCount: Int
    /// Depth of the deepest leaf (the root alone has depth 0).
    public let depth: Int

    /// Number of leaves.
    public var leafCount: Int { leafValues.count / classCount }

    /// The class distribution of leaf `leaf`.
    public func distribution(ofLeaf leaf: Int) -> ArraySlice<Float> {
        leafValues[leaf * classCount ..< (leaf + 1) * classCount]
    }

    /// Bytes of storage: the nodes plus the leaf distributions.
    public var byteCount: Int {
        nodes.count * MemoryLayout<TreeNode>.stride + leafValues.count * MemoryLayout<Float>.stride
    }
}

extension UnsafeBufferPointer where Element == TreeNode {
    /// The leaf reached by one image given as bytes (`row` points at its first pixel).
    @inline(__always)
    func leaf(bytes row: UnsafePointer<UInt8>) -> Int {
        var index = 0
        while true {
            let node = self[index]
            if node.feature < 0 { return Int(node.child) }
            index = Int(node.child) &+ (row[Int(node.feature)] <= node.byteThreshold ? 0 : 1)
        }
    }

    /// The leaf reached by one image given as floats.
    @inline(__always)
    func leaf(floats row: UnsafePointer<Float>) -> Int {
        var index = 0
        while true {
            let node = self[index]
            if node.feature < 0 { return Int(node.child) }
            index = Int(node.child) &+ (row[Int(node.feature)] <= node.threshold ? 0 : 1)
        }
    }
}
