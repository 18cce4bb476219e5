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
    public var trees: Int { settings.integer("trees") }
    /// 0 means ⌊√features⌋.
    public var maxFeatures: Int { settings.integer("maxFeatures") }
    /// 0 means no limit.
    public var maxDepth: Int { settings.integer("maxDepth") }
    public var minSamplesLeaf: Int { settings.integer("minSamplesLeaf") }
    public var bootstrap: Bool { settings.boolean("bootstrap") }

    /// A configuration from complete settings.
    /// - Throws: ``ConfigurationError`` when a value is outside its declared range (settings
    ///   made in code skip the command line's checks), with the command line's message.
    public init(settings: HyperparameterSettings = RandomForest.defaultSettings) throws(ConfigurationError) {
        for (name, value) in settings.entries {
            guard let declaration = RandomForest.hyperparameters.first(where: { $0.name == name }) else {
                throw ConfigurationError("forest has no hyperparameter '\(name)'.")
            }
            _ = try declaration.parse(value, owner: RandomForest.name)
        }
        self.settings = settings
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
    /// - Throws: ``FitError`` with no training images, more than 2,000,000 of them (split
    ///   scores are exact 64-bit integers), non-finite features, or `maxFeatures` above the pixel count.
    /// - Complexity: O(trees · maxFeatures · n · depth) for n training images, on
    ///   `context.threads` threads (see docs/forest.md).
    public func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> any FittedClassifier {
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
        let model = ForestModel(grown: grown, height: training.images.height, width: training.images.width,
                                fittedOnBytes: onBytes, maxFeatures: limits.maxFeatures)
        context.report("grown: \(model.nodeCount) nodes, mean depth \(String(format: "%.1f", model.meanDepth)), \(model.byteCount) bytes")
        return model
    }
}
