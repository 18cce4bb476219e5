import BenchCore

/// How one tree is grown: the limits of ``RandomForest``'s settings, resolved for the data.
struct GrowthLimits: Sendable {
    /// Candidate features drawn per node (`mtry`).
    let maxFeatures: Int
    /// Nodes at this depth become leaves (`Int.max`: grow to purity).
    let maxDepth: Int
    /// Fewest distinct training images on each side of a split.
    let minSamplesLeaf: Int
    /// The first node on each path with at most this many images is a checkpoint: the search
    /// gets a node-local copy of its values (see ``ByteSplitSearch``), and every feature
    /// constant on it becomes known constant for its subtree.
    let checkpointSize: Int
}

/// A fitted tree and the impurity decrease of its splits per feature.
struct GrownTree: Sendable {
    let tree: DecisionTree
    /// Σ over the tree's splits on each feature of w·G(node) − w_L·G(left) − w_R·G(right),
    /// in weighted samples.
    let impurityDecrease: [Double]
    /// Distinct training images the tree was grown on.
    let sampleCount: Int
}

/// Grows one CART tree (Breiman, Friedman, Olshen and Stone, 1984) with the random-forest
/// twist of Breiman (2001): at every node only `maxFeatures` features, drawn at random, are
/// searched for the best Gini split. Nodes split until they are pure, have fewer than
/// `2 · minSamplesLeaf` images, reach `maxDepth`, or no drawn feature varies.
///
/// Nodes are grown depth first from an explicit stack; each owns a contiguous range of the
/// workspace's samples, partitioned in place when it splits, so a node's work is proportional
/// to its own samples and nothing is allocated per node.
///
/// Feature drawing follows scikit-learn's `BestSplitter`: features are drawn without
/// replacement; a feature found constant at a node is constant in all its descendants, so it
/// is remembered ("known constant") and skipped there without a pass over the samples.
/// Constant features count towards `maxFeatures`, but drawing goes on until at least one
/// drawn feature varies, or none is left. Where scikit-learn only learns that a feature is
/// constant by drawing it, this grower also looks at every feature once per path, at the
/// first node with at most `checkpointSize` images, where it is cheap; this changes which
/// features are swept, never the distribution of the draws.
struct TreeGrower<Search: SplitSearch> {
    let search: Search
    let workspace: TreeWorkspace
    let limits: GrowthLimits

    /// A node waiting on the stack.
    private struct Pending {
        let node: Int
        let start: Int
        let end: Int
        let depth: Int
        /// Features known to be constant here: `workspace.features[0 ..< knownConstants]`.
        let knownConstants: Int
        /// Whether the node is below a checkpoint (see ``GrowthLimits/checkpointSize``).
        let inBlock: Bool
    }

    /// Grows the tree on all the workspace's samples.
    /// - Complexity: about O(maxFeatures · Σ over nodes of their samples), i.e.
    ///   O(maxFeatures · n · depth) for n samples, plus O(256) per histogram sweep.
    func grow(generator: inout SplitMix64) -> GrownTree {
        let classCount = workspace.classCount
        var nodes: [TreeNode] = [.pending]
        var leafValues: [Float] = []
        var stack = [Pending(node: 0, start: 0, end: workspace.sampleCount, depth: 0, knownConstants: 0, inBlock: false)]
        var sweep = GiniSweep(left: workspace.left, right: workspace.right)
        var deepest = 0
        while let pending = stack.popLast() {
            let node = workspace.statistics(pending.start, pending.end)
            deepest = max(deepest, pending.depth)
            var best = SplitCandidate(placeholder: search.placeholder)
            var knownConstants = pending.knownConstants, inBlock = pending.inBlock
            if node.presentCount > 1 && node.rows >= 2 * limits.minSamplesLeaf && pending.depth < limits.maxDepth {
                if !inBlock && node.rows <= limits.checkpointSize {
                    search.enterBlock(pending.start, pending.end)
                    knownConstants = markConstantFeatures(pending.start, pending.end, known: knownConstants)
                    inBlock = true
                } else if !inBlock {
                    search.leaveBlock()
                }
                knownConstants = drawAndSweep(pending, knownConstants, node, &sweep, &best, &generator)
            }
            guard best.feature >= 0 else {
                // A leaf: its weighted class frequencies.
                nodes[pending.node] = TreeNode(leaf: leafValues.count / classCount)
                let weight = Double(node.weight)
                for c in 0 ..< classCount { leafValues.append(Float(Double(node.totals[c]) / weight)) }
                continue
            }
            workspace.importances[best.feature] += best.score - node.score
            let middle = search.partition(pending.start, pending.end, by: best)
            let (threshold, byteThreshold) = search.thresholds(of: best)
            let left = nodes.count
            nodes.append(.pending)
            nodes.append(.pending)
            nodes[pending.node] = TreeNode(feature: best.feature, threshold: threshold, byteThreshold: byteThreshold, left: left)
            // The left child is popped first.
            stack.append(Pending(node: left + 1, start: middle, end: pending.end, depth: pending.depth + 1,
                                 knownConstants: knownConstants, inBlock: inBlock))
            stack.append(Pending(node: left, start: pending.start, end: middle, depth: pending.depth + 1,
                                 knownConstants: knownConstants, inBlock: inBlock))
        }
        let importances = Array(UnsafeBufferPointer(start: workspace.importances, count: workspace.featureCount))
        return GrownTree(tree: DecisionTree(nodes: nodes, leafValues: leafValues, classCount: classCount, depth: deepest),
                         impurityDecrease: importances, sampleCount: workspace.sampleCount)
    }

