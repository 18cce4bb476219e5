/// A small CSV table: a header and rows of fields, rendered per RFC 4180 (fields with commas,
/// quotes or newlines are quoted) and parsed back for the summary, which is merged across runs.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// The table as CSV text, one line per row, ending with a newline.
    public var text: String {
        ([header] + rows).map { $0.map(CSVTable.escape).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// `field` quoted per RFC 4180 when it holds a comma, quote or line break.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Parses CSV text written by ``text``; `nil` if it is empty or a quote is left open.
    public init?(parsing text: String) {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        func nextCharacter() -> Character? {
            if let held = pending { pending = nil; return held }
            return iterator.next()
        }
        while let character = nextCharacter() {
            if quoted {
                if character == "\"" {
                    if let following = nextCharacter() {
                        if following == "\"" { field.append("\"") } else { quoted = false; pending = following }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" && field.isEmpty {
                quoted = true
            } else if character == "," {
                record.append(field); field = ""
            } else if character == "\n" || character == "\r\n" {
                record.append(field); field = ""
                records.append(record); record = []
            } else if character != "\r" {
                field.append(character)
            }
        }
        guard !quoted else { return nil }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        guard let first = records.first else { return nil }
        header = first
        rows = Array(records.dropFirst())
    }

    /// The table as a Markdown pipe table.
    public var markdown: String {
        markdownTable(header: header, rows: rows)
    }
}

/// A Markdown pipe table; the first column is left-aligned, the others right-aligned.
public func markdownTable(header: [String], rows: [[String]]) -> String {
    func line(_ cells: [String]) -> String {
        "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
    }
    let alignment = "|" + header.indices.map { $0 == 0 ? ":---" : "---:" }.joined(separator: "|") + "|"
    return ([line(header), alignment] + rows.map(line)).joined(separator: "\n") + "\n"
}

import Foundation
