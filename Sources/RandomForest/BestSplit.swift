import BenchCore

/// The best split of one node over given candidate features, found by one of the forest's
/// split searches. The tree grower runs exactly these searches; this entry point exists so
/// that tests (and anyone curious) can hold them to each other on a single node.
public struct BestSplit: Sendable, Equatable {
    /// How the split is searched.
    public enum Method: Sendable, CaseIterable {
        /// Pixel bytes, nonzero values through a class histogram (the path for many nonzeros).
        case histogram
        /// Pixel bytes, nonzero values sorted (the path for few nonzeros).
        case sortedBytes
        /// Sorting float features (the general path for images without bytes).
        case sortedFloats
    }

    /// The feature tested.
    public let feature: Int
    /// Go left when `x[feature] <= threshold` (features as floats).
    public let threshold: Float
    /// Distinct images going left.
    public let leftRows: Int
    /// Their total weight.
    public let leftWeight: Int
    /// Σ_c L_c² / w_L + Σ_c R_c² / w_R, the quantity maximised (see ``GiniSweep``).
    public let score: Double
    /// The weighted Gini impurity decrease w·G − w_L·G_L − w_R·G_R.
    public let impurityDecrease: Double

    /// Searches `candidates`, in that order, for the best split of the images with nonzero
    /// weight; ties go to the wider margin, then to the earlier candidate, then to the lower threshold.
    /// - Parameters:
    ///   - data: The images; the byte methods need `data.images.bytes`.
    ///   - weights: One nonnegative weight per image (bootstrap multiplicities); 0 leaves it out.
    ///   - candidates: Features to try, in order.
    ///   - minSamplesLeaf: Fewest distinct images on each side.
    ///   - method: Which search runs.
    /// - Returns: `nil` when no candidate has a valid split.
    public static func search(_ data: LabeledImages, weights: [Int], candidates: [Int], minSamplesLeaf: Int = 1,
                              method: Method) -> BestSplit? {
        precondition(weights.count == data.count && weights.allSatisfy { $0 >= 0 } && weights.reduce(0, +) <= largestExactWeight)
        precondition(candidates.allSatisfy { $0 >= 0 && $0 < data.images.pixelCount })
        let n = data.count, d = data.images.pixelCount
        let labels = data.labels.map { Int32($0) }
        return labels.withUnsafeBufferPointer { labels in
            let workspace = TreeWorkspace(trainingLabels: labels, multiplicities: weights.map { Int32($0) },
                                          classCount: data.classCount, featureCount: d)
            switch method {
            case .histogram, .sortedBytes:
                guard let bytes = data.images.bytes else { preconditionFailure("BestSplit: \(method) needs images with bytes") }
                let columns = FeatureColumns(rowMajor: bytes, rows: n, columns: d, threads: 1)
                return columns.values.withUnsafeBufferPointer { columns in
                    bytes.withUnsafeBufferPointer { images in
                        let search = ByteSplitSearch(columns: columns.baseAddress!, images: images.baseAddress!, imageCount: n,
                                                     workspace: workspace, sortLimit: method == .histogram ? 0 : Int.max,
                                                     blockLimit: 0)
                        return run(search, workspace, candidates, minSamplesLeaf)
                    }
                }
            case .sortedFloats:
                let columns = FeatureColumns(rowMajor: data.images.features.values, rows: n, columns: d, threads: 1)
                return columns.values.withUnsafeBufferPointer { columns in
                    run(FloatSplitSearch(columns: columns.baseAddress!, imageCount: n, workspace: workspace),
                        workspace, candidates, minSamplesLeaf)
                }
            }
        }
    }

    private static func run<Search: SplitSearch>(_ search: Search, _ workspace: TreeWorkspace, _ candidates: [Int],
                                                 _ minSamplesLeaf: Int) -> BestSplit? {
        let node = workspace.statistics(0, workspace.sampleCount)
        guard node.weight > 0 else { return nil }
        search.leaveBlock()
        var sweep = GiniSweep(left: workspace.left, right: workspace.right)
        var best = SplitCandidate(placeholder: search.placeholder)
        for feature in candidates {
            _ = search.sweep(feature: feature, 0, workspace.sampleCount, node: node, sweep: &sweep, best: &best,
                             minSamplesLeaf: minSamplesLeaf)
        }
        guard best.feature >= 0 else { return nil }
        let middle = search.partition(0, workspace.sampleCount, by: best)
        return BestSplit(feature: best.feature, threshold: search.thresholds(of: best).threshold, leftRows: middle,
                         leftWeight: Int(best.leftWeight), score: best.score, impurityDecrease: best.score - node.score)
    }
}
