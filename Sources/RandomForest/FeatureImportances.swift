import Evaluation
import Foundation

/// Pixel importances by mean decrease in impurity (Breiman, "Random Forests", 2001, §10;
/// computed as in scikit-learn's `feature_importances_`): for each tree, the weighted Gini
/// decrease w·G(node) − w_L·G(left) − w_R·G(right) summed over the splits on each pixel and
/// normalised to sum 1; then the mean over the trees that split at all, normalised again.
public struct FeatureImportances: Sendable, Equatable {
    /// One importance per pixel, row-major, summing to 1 (all zero if no tree split).
    public let values: [Double]
    public let height: Int
    public let width: Int

    /// Importances from each tree's summed impurity decreases, in tree order.
    init(perTree: [[Double]], height: Int, width: Int) {
        self.height = height
        self.width = width
        var mean = [Double](repeating: 0, count: height * width)
        var contributing = 0
        for decreases in perTree {
            let total = decreases.reduce(0, +)
            guard total > 0 else { continue }
            contributing += 1
            for j in mean.indices { mean[j] += decreases[j] / total }
        }
        let total = mean.reduce(0, +)
        values = contributing == 0 || total <= 0 ? mean : mean.map { $0 / total }
    }

    /// `pixel,row,column,importance`, one line per pixel in row-major order.
    public var csv: String {
        CSVTable(header: ["pixel", "row", "column", "importance"],
                 rows: values.indices.map { j in
                     [String(j), String(j / width), String(j % width), String(format: "%.8f", values[j])]
                 }).text
    }

    /// A `height × width` heat map (darker is more important; square-root shading).
    public var svg: String {
        var map = SVGHeatMap(rows: height, columns: width, values: values,
                             title: "Pixel importance (mean decrease in impurity)")
        map.cell = width > 40 ? 8 : 14
        return map.svg
    }

    /// The report section: what the numbers are, the picture, and the top pixels.
    public func markdown(fileName: String) -> String {
        let top = values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }.prefix(10)
        let unused = values.filter { $0 == 0 }.count
        var md = "Mean decrease in Gini impurity per pixel, normalised to sum 1 (`importances.csv`: `pixel,row,column,importance`). "
        md += "\(unused) of \(values.count) pixels are never split on.\n\n"
        md += "![Feature importances](\(fileName))\n\n"
        md += markdownTable(header: ["pixel", "row", "column", "importance"],
                            rows: top.map { [String($0), String($0 / width), String($0 % width), String(format: "%.5f", values[$0])] })
        return md
    }
}
