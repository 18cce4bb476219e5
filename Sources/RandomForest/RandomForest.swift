import BenchCore

/// A random forest of CART trees (Breiman, "Random Forests", *Machine Learning* 45(1), 2001;
/// trees after Breiman, Friedman, Olshen and Stone, *Classification and Regression Trees*, 1984).
///
/// Each tree is grown on its own bootstrap sample of the training images, choosing at every
/// node the best Gini split among `maxFeatures` features drawn at random (⌊√784⌋ = 28 on
/// MNIST), down to pure leaves by default. The forest predicts the class with the largest mean
/// of the trees' leaf class distributions ("soft voting", as scikit-learn does; Breiman's paper
/// takes a majority of hard votes). See docs/forest.md.
///
/// On pixel bytes the best split of a candidate feature is found from a 256-bin histogram
/// rather than by sorting (``ByteSplitSearch``); other features are sorted
/// (``FloatSplitSearch``). Both find the same split. Trees are grown in parallel, tree `t`
/// drawing from `SplitMix64(seed: seed, stream: t)`, so the forest does not depend on threads.
public struct RandomForest: Classifier {
    public static let name = "forest"
    public static let title = "Random forest"
    public static let hyperparameters: [Hyperparameter] = [
        Hyperparameter("trees", .integer(1 ... 10_000), default: .integer(100), help: "trees in the forest"),
        Hyperparameter("maxFeatures", .integer(0 ... 1_000_000), default: .integer(0),
                       help: "candidate features drawn per split, at most the pixels per image; 0 means ⌊√pixels⌋ (28 on MNIST)"),
        Hyperparameter("maxDepth", .integer(0 ... 100_000), default: .integer(0),
                       help: "greatest depth of a leaf (the root has depth 0); 0 grows trees until leaves are pure"),
        Hyperparameter("minSamplesLeaf", .integer(1 ... 1_000_000), default: .integer(1),
                       help: "fewest distinct training images on each side of a split"),
        Hyperparameter("bootstrap", .boolean, default: .boolean(true),
                       help: "grow each tree on a bootstrap sample (false: on every training image)"),
    ]

    public let settings: HyperparameterSettings
    /// Trees in the forest.
    public let trees: Int
    /// Candidate features drawn per split; 0 means ⌊√features⌋.
    public let maxFeatures: Int
    /// Greatest depth of a leaf; 0 means no limit.
    public let maxDepth: Int
    /// Fewest distinct training images on each side of a split.
    public let minSamplesLeaf: Int
    /// Whether each tree is grown on a bootstrap sample.
    public let bootstrap: Bool

    /// A configuration from complete settings, each value already checked against its
    /// declaration by ``HyperparameterSettings/set(_:_:)``.
    /// - Throws: ``ConfigurationError`` when `settings` belong to another classifier.
    public init(settings: HyperparameterSettings = RandomForest.defaultSettings) throws(ConfigurationError) {
        try Self.checkOwnership(of: settings)
        self.settings = settings
        trees = settings.integer("trees")
        maxFeatures = settings.integer("maxFeatures")
        maxDepth = settings.integer("maxDepth")
        minSamplesLeaf = settings.integer("minSamplesLeaf")
        bootstrap = settings.boolean("bootstrap")
    }

    /// Candidate features per split for images of `featureCount` pixels.
    /// - Throws: ``FitError`` when `maxFeatures` exceeds `featureCount`.
    func resolvedMaxFeatures(featureCount: Int) throws -> Int {
        if maxFeatures == 0 { return max(1, Int(Double(featureCount).squareRoot())) }
        guard maxFeatures <= featureCount else {
            throw FitError("The 'maxFeatures' parameter of forest must be 0 (⌊√features⌋) or at most the number of features per image (\(featureCount)). Got \(maxFeatures) instead.")
        }
        return maxFeatures
    }

    /// Grows the forest.
    /// - Returns: The forest, and as diagnostics its size, depth and the pixels' importances.
    /// - Throws: ``FitError`` with no training images, more than 2,000,000 of them (split
    ///   scores are exact 64-bit integers), non-finite features, or `maxFeatures` above the pixel count.
    /// - Complexity: O(trees · maxFeatures · n · depth) for n training images, on
    ///   `context.threads` threads (see docs/forest.md).
    /// Measured on full MNIST, two cores: 2.7 s; tree growing is about n log n per tree.
    public func estimatedSeconds(_ work: WorkSize) -> Double {
        2.6 * work.trainingScale * work.pixelScale + 0.1 * work.scoringScale
    }

