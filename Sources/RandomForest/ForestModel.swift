import BenchCore
import Foundation

/// A fitted random forest: its trees in flat storage and the pixels' importances.
public struct ForestModel: FittedClassifier {
    /// The trees, in the order of their random streams.
    public let trees: [DecisionTree]
    public let classCount: Int
    /// Image shape of the training data (the importances' map).
    public let height: Int
    public let width: Int
    /// Whether the trees were grown on pixel bytes (their byte thresholds are then valid).
    public let fittedOnBytes: Bool
    /// Candidate features drawn per split.
    public let maxFeatures: Int
    /// Mean decrease in impurity per pixel, normalised to sum 1 (all zero if no tree split).
    public let importances: FeatureImportances
    /// Distinct training images each tree was grown on.
    public let treeSampleCounts: [Int]

    /// Images predicted per work item.
    static let predictionBlock = 256

    init(grown: [GrownTree], height: Int, width: Int, fittedOnBytes: Bool, maxFeatures: Int) {
        trees = grown.map(\.tree)
        classCount = grown.first?.tree.classCount ?? 0
        self.height = height
        self.width = width
        self.fittedOnBytes = fittedOnBytes
        self.maxFeatures = maxFeatures
        importances = FeatureImportances(perTree: grown.map(\.impurityDecrease), height: height, width: width)
        treeSampleCounts = grown.map(\.sampleCount)
    }

    /// The predicted class of every image: the largest mean leaf distribution, the lower class
    /// on a tie.
    public func predict(_ images: ImageSet, context: ExecutionContext) -> [Int] {
        let sums = distributionSums(images, context: context)
        return (0 ..< images.count).map { image in
            var bestClass = 0
            for c in 1 ..< max(classCount, 1) where sums[image * classCount + c] > sums[image * classCount + bestClass] {
                bestClass = c
            }
            return bestClass
        }
    }

    /// Class probabilities, `images.count × classCount` row-major: the mean over trees of the
    /// distribution of the leaf each image reaches.
    public func probabilities(_ images: ImageSet, context: ExecutionContext) -> [Float] {
        let scale = 1 / Float(trees.count)
        return distributionSums(images, context: context).map { $0 * scale }
    }

    /// Σ over trees of each image's leaf distribution. Blocks of images run in parallel; within
    /// a block, trees are added in order, so the sums do not depend on threads.
    /// - Complexity: O(images · trees · depth + images · trees · classes).
    func distributionSums(_ images: ImageSet, context: ExecutionContext) -> [Float] {
        precondition(images.pixelCount == height * width,
                     "forest: the model has \(height * width) features, the images have \(images.pixelCount)")
        let count = images.count, classes = classCount, features = images.pixelCount
        let blocks = (count + ForestModel.predictionBlock - 1) / ForestModel.predictionBlock
        let trees = self.trees
        let useBytes = fittedOnBytes && images.bytes != nil
        let perBlock = parallelMap(blocks, threads: context.threads) { block -> [Float] in
            let first = block * ForestModel.predictionBlock, size = min(ForestModel.predictionBlock, count - first)
            var sums = [Float](repeating: 0, count: size * classes)
            sums.withUnsafeMutableBufferPointer { sums in
                /// Adds every tree's leaf distribution for the block's images, trees in order.
                func accumulate(_ leafOf: (UnsafeBufferPointer<TreeNode>, Int) -> Int) {
                    for tree in trees {
                        tree.nodes.withUnsafeBufferPointer { nodes in
                            tree.leafValues.withUnsafeBufferPointer { leaves in
                                for i in 0 ..< size {
                                    let distribution = leaves.baseAddress! + leafOf(nodes, first + i) * classes
                                    let row = sums.baseAddress! + i * classes
                                    for c in 0 ..< classes { row[c] += distribution[c] }
                                }
                            }
                        }
                    }
                }
                if useBytes, let bytes = images.bytes {
                    bytes.withUnsafeBufferPointer { pixels in
                        accumulate { nodes, image in nodes.leaf(bytes: pixels.baseAddress! + image * features) }
                    }
                } else {
                    images.features.values.withUnsafeBufferPointer { values in
                        accumulate { nodes, image in nodes.leaf(floats: values.baseAddress! + image * features) }
                    }
                }
            }
            return sums
        }
        return perBlock.flatMap { $0 }
    }

    /// Total nodes over all trees.
    public var nodeCount: Int { trees.reduce(0) { $0 + $1.nodes.count } }
    /// Total leaves over all trees.
    public var leafCount: Int { trees.reduce(0) { $0 + $1.leafCount } }
    /// Mean over trees of the deepest leaf's depth.
    public var meanDepth: Double { Double(trees.reduce(0) { $0 + $1.depth }) / Double(max(trees.count, 1)) }
    /// Bytes of the flat storage: nodes plus leaf distributions, over all trees.
    public var byteCount: Int { trees.reduce(0) { $0 + $1.byteCount } }

    public var report: ModelReport {
        let nodes = nodeCount, leaves = leafCount
        let leafBytes = leaves * classCount * MemoryLayout<Float>.stride
        let meanSample = Double(treeSampleCounts.reduce(0, +)) / Double(max(treeSampleCounts.count, 1))
        let facts: [(name: String, value: String)] = [
            ("trees", String(trees.count)),
            ("candidate features per split", "\(maxFeatures) of \(height * width)"),
            ("split search", fittedOnBytes
                ? "pixel bytes: nonzero values through 255-bin class histograms (sorted when at most \(ByteSplitSearch.defaultSortLimit))"
                : "sorting float features"),
            ("distinct training images per tree", String(format: "%.0f (mean)", meanSample)),
            ("nodes", "\(nodes) (\(leaves) leaves; \(nodes / max(trees.count, 1)) per tree)"),
            ("depth", String(format: "%.1f mean, %d max", meanDepth, trees.map(\.depth).max() ?? 0)),
            ("model size", "\(byteCount) bytes (\(nodes) nodes × \(MemoryLayout<TreeNode>.stride) B + \(leaves) leaves × \(classCount) float32 = \(leafBytes) B)"),
        ]
        return ModelReport(facts: facts,
                           sections: [("Feature importances", importances.markdown(fileName: "importances.svg"))],
                           files: [("importances.csv", importances.csv), ("importances.svg", importances.svg)])
    }
}
