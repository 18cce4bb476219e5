import BenchCore
import Foundation

/// The report layer's rendering of ``Diagnostics``: a facts table, one Markdown section per
/// table, series and map, and the files behind them (`<id>.csv` for tables and maps,
/// `<id>.svg` for series and maps). Algorithms only fill in the values.
extension Diagnostics {
    /// Files written beside `report.md`.
    public var reportFiles: [(name: String, contents: String)] {
        var files: [(name: String, contents: String)] = []
        for table in tables { files.append(("\(table.id).csv", table.csv.text)) }
        for chart in series { files.append(("\(chart.id).svg", chart.svg)) }
        for map in maps {
            files.append(("\(map.id).csv", map.csv.text))
            files.append(("\(map.id).svg", map.svg))
        }
        return files
    }

    /// The "Model" table and a section per table, series and map.
    public var markdown: String {
        var md = ""
        if !facts.isEmpty {
            md += "\n## Model\n\n" + markdownTable(header: ["", ""], rows: facts.map { [$0.name, $0.value] })
        }
        for table in tables {
            md += "\n## \(table.title)\n\n\(table.caption) (`\(table.id).csv`)\n\n"
            md += markdownTable(header: table.columns, rows: table.rows.map { $0.map { $0.markdownText } })
        }
        for chart in series {
            md += "\n## \(chart.title)\n\n\(chart.caption)\n\n![\(chart.title)](\(chart.id).svg)\n"
        }
        for map in maps {
            md += "\n## \(map.title)\n\n\(map.caption) (`\(map.id).csv`: `index,row,column,\(map.valueName)`). "
            md += "\(map.values.filter { $0 == 0 }.count) of \(map.values.count) are 0.\n\n![\(map.title)](\(map.id).svg)\n\n"
            let top = map.values.indices.sorted { map.values[$0] != map.values[$1] ? map.values[$0] > map.values[$1] : $0 < $1 }.prefix(10)
            md += "The ten largest:\n\n"
            md += markdownTable(header: ["index", "row", "column", map.valueName],
                                rows: top.map { [String($0), String($0 / map.columns), String($0 % map.columns), String(format: "%.5f", map.values[$0])] })
        }
        return md
    }
}

extension DiagnosticValue {
    /// Full precision, for CSV.
    var csvText: String {
        switch self {
        case .integer(let value): String(value)
        case .real(let value): String(format: "%.6g", value)
        case .text(let value): value
        }
    }

    /// Four significant digits, for reading.
    var markdownText: String {
        switch self {
        case .integer(let value): String(value)
        case .real(let value): String(format: "%.4g", value)
        case .text(let value): value
        }
    }
}

extension DiagnosticTable {
    /// The table as CSV.
    public var csv: CSVTable {
        CSVTable(header: columns, rows: rows.map { $0.map(\.csvText) })
    }
}

extension DiagnosticSeries {
    /// The lines as an SVG chart.
    public var svg: String {
        var chart = SVGLineChart(title: title, xLabel: xLabel)
        chart.series = lines.map { ($0.name, $0.values) }
        return chart.svg
    }
}

extension DiagnosticMap {
    /// `index,row,column,<valueName>`, one line per cell in row-major order.
    public var csv: CSVTable {
        CSVTable(header: ["index", "row", "column", valueName],
                 rows: values.indices.map { [String($0), String($0 / columns), String($0 % columns), String(format: "%.8f", values[$0])] })
    }

    /// A heat map (darker is larger; square-root shading).
    public var svg: String {
        guard rows > 0, columns > 0, values.count == rows * columns else { return SVGHeatMap(rows: 0, columns: 0, values: [], title: title).svg }
        var map = SVGHeatMap(rows: rows, columns: columns, values: values, title: title)
        map.cell = columns > 40 ? 8 : 14
        return map.svg
    }
}
