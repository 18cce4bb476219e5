import BenchCore
import Foundation

extension Diagnostics {
    /// What growing `model` learned, for the report: its size and shape as facts, and the
    /// pixels' importances as a map (`importances`).
    /// - Parameter grown: The trees as grown, with their impurity decreases and sample sizes.
    init(forest model: ForestModel, grown: [GrownTree]) {
        self.init()
        let trees = model.trees, classCount = model.classCount
        let pixels = model.inputHeight * model.inputWidth
        let nodes = model.nodeCount, leaves = model.leafCount
        let leafBytes = leaves * classCount * MemoryLayout<Float>.stride
        let meanSample = Double(grown.reduce(0) { $0 + $1.sampleCount }) / Double(max(grown.count, 1))
        fact("trees", String(trees.count))
        fact("candidate features per split", "\(model.maxFeatures) of \(pixels)")
        fact("split search", model.fittedOnBytes
            ? "pixel bytes: nonzero values through 255-bin class histograms (sorted when at most \(ByteSplitSearch.defaultSortLimit))"
            : "sorting float features")
        fact("distinct training images per tree", String(format: "%.0f (mean)", meanSample))
        fact("nodes", "\(nodes) (\(leaves) leaves; \(nodes / max(trees.count, 1)) per tree)")
        fact("depth", String(format: "%.1f mean, %d max", model.meanDepth, trees.map(\.depth).max() ?? 0))
        fact("model size", "\(model.byteCount) bytes (\(nodes) nodes × \(MemoryLayout<TreeNode>.stride) B + \(leaves) leaves × "
             + "\(classCount) float32 = \(leafBytes) B)")

        let importances = FeatureImportances.meanDecreaseInImpurity(perTree: grown.map(\.impurityDecrease), featureCount: pixels)
        // The report follows the caption with the file name and the number of zeros.
        maps.append(DiagnosticMap(
            id: "importances", title: "Feature importances",
            caption: "Mean decrease in Gini impurity per pixel, normalised to sum 1; 0 for a pixel no tree splits on",
            valueName: "importance", rows: model.inputHeight, columns: model.inputWidth, values: importances))
    }
}
