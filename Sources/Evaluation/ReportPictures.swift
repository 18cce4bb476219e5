import BenchCore
import Foundation
import Imaging

/// The pictures a reader would rather look at than read: each algorithm's error gallery and
/// per-class recall, and the overview of accuracy against fit time across algorithms.
public enum ReportPictures {
    /// The first `count` misclassified test images, each labelled "true → predicted" with the
    /// predicted class's score, as an SVG that embeds each image as a PNG.
    public static func errorGallery(images: ImageSet, labels: [Int], predictions: [Int], scores: ScoreMatrix?, title: String,
                                    count: Int = 36) -> String {
        let wrong = labels.indices.filter { labels[$0] != predictions[$0] }.prefix(count)
        let columns = 6, side = 84.0, gap = 12.0, caption = 18.0, top = 40.0
        let rows = max(1, (wrong.count + columns - 1) / columns)
        let width = Double(columns) * (side + gap) + gap, height = top + Double(rows) * (side + caption + gap) + gap
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(Int(gap))\" y=\"24\" font-size=\"15\">\(escape(title)): the first \(wrong.count) misclassified test images (true → predicted, confidence)</text>\n"
        let pixels = images.pixelCount, values = images.features.values
        for (slot, index) in wrong.enumerated() {
            let x = gap + Double(slot % columns) * (side + gap), y = top + Double(slot / columns) * (side + caption + gap)
            let image = GreyImage(width: images.width, height: images.height, pixels: Array(values[index * pixels ..< (index + 1) * pixels]))
            let png = Data(PNGEncoder.encode(image)).base64EncodedString()
            out += "<image x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(side))\" height=\"\(fmt(side))\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,\(png)\"/>\n"
            let confidence = scores.map { String(format: " (%.0f%%)", $0[index, predictions[index]] * 100) } ?? ""
            out += "<text x=\"\(fmt(x + side / 2))\" y=\"\(fmt(y + side + 14))\" text-anchor=\"middle\">#\(index): \(labels[index]) → \(predictions[index])\(confidence)</text>\n"
        }
        return out + "</svg>\n"
    }

