/// What a fit (or a prediction) learned about itself, as plain values: facts, tables, series
/// and 2-D maps. Algorithms fill it in; only the report layer (`Evaluation`) turns it into
/// Markdown, CSV and SVG, so no algorithm formats a report and every figure can be stored,
/// merged and compared as data.
public struct Diagnostics: Sendable, Equatable, Codable {
    /// Name–value facts shown in the report's "Model" table ("support vectors", "L-BFGS iterations").
    public var facts: [Fact]
    /// Tables, each written as `<id>.csv` and shown as a report section.
    public var tables: [DiagnosticTable]
    /// Line charts (learning curves), each drawn as `<id>.svg` in a report section.
    public var series: [DiagnosticSeries]
    /// Values on a grid (pixel importances), each drawn as a heat map `<id>.svg` and written as `<id>.csv`.
    public var maps: [DiagnosticMap]

    public init(facts: [Fact] = [], tables: [DiagnosticTable] = [], series: [DiagnosticSeries] = [], maps: [DiagnosticMap] = []) {
        self.facts = facts
        self.tables = tables
        self.series = series
        self.maps = maps
    }

    /// Adds a fact.
    public mutating func fact(_ name: String, _ value: String) {
        facts.append(Fact(name, value))
    }

    /// Whether there is nothing to show.
    public var isEmpty: Bool { facts.isEmpty && tables.isEmpty && series.isEmpty && maps.isEmpty }

    /// These diagnostics followed by `other`'s (a fit's, then its prediction's).
    public func merged(with other: Diagnostics) -> Diagnostics {
        Diagnostics(facts: facts + other.facts, tables: tables + other.tables, series: series + other.series, maps: maps + other.maps)
    }

    /// The value of the fact called `name`, if any.
    public func fact(named name: String) -> String? {
        facts.first { $0.name == name }?.value
    }
}

/// One named fact.
public struct Fact: Sendable, Equatable, Codable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One value of a diagnostic table: a whole number, a real number or text. The report layer
/// chooses how many digits a real shows.
public enum DiagnosticValue: Sendable, Equatable, Codable {
    case integer(Int)
    case real(Double)
    case text(String)
}

/// A table: named columns and rows of values.
public struct DiagnosticTable: Sendable, Equatable, Codable {
    /// File stem of the CSV (`pairs` → `pairs.csv`); letters, digits, `_` and `-`.
    public var id: String
    /// The report section's title ("Class pairs").
    public var title: String
    /// A sentence or two of Markdown saying what the rows are.
    public var caption: String
    public var columns: [String]
    public var rows: [[DiagnosticValue]]

    public init(id: String, title: String, caption: String, columns: [String], rows: [[DiagnosticValue]]) {
        self.id = id
        self.title = title
        self.caption = caption
        self.columns = columns
        self.rows = rows
    }
}

/// Line series against 1, 2, 3, ... (epochs): a learning curve.
public struct DiagnosticSeries: Sendable, Equatable, Codable {
    /// File stem of the SVG (`learning_curve` → `learning_curve.svg`).
    public var id: String
    public var title: String
    public var caption: String
    /// What the x axis counts ("epoch").
    public var xLabel: String
    /// Named lines, one value per x.
    public var lines: [Line]

    public struct Line: Sendable, Equatable, Codable {
        public var name: String
        public var values: [Double]

        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    public init(id: String, title: String, caption: String, xLabel: String, lines: [Line]) {
        self.id = id
        self.title = title
        self.caption = caption
        self.xLabel = xLabel
        self.lines = lines
    }
}

/// Values on a `rows × columns` grid, such as one importance per pixel.
public struct DiagnosticMap: Sendable, Equatable, Codable {
    /// File stem of the SVG and CSV (`importances`).
    public var id: String
    public var title: String
    public var caption: String
    /// What a value is ("importance"), the CSV's value column.
    public var valueName: String
    public var rows: Int
    public var columns: Int
    /// `rows * columns` values, row-major.
    public var values: [Double]

    public init(id: String, title: String, caption: String, valueName: String, rows: Int, columns: Int, values: [Double]) {
        self.id = id
        self.title = title
        self.caption = caption
        self.valueName = valueName
        self.rows = rows
        self.columns = columns
        self.values = values
    }
}
