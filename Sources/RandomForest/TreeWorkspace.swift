import BenchCore

/// The scratch memory of growing one tree, allocated once per tree and reused by every node,
/// so that growing a node allocates nothing.
///
/// A bootstrap sample is stored as the distinct images drawn, with their multiplicities as
/// weights, not as duplicated rows: about 63% of the training set, each counted as often as it
/// was drawn (``NodeSamples``).
final class TreeWorkspace {
    /// The tree's samples.
    let samples: NodeSamples
    /// Distinct training images in the tree's sample.
    var sampleCount: Int { samples.count }

    let classCount: Int
    let featureCount: Int
    /// Candidate features, permuted as they are drawn; at a node with k known-constant
    /// features, `features[0 ..< k]` are those.
    let features: UnsafeMutablePointer<Int32>
    /// The known-constant features in the order they were found along the current path, so a
    /// node can restore `features[0 ..< k]` for its siblings and children after drawing.
    let constants: UnsafeMutablePointer<Int32>
    /// Scratch for marking constant features at a checkpoint: a copy of the candidates and a
    /// flag per candidate.
    let heldFeatures: UnsafeMutablePointer<Int32>
    let constantFlags: UnsafeMutablePointer<Bool>
    /// Per-class scratch: node totals, the sweep's left and right counts, the present classes.
    let totals: UnsafeMutablePointer<Int64>
    let left: UnsafeMutablePointer<Int64>
    let right: UnsafeMutablePointer<Int64>
    let present: UnsafeMutablePointer<Int32>
    /// Σ impurity decrease per feature over the tree's splits.
    let importances: UnsafeMutablePointer<Double>

    /// The samples of a tree: every training image with a nonzero multiplicity, weighted by it.
    /// - Parameters:
    ///   - trainingLabels: The class of every training image.
    ///   - multiplicities: How many times each training image was drawn (see ``bootstrap(count:generator:)``).
    init(trainingLabels: UnsafeBufferPointer<Int32>, multiplicities: [Int32], classCount: Int, featureCount: Int) {
        precondition(multiplicities.count == trainingLabels.count)
        let drawn = multiplicities.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        samples = NodeSamples(count: drawn)
        var next = 0
        for (row, count) in multiplicities.enumerated() where count > 0 {
            samples.rows[next] = Int32(row)
            samples.positions[next] = Int32(row)
            samples.labels[next] = trainingLabels[row]
            samples.weights[next] = count
            next += 1
        }
        self.classCount = classCount
        self.featureCount = featureCount
        features = .allocate(capacity: featureCount)
        for j in 0 ..< featureCount { features[j] = Int32(j) }
        constants = .allocate(capacity: featureCount)
        heldFeatures = .allocate(capacity: featureCount)
        constantFlags = .allocate(capacity: featureCount)
        totals = .allocate(capacity: classCount)
        left = .allocate(capacity: classCount)
        right = .allocate(capacity: classCount)
        present = .allocate(capacity: classCount)
        importances = .allocate(capacity: featureCount)
        importances.initialize(repeating: 0, count: featureCount)
    }

    deinit {
        samples.deallocate()
        features.deallocate()
        constants.deallocate()
        heldFeatures.deallocate()
        constantFlags.deallocate()
        totals.deallocate()
        left.deallocate()
        right.deallocate()
        present.deallocate()
        importances.deallocate()
    }

    /// The class totals of samples `start ..< end`.
    func statistics(_ start: Int, _ end: Int) -> NodeStatistics {
        var node = NodeStatistics(totals: totals, present: present)
        for c in 0 ..< classCount { totals[c] = 0 }
        let labels = samples.labels, weights = samples.weights
        for i in start ..< end { totals[Int(labels[i])] &+= Int64(weights[i]) }
        for c in 0 ..< classCount where totals[c] > 0 {
            present[node.presentCount] = Int32(c)
            node.presentCount += 1
            node.weight += totals[c]
            node.squares += totals[c] * totals[c]
        }
        node.rows = end - start
        return node
    }

    /// A bootstrap sample of `count` images as multiplicities: `count` draws with replacement
    /// (Efron, 1979), so about 1 − 1/e ≈ 63% of the images are drawn at least once.
    static func bootstrap(count: Int, generator: inout SplitMix64) -> [Int32] {
        var multiplicities = [Int32](repeating: 0, count: count)
        for _ in 0 ..< count { multiplicities[generator.nextInt(below: count)] += 1 }
        return multiplicities
    }
}
