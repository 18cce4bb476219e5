import Foundation

/// A line chart as SVG: one or more series against 1, 2, 3, ... (epochs), on a shared y axis
/// from 0 to the largest value. Used for learning curves.
public struct SVGLineChart: Sendable {
    public let title: String
    public let xLabel: String
    /// Named series, each one value per x.
    public var series: [(name: String, values: [Double])] = []

    public init(title: String, xLabel: String) {
        self.title = title
        self.xLabel = xLabel
    }

    public var svg: String {
        let (left, top, plotWidth, plotHeight) = (60.0, 40.0, 480.0, 260.0)
        let points = series.map(\.values.count).max() ?? 0
        let top_ = max(series.flatMap(\.values).filter(\.isFinite).max() ?? 1, 1e-12)
        let colors = ["rgb(31,119,180)", "rgb(214,39,40)", "rgb(44,160,44)", "rgb(148,103,189)"]
        func x(_ i: Int) -> Double { left + (points <= 1 ? plotWidth / 2 : Double(i) * plotWidth / Double(points - 1)) }
        func y(_ v: Double) -> Double { top + plotHeight - (v / top_) * plotHeight }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(left + plotWidth + 180))\" height=\"\(Int(top + plotHeight + 50))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(Int(left))\" y=\"24\" font-size=\"15\">\(escape(title))</text>\n"
        out += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(top + plotHeight))\" x2=\"\(fmt(left + plotWidth))\" y2=\"\(fmt(top + plotHeight))\" stroke=\"black\"/>\n"
        out += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(top))\" x2=\"\(fmt(left))\" y2=\"\(fmt(top + plotHeight))\" stroke=\"black\"/>\n"
        for tick in 0 ... 4 {
            let value = top_ * Double(tick) / 4
            out += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y(value) + 4))\" text-anchor=\"end\">\(String(format: "%.3g", value))</text>\n"
        }
        for i in 0 ..< points {
            out += "<text x=\"\(fmt(x(i)))\" y=\"\(fmt(top + plotHeight + 16))\" text-anchor=\"middle\">\(i + 1)</text>\n"
        }
        out += "<text x=\"\(fmt(left + plotWidth / 2))\" y=\"\(fmt(top + plotHeight + 36))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        for (index, entry) in series.enumerated() {
            let color = colors[index % colors.count]
            let path = entry.values.enumerated().filter { $0.element.isFinite }.map { "\(fmt(x($0.offset))),\(fmt(y($0.element)))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            for (i, v) in entry.values.enumerated() where v.isFinite {
                out += "<circle cx=\"\(fmt(x(i)))\" cy=\"\(fmt(y(v)))\" r=\"3\" fill=\"\(color)\"/>\n"
            }
            out += "<text x=\"\(fmt(left + plotWidth + 14))\" y=\"\(fmt(top + 16 + Double(index) * 18))\" fill=\"\(color)\">\(escape(entry.name))</text>\n"
        }
        return out + "</svg>\n"
    }
}