    public func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> FitResult {
        let n = training.count, d = training.images.pixelCount
        guard n > 0 else { throw FitError("forest: no training images") }
        guard n <= largestExactWeight else {
            throw FitError("forest: at most \(largestExactWeight) training images (split scores are exact 64-bit integers); got \(n)")
        }
        let limits = GrowthLimits(maxFeatures: try resolvedMaxFeatures(featureCount: d),
                                  maxDepth: maxDepth == 0 ? Int.max : maxDepth, minSamplesLeaf: minSamplesLeaf,
                                  checkpointSize: ByteSplitSearch.defaultBlockLimit)
        let labels = training.labels.map { Int32($0) }
        let classCount = training.classCount, treeCount = trees, bootstrap = bootstrap
        let onBytes = training.images.bytes != nil
        context.report("growing \(treeCount) trees on \(n) images, \(limits.maxFeatures) of \(d) features per split, "
                       + "\(onBytes ? "byte histograms" : "sorted floats"), \(context.threads) thread(s)")

        /// The sample of tree `t`, from its own stream.
        @Sendable func sample(_ t: Int) -> (multiplicities: [Int32], generator: SplitMix64) {
            var generator = SplitMix64(seed: seed, stream: UInt64(t))
            let multiplicities = bootstrap ? TreeWorkspace.bootstrap(count: n, generator: &generator)
                                           : [Int32](repeating: 1, count: n)
            return (multiplicities, generator)
        }

        /// Grows every tree on its own sample, with the split search `makeSearch` builds for
        /// the tree's workspace.
        func growTrees<Search: SplitSearch>(_ makeSearch: @Sendable (TreeWorkspace) -> Search) -> [GrownTree] {
            parallelMap(treeCount, threads: context.threads) { t in
                var (multiplicities, generator) = sample(t)
                return labels.withUnsafeBufferPointer { labels in
                    let workspace = TreeWorkspace(trainingLabels: labels, multiplicities: multiplicities,
                                                  classCount: classCount, featureCount: d)
                    return TreeGrower(search: makeSearch(workspace), workspace: workspace, limits: limits).grow(generator: &generator)
                }
            }
        }

        let grown: [GrownTree]
        if let bytes = training.images.bytes {
            let columns = FeatureColumns(rowMajor: bytes, rows: n, columns: d, threads: context.threads)
            grown = columns.values.withUnsafeBufferPointer { columns in
                bytes.withUnsafeBufferPointer { images in
                    let (columns, images) = (SharedReads(columns), SharedReads(images))
                    return growTrees { workspace in
                        ByteSplitSearch(columns: columns.buffer.baseAddress!, images: images.buffer.baseAddress!,
                                        imageCount: n, workspace: workspace, blockLimit: limits.checkpointSize)
                    }
                }
            }
        } else {
            let values = training.images.features.values
            guard values.allSatisfy(\.isFinite) else { throw FitError("forest: the training features include NaN or infinite values") }
            let columns = FeatureColumns(rowMajor: values, rows: n, columns: d, threads: context.threads)
            grown = columns.values.withUnsafeBufferPointer { columns in
                let columns = SharedReads(columns)
                return growTrees { workspace in
                    FloatSplitSearch(columns: columns.buffer.baseAddress!, imageCount: n, workspace: workspace)
                }
            }
        }
        let model = ForestModel(trees: grown.map(\.tree), classCount: classCount, inputHeight: training.images.height,
                                inputWidth: training.images.width, fittedOnBytes: onBytes, maxFeatures: limits.maxFeatures)
        context.report("grown: \(model.nodeCount) nodes, mean depth \(String(format: "%.1f", model.meanDepth)), \(model.byteCount) bytes")
        return FitResult(model: model, diagnostics: Diagnostics(forest: model, grown: grown))
    }

    /// The forest `archive` holds (see ``ForestModel/encode(into:)``), every node checked.
    /// - Throws: ``ModelArchiveError`` when an array is missing or inconsistent, or a node
    ///   points outside its tree, backwards, or at a pixel or leaf that does not exist.
    public func decodeModel(_ archive: ModelArchive) throws(ModelArchiveError) -> any FittedClassifier {
        try ForestModel(decoding: archive)
    }
}