    /// Per-class recall as bars with their 95% Wilson intervals as whiskers.
    public static func recallBars(recall: [Double], intervals: [WilsonInterval], title: String) -> String {
        let n = recall.count, left = 50.0, top = 40.0, plotHeight = 220.0, bar = 36.0, gap = 10.0
        let floor = max(0, ((intervals.map(\.low).min() ?? 0) * 20).rounded(.down) / 20)  // axis from a multiple of 5%
        let width = left + Double(n) * (bar + gap) + 20, height = top + plotHeight + 50
        func y(_ value: Double) -> Double { top + plotHeight - (value - floor) / max(1e-9, 1 - floor) * plotHeight }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(Int(left))\" y=\"22\" font-size=\"15\">\(escape(title)): recall per class, with 95% Wilson intervals</text>\n"
        for tick in 0 ... 4 {
            let value = floor + (1 - floor) * Double(tick) / 4
            out += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(y(value)))\" x2=\"\(fmt(width - 20))\" y2=\"\(fmt(y(value)))\" stroke=\"rgb(225,225,225)\"/>\n"
            out += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y(value) + 4))\" text-anchor=\"end\">\(String(format: "%.0f%%", value * 100))</text>\n"
        }
        for c in 0 ..< n {
            let x = left + gap / 2 + Double(c) * (bar + gap)
            out += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y(recall[c])))\" width=\"\(fmt(bar))\" height=\"\(fmt(top + plotHeight - y(recall[c])))\" fill=\"rgb(107,174,214)\"/>\n"
            let mid = x + bar / 2
            out += "<line x1=\"\(fmt(mid))\" y1=\"\(fmt(y(intervals[c].low)))\" x2=\"\(fmt(mid))\" y2=\"\(fmt(y(intervals[c].high)))\" stroke=\"black\"/>\n"
            for edge in [intervals[c].low, intervals[c].high] {
                out += "<line x1=\"\(fmt(mid - 6))\" y1=\"\(fmt(y(edge)))\" x2=\"\(fmt(mid + 6))\" y2=\"\(fmt(y(edge)))\" stroke=\"black\"/>\n"
            }
            out += "<text x=\"\(fmt(mid))\" y=\"\(fmt(top + plotHeight + 16))\" text-anchor=\"middle\">\(c)</text>\n"
        }
        out += "<text x=\"\(fmt(left + Double(n) * (bar + gap) / 2))\" y=\"\(fmt(top + plotHeight + 36))\" text-anchor=\"middle\">class</text>\n"
        return out + "</svg>\n"
    }

    /// One point of the overview.
    public struct Point: Sendable {
        public let label: String
        public let variant: String
        public let accuracy: Double
        public let interval: WilsonInterval
        public let fitSeconds: Double

        public init(label: String, variant: String, accuracy: Double, interval: WilsonInterval, fitSeconds: Double) {
            self.label = label
            self.variant = variant
            self.accuracy = accuracy
            self.interval = interval
            self.fitSeconds = fitSeconds
        }
    }

    /// Test accuracy with its interval against fit time on a log axis, one point per
    /// algorithm and variant (default, deskewed, tuned, ...), each variant its own colour.
    public static func overview(_ points: [Point]) -> String {
        let left = 70.0, top = 40.0, plotWidth = 560.0, plotHeight = 320.0
        let variants = points.reduce(into: [String]()) { if !$0.contains($1.variant) { $0.append($1.variant) } }
        let colours = ["rgb(31,119,180)", "rgb(214,39,40)", "rgb(44,160,44)", "rgb(148,103,189)", "rgb(255,127,14)"]
        let times = points.map { max($0.fitSeconds, 1e-3) }
        let (minTime, maxTime) = (pow(10, log10(times.min() ?? 0.1).rounded(.down)), pow(10, log10(times.max() ?? 10).rounded(.up)))
        let lows = points.map(\.interval.low), highs = points.map(\.interval.high)
        let (bottom, ceiling) = (((lows.min() ?? 0.9) * 100).rounded(.down) / 100, min(1, ((highs.max() ?? 1) * 100).rounded(.up) / 100))
        func x(_ t: Double) -> Double { left + (log10(max(t, 1e-3)) - log10(minTime)) / max(1e-9, log10(maxTime) - log10(minTime)) * plotWidth }
        func y(_ a: Double) -> Double { top + plotHeight - (a - bottom) / max(1e-9, ceiling - bottom) * plotHeight }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(left + plotWidth + 170))\" height=\"\(Int(top + plotHeight + 60))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(Int(left))\" y=\"24\" font-size=\"15\">Test accuracy (95% Wilson interval) against fit time of the final model</text>\n"
        var decade = minTime
        while decade <= maxTime * 1.0001 {
            out += "<line x1=\"\(fmt(x(decade)))\" y1=\"\(fmt(top))\" x2=\"\(fmt(x(decade)))\" y2=\"\(fmt(top + plotHeight))\" stroke=\"rgb(225,225,225)\"/>\n"
            out += "<text x=\"\(fmt(x(decade)))\" y=\"\(fmt(top + plotHeight + 16))\" text-anchor=\"middle\">\(decade >= 1 ? String(Int(decade)) : String(format: "%g", decade)) s</text>\n"
            decade *= 10
        }
        let steps = Int(((ceiling - bottom) * 100).rounded())
        for step in 0 ... max(steps, 1) {
            let a = bottom + Double(step) / 100
            guard a <= ceiling + 1e-9 else { break }
            out += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(y(a)))\" x2=\"\(fmt(left + plotWidth))\" y2=\"\(fmt(y(a)))\" stroke=\"rgb(235,235,235)\"/>\n"
            out += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y(a) + 4))\" text-anchor=\"end\">\(String(format: "%.0f%%", a * 100))</text>\n"
        }
        out += "<text x=\"\(fmt(left + plotWidth / 2))\" y=\"\(fmt(top + plotHeight + 40))\" text-anchor=\"middle\">fit seconds (log scale)</text>\n"
        for point in points {
            let colour = colours[(variants.firstIndex(of: point.variant) ?? 0) % colours.count]
            let (px, py) = (x(point.fitSeconds), y(point.accuracy))
            out += "<line x1=\"\(fmt(px))\" y1=\"\(fmt(y(point.interval.low)))\" x2=\"\(fmt(px))\" y2=\"\(fmt(y(point.interval.high)))\" stroke=\"\(colour)\"/>\n"
            out += "<circle cx=\"\(fmt(px))\" cy=\"\(fmt(py))\" r=\"4\" fill=\"\(colour)\"/>\n"
            out += "<text x=\"\(fmt(px + 7))\" y=\"\(fmt(py - 5))\" fill=\"\(colour)\">\(escape(point.label))</text>\n"
        }
        for (index, variant) in variants.enumerated() {
            out += "<text x=\"\(fmt(left + plotWidth + 14))\" y=\"\(fmt(top + 16 + Double(index) * 18))\" fill=\"\(colours[index % colours.count])\">● \(escape(variant))</text>\n"
        }
        return out + "</svg>\n"
    }
}