    /// Draws candidate features for one node and sweeps each into `best`.
    ///
    /// `features` is laid out as [drawn known constants | undrawn known constants | constants
    /// found here | undrawn | drawn and varying]; each draw is uniform over the undrawn ones.
    /// - Returns: The number of features known to be constant in the node's children.
    private func drawAndSweep(_ pending: Pending, _ known: Int, _ node: NodeStatistics, _ sweep: inout GiniSweep,
                              _ best: inout SplitCandidate<Search.Value>, _ generator: inout SplitMix64) -> Int {
        let features = workspace.features, constants = workspace.constants
        var unvisited = workspace.featureCount  // features[unvisited...] were drawn and vary
        var drawnConstants = 0, foundConstants = 0, totalConstants = known
        var visited = 0
        while unvisited > totalConstants
            && (visited < limits.maxFeatures || visited <= foundConstants + drawnConstants) {
            visited += 1
            var j = drawnConstants + generator.nextInt(below: unvisited - foundConstants - drawnConstants)
            if j < known {
                // A known constant: counts as drawn, costs nothing.
                features.swapAt(drawnConstants, j)
                drawnConstants += 1
                continue
            }
            j += foundConstants
            let feature = Int(features[j])
            if !search.sweep(feature: feature, pending.start, pending.end, node: node, sweep: &sweep,
                             best: &best, minSamplesLeaf: limits.minSamplesLeaf) {
                features.swapAt(j, totalConstants)
                foundConstants += 1
                totalConstants += 1
                continue
            }
            unvisited -= 1
            features.swapAt(unvisited, j)
        }
        // Restore the known constants' order (drawing permuted them), which siblings and
        // children rely on, and record the ones found here for the children.
        features.update(from: constants, count: known)
        (constants + known).update(from: features + known, count: foundConstants)
        return totalConstants
    }

    /// Moves the features constant on samples `start ..< end` to the front of the unknown
    /// ones (both groups keep their order) and records them as known constants.
    /// - Returns: The number of known constants for the node and its subtree.
    private func markConstantFeatures(_ start: Int, _ end: Int, known: Int) -> Int {
        let features = workspace.features, constants = workspace.constants, held = workspace.heldFeatures
        let flags = workspace.constantFlags, count = workspace.featureCount - known
        search.findConstantFeatures(start, end, features: features + known, count: count, into: flags)
        held.update(from: features + known, count: count)
        var next = known
        for k in 0 ..< count where flags[k] {
            features[next] = held[k]
            next += 1
        }
        let total = next
        for k in 0 ..< count where !flags[k] {
            features[next] = held[k]
            next += 1
        }
        (constants + known).update(from: features + known, count: total - known)
        return total
    }
}

extension UnsafeMutablePointer {
    @inline(__always)
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let held = self[i]
        self[i] = self[j]
        self[j] = held
    }
}
