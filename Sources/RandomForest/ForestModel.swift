import BenchCore

/// A fitted random forest: its trees in flat storage, and nothing else.
///
/// The scores of an image are the forest's soft vote: the mean over the trees of the class
/// distribution of the leaf the image reaches, so each row sums to 1 up to rounding. The label
/// is the class with the largest sum of those distributions, the lower class on a tie.
public struct ForestModel: FittedClassifier {
    /// The trees, in the order of their random streams.
    public let trees: [DecisionTree]
    public let classCount: Int
    /// Image shape of the training data.
    public let inputHeight: Int
    public let inputWidth: Int
    /// Whether the trees were grown on pixel bytes (their byte thresholds are then valid).
    public let fittedOnBytes: Bool
    /// Candidate features drawn per split.
    public let maxFeatures: Int

    /// Images predicted per work item.
    static let predictionBlock = 256

    /// A forest of `trees`, each with `classCount` values per leaf.
    init(trees: [DecisionTree], classCount: Int, inputHeight: Int, inputWidth: Int, fittedOnBytes: Bool, maxFeatures: Int) {
        self.trees = trees
        self.classCount = classCount
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.fittedOnBytes = fittedOnBytes
        self.maxFeatures = maxFeatures
    }

    /// The predicted class of every image (the largest sum of leaf distributions, the lower
    /// class on a tie) and its scores (the mean over trees of those distributions).
    public func classify(_ images: ImageSet, context: ExecutionContext) -> Prediction {
        let sums = distributionSums(images, context: context)
        let labels = (0 ..< images.count).map { image in
            var bestClass = 0
            for c in 1 ..< max(classCount, 1) where sums[image * classCount + c] > sums[image * classCount + bestClass] {
                bestClass = c
            }
            return bestClass
        }
        let scale = 1 / Float(trees.count)
        let scores = ScoreMatrix(rows: images.count, classCount: classCount, values: sums.map { $0 * scale })
        return Prediction(labels: labels, scores: scores ?? ScoreMatrix(empty: classCount))
    }

    /// Σ over trees of each image's leaf distribution, `images.count × classCount` row-major.
    /// Blocks of images run in parallel; within a block, trees are added in order, so the sums
    /// do not depend on threads.
    /// - Complexity: O(images · trees · depth + images · trees · classes).
    func distributionSums(_ images: ImageSet, context: ExecutionContext) -> [Float] {
        precondition(images.pixelCount == inputHeight * inputWidth,
                     "forest: the model has \(inputHeight * inputWidth) features, the images have \(images.pixelCount)")
        let count = images.count, classes = classCount, features = images.pixelCount
        let blocks = (count + ForestModel.predictionBlock - 1) / ForestModel.predictionBlock
        let trees = self.trees
        let useBytes = fittedOnBytes && images.bytes != nil
        // Made from bytes when read (ImageSet.features): once, not per block.
        let floats = useBytes ? [] : images.features.values
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
                    floats.withUnsafeBufferPointer { values in
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
}
