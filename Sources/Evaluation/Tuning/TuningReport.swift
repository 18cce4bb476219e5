import BenchCore
import Foundation

/// The files of `<out>/tuned/<algorithm>/` that describe the search: `grid.csv` (one row per
/// candidate and round), `grid.md`, and `grid.svg` (a heat map of mean accuracy for two
/// searched parameters, a line with ±1 std bars for one). Rendered from the scores alone.
public struct TuningReport: Sendable {
    public let algorithm: String
    public let grid: Grid
    public let candidates: [[(parameter: String, value: String)]]
    public let rounds: [[CandidateScore]]
    public let schedule: HalvingSchedule
    public let foldTrainingSize: Int
    public let chosen: CandidateScore
    public let halving: Bool
    public let factor: Int
    public let command: String
    public let folds: Int
    public let defaults: HyperparameterSettings

    public var files: [(name: String, contents: String)] {
        [("grid.csv", csv.text), ("grid.md", markdown)] + (picture.map { [("grid.svg", $0)] } ?? [])
    }

    func trainingSize(_ round: Int) -> Int { schedule.rounds[round].trainingSubset ?? foldTrainingSize }

    public var csv: CSVTable {
        var table = CSVTable(header: ["candidate"] + grid.axes.map(\.parameter) + ["round", "training_size"]
            + (1 ... folds).map { "fold_\($0)" } + ["mean", "std", "rank", "mean_fit_seconds", "mean_predict_seconds", "chosen"])
        for (r, scores) in rounds.enumerated() {
            let ranks = TuningChoice.ranks(scores)
            for score in scores {
                table.rows.append([String(score.candidate + 1)] + candidates[score.candidate].map(\.value)
                    + [String(r + 1), String(trainingSize(r))] + score.foldAccuracies.map { $0.map(decimal) ?? "" }
                    + [decimal(score.mean), decimal(score.std), String(ranks[score.candidate] ?? 0),
                       String(format: "%.3f", score.meanFitSeconds), String(format: "%.3f", score.meanPredictSeconds),
                       r == rounds.count - 1 && score.candidate == chosen.candidate ? "yes" : ""])
            }
        }
        return table
    }

    public var markdown: String {
        var text = "# \(algorithm): \(halving ? "successive halving" : "grid search") over \(grid.axes.map(\.parameter).joined(separator: ", "))\n\n"
        text += "`\(command)`\n\n"
        text += "\(candidates.count) candidate(s), each scored on the same \(folds) stratified folds"
        if halving {
            text += "; successive halving with factor \(factor) (Jamieson and Talwalkar 2016): "
            text += schedule.rounds.enumerated().map { "round \($0.offset + 1) \($0.element.candidates) candidate(s) on \(trainingSize($0.offset)) training images per fold" }.joined(separator: ", ")
            text += ", each round keeping the best ⌈n/\(factor)⌉ by mean accuracy"
        }
        text += ". The choice is the highest mean cross-validation accuracy of the last round (an exact tie goes to the lower mean fit time, then to the earlier candidate); the test set played no part in it.\n\n"
        text += "**Chosen: \(BenchTune.describe(candidates[chosen.candidate]))**, CV accuracy \(percent(chosen.mean)) ± \(percent(chosen.std)).\n\n"
        if picture != nil { text += "![mean CV accuracy of every candidate](grid.svg)\n\n" }
        for (r, scores) in rounds.enumerated() {
            if rounds.count > 1 { text += "## Round \(r + 1): \(trainingSize(r)) training images per fold\n\n" }
            let ranks = TuningChoice.ranks(scores)
            text += "| rank | " + grid.axes.map(\.parameter).joined(separator: " | ") + " | CV accuracy (mean ± std) | folds 1–\(folds) | mean fit (s) |\n"
            text += "|---:|" + String(repeating: "---:|", count: grid.axes.count) + "---:|:---|---:|\n"
            for score in TuningChoice.ranked(scores) {
                let mark = r == rounds.count - 1 && score.candidate == chosen.candidate ? " **(chosen)**" : ""
                text += "| \(ranks[score.candidate] ?? 0) | " + candidates[score.candidate].map(\.value).joined(separator: " | ")
                text += " | \(String(format: "%.3f", score.mean * 100))% ± \(String(format: "%.2f", score.std * 100))%\(mark) | "
                text += score.foldAccuracies.map { $0.map { String(format: "%.2f", $0 * 100) } ?? "failed" }.joined(separator: ", ")
                text += " | \(String(format: "%.2f", score.meanFitSeconds)) |\n"
            }
            text += "\n"
        }
        return text + "The chosen setting's final model, fitted on the whole training set and scored on the test set: [report.md](report.md).\n"
    }

