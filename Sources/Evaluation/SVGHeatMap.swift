import Foundation

/// A heat map of a matrix as SVG: one shaded square per cell, light to dark blue, with
/// optional numbers in the cells. Used for confusion matrices and pixel importances.
public struct SVGHeatMap: Sendable {
    public let rows: Int
    public let columns: Int
    /// `rows * columns` values, row-major.
    public let values: [Double]
    public let title: String
    /// Labels under the columns and beside the rows (empty for none).
    public var columnLabels: [String] = []
    public var rowLabels: [String] = []
    public var columnAxis = ""
    public var rowAxis = ""
    /// Print each cell's value (as an integer) inside it.
    public var showValues = false
    /// Side of one cell in pixels.
    public var cell = 36.0

    public init(rows: Int, columns: Int, values: [Double], title: String) {
        precondition(values.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.values = values
        self.title = title
    }

    /// The SVG document.
    public var svg: String {
        let left = rowLabels.isEmpty ? 10.0 : 60.0, top = 40.0
        let width = left + Double(columns) * cell + 20, height = top + Double(rows) * cell + (columnLabels.isEmpty ? 20 : 50)
        let maximum = max(values.max() ?? 0, 1e-300)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"\(Int(max(9, cell / 3)))\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(Int(left))\" y=\"24\" font-size=\"15\">\(escape(title))</text>\n"
        for r in 0 ..< rows {
            for c in 0 ..< columns {
                let v = values[r * columns + c]
                // Square root scaling so that small off-diagonal counts stay visible.
                let t = (max(v, 0) / maximum).squareRoot()
                let shade = { (light: Double, dark: Double) in Int(light + (dark - light) * t) }
                let color = "rgb(\(shade(247, 8)),\(shade(251, 48)),\(shade(255, 107)))"
                let x = left + Double(c) * cell, y = top + Double(r) * cell
                out += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(cell))\" height=\"\(fmt(cell))\" fill=\"\(color)\"/>\n"
                if showValues && v != 0 {
                    out += "<text x=\"\(fmt(x + cell / 2))\" y=\"\(fmt(y + cell * 0.62))\" text-anchor=\"middle\" fill=\"\(t > 0.5 ? "white" : "black")\">\(Int(v.rounded()))</text>\n"
                }
            }
        }
        for (c, label) in columnLabels.enumerated() where c < columns {
            out += "<text x=\"\(fmt(left + (Double(c) + 0.5) * cell))\" y=\"\(fmt(top + Double(rows) * cell + 16))\" text-anchor=\"middle\">\(escape(label))</text>\n"
        }
        for (r, label) in rowLabels.enumerated() where r < rows {
            out += "<text x=\"\(fmt(left - 8))\" y=\"\(fmt(top + (Double(r) + 0.62) * cell))\" text-anchor=\"end\">\(escape(label))</text>\n"
        }
        if !columnAxis.isEmpty {
            out += "<text x=\"\(fmt(left + Double(columns) * cell / 2))\" y=\"\(fmt(top + Double(rows) * cell + 38))\" text-anchor=\"middle\">\(escape(columnAxis))</text>\n"
        }
        if !rowAxis.isEmpty {
            out += "<text x=\"14\" y=\"\(fmt(top + Double(rows) * cell / 2))\" transform=\"rotate(-90 14 \(fmt(top + Double(rows) * cell / 2)))\" text-anchor=\"middle\">\(escape(rowAxis))</text>\n"
        }
        return out + "</svg>\n"
    }
}

/// Text safe inside SVG or HTML.
func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
}

func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
