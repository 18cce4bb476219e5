/// Pixel importances by mean decrease in impurity (Breiman, "Random Forests", 2001, §10;
/// computed as in scikit-learn's `feature_importances_`): for each tree, the weighted Gini
/// decrease w·G(node) − w_L·G(left) − w_R·G(right) summed over the splits on each pixel and
/// normalised to sum 1; then the mean over the trees that split at all, normalised again.
///
/// They describe the fit, not the model (prediction does not use them), so they go to the
/// fit's diagnostics and are not part of ``ForestModel``.
enum FeatureImportances {
    /// One importance per feature, summing to 1 (all zero if no tree split).
    /// - Parameters:
    ///   - perTree: Each tree's summed impurity decreases per feature, in tree order.
    ///   - featureCount: Features per image.
    static func meanDecreaseInImpurity(perTree: [[Double]], featureCount: Int) -> [Double] {
        var mean = [Double](repeating: 0, count: featureCount)
        var contributing = 0
        for decreases in perTree {
            let total = decreases.reduce(0, +)
            guard total > 0 else { continue }
            contributing += 1
            for j in mean.indices { mean[j] += decreases[j] / total }
        }
        let total = mean.reduce(0, +)
        return contributing == 0 || total <= 0 ? mean : mean.map { $0 / total }
    }
}