    /// The section appended to the final model's report.md.
    public var chosenSection: String {
        var text = "\n## Chosen by cross-validation\n\n"
        text += "These settings were chosen by `bench tune` from \(candidates.count) candidate(s) (\(grid.axes.map { "\($0.parameter) ∈ {\($0.values.joined(separator: ", "))}" }.joined(separator: " × ")))"
        text += halving ? " by successive halving with factor \(factor)" : " by an exhaustive grid search"
        text += " on \(folds) stratified folds: \(BenchTune.describe(candidates[chosen.candidate])), CV accuracy \(percent(chosen.mean)) ± \(percent(chosen.std)). "
        text += "The test set was scored only after the choice. Every candidate: [grid.md](grid.md), [grid.csv](grid.csv).\n"
        return text
    }

    /// The latest round each candidate reached, and its score there.
    var finalScores: [Int: (round: Int, score: CandidateScore)] {
        var latest: [Int: (Int, CandidateScore)] = [:]
        for (r, scores) in rounds.enumerated() { for score in scores { latest[score.candidate] = (r, score) } }
        return latest
    }

    /// A heat map for two axes, a line for one; none for more.
    public var picture: String? {
        let latest = finalScores
        guard !latest.isEmpty else { return nil }
        let means = latest.values.map(\.score.mean)
        let (low, high) = (means.min() ?? 0, means.max() ?? 1)
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        let title = "\(algorithm): mean CV accuracy (%)\(rounds.count > 1 ? ", in the last round each candidate reached" : "")"
        if grid.axes.count == 2 {
            let (rowsAxis, columnsAxis) = (grid.axes[0], grid.axes[1])
            let cell = 64.0, left = 90.0, top = 56.0
            let width = max(left + Double(columnsAxis.values.count) * cell + 30, 60 + Double(title.count) * 7.2)
            let height = top + Double(rowsAxis.values.count) * cell + 60
            var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
            svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"10\" y=\"22\" font-size=\"14\">\(escape(title))</text>\n"
            for r in rowsAxis.values.indices {
                for c in columnsAxis.values.indices {
                    let index = r * columnsAxis.values.count + c
                    let x = left + Double(c) * cell, y = top + Double(r) * cell
                    guard let entry = latest[index] else { continue }
                    let t = high > low ? (entry.score.mean - low) / (high - low) : 1
                    let shade = { (light: Double, dark: Double) in Int(light + (dark - light) * t) }
                    svg += "<rect x=\"\(Int(x))\" y=\"\(Int(y))\" width=\"\(Int(cell - 2))\" height=\"\(Int(cell - 2))\" fill=\"rgb(\(shade(240, 8)),\(shade(246, 69)),\(shade(252, 148)))\"\(index == chosen.candidate ? " stroke=\"rgb(214,39,40)\" stroke-width=\"3\"" : "")/>\n"
                    let ink = t > 0.55 ? "white" : "black"
                    svg += "<text x=\"\(Int(x + cell / 2 - 1))\" y=\"\(Int(y + cell / 2))\" text-anchor=\"middle\" fill=\"\(ink)\">\(String(format: "%.2f", entry.score.mean * 100))</text>\n"
                    if rounds.count > 1 {
                        svg += "<text x=\"\(Int(x + cell / 2 - 1))\" y=\"\(Int(y + cell / 2 + 15))\" text-anchor=\"middle\" font-size=\"10\" fill=\"\(ink)\">round \(entry.round + 1)</text>\n"
                    }
                }
                svg += "<text x=\"\(Int(left - 8))\" y=\"\(Int(top + (Double(r) + 0.55) * cell))\" text-anchor=\"end\">\(escape(rowsAxis.values[r]))</text>\n"
            }
            for c in columnsAxis.values.indices {
                svg += "<text x=\"\(Int(left + (Double(c) + 0.5) * cell))\" y=\"\(Int(top + Double(rowsAxis.values.count) * cell + 16))\" text-anchor=\"middle\">\(escape(columnsAxis.values[c]))</text>\n"
            }
            svg += "<text x=\"\(Int(left + Double(columnsAxis.values.count) * cell / 2))\" y=\"\(Int(height - 14))\" text-anchor=\"middle\">\(escape(columnsAxis.parameter))</text>\n"
            svg += "<text x=\"16\" y=\"\(Int(top + Double(rowsAxis.values.count) * cell / 2))\" transform=\"rotate(-90 16 \(Int(top + Double(rowsAxis.values.count) * cell / 2)))\" text-anchor=\"middle\">\(escape(rowsAxis.parameter))</text>\n"
            return svg + "</svg>\n"
        }
        guard grid.axes.count == 1 else { return nil }
        let axis = grid.axes[0]
        let (left, top, plotWidth, plotHeight) = (70.0, 44.0, max(320.0, Double(axis.values.count) * 60), 240.0)
        let spreads = latest.values.map { ($0.score.mean - $0.score.std, $0.score.mean + $0.score.std) }
        let yLow = spreads.map(\.0).min() ?? low, yHigh = spreads.map(\.1).max() ?? high
        let span = max(yHigh - yLow, 1e-4)
        func y(_ value: Double) -> Double { top + plotHeight * (1 - (value - (yLow - 0.05 * span)) / (1.1 * span)) }
        func x(_ i: Int) -> Double { left + plotWidth * (Double(i) + 0.5) / Double(axis.values.count) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(max(left + plotWidth + 30, 60 + Double(title.count) * 7.2)))\" height=\"\(Int(top + plotHeight + 56))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"10\" y=\"22\" font-size=\"14\">\(escape(title))</text>\n"
        svg += "<rect x=\"\(Int(left))\" y=\"\(Int(top))\" width=\"\(Int(plotWidth))\" height=\"\(Int(plotHeight))\" fill=\"none\" stroke=\"#999\"/>\n"
        for tick in 0 ... 4 {
            let value = yLow - 0.05 * span + 1.1 * span * Double(tick) / 4
            svg += "<text x=\"\(Int(left - 6))\" y=\"\(Int(y(value) + 4))\" text-anchor=\"end\">\(String(format: "%.2f", value * 100))</text>\n"
        }
        var path = ""
        for i in axis.values.indices {
            guard let entry = latest[i] else { continue }
            let s = entry.score
            svg += "<line x1=\"\(Int(x(i)))\" x2=\"\(Int(x(i)))\" y1=\"\(String(format: "%.1f", y(s.mean - s.std)))\" y2=\"\(String(format: "%.1f", y(s.mean + s.std)))\" stroke=\"rgb(31,119,180)\"/>\n"
            svg += "<circle cx=\"\(Int(x(i)))\" cy=\"\(String(format: "%.1f", y(s.mean)))\" r=\"\(i == chosen.candidate ? 6 : 4)\" fill=\"\(i == chosen.candidate ? "rgb(214,39,40)" : "rgb(31,119,180)")\"/>\n"
            path += (path.isEmpty ? "M" : " L") + "\(Int(x(i))) \(String(format: "%.1f", y(s.mean)))"
            svg += "<text x=\"\(Int(x(i)))\" y=\"\(Int(top + plotHeight + 16))\" text-anchor=\"middle\">\(escape(axis.values[i]))</text>\n"
        }
        svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"rgb(31,119,180)\" stroke-width=\"1.5\"/>\n"
        svg += "<text x=\"\(Int(left + plotWidth / 2))\" y=\"\(Int(top + plotHeight + 38))\" text-anchor=\"middle\">\(escape(axis.parameter)) (bars: ±1 std over folds; red: chosen)</text>\n"
        return svg + "</svg>\n"
    }
}
