import BenchCore
import Dispatch
import Evaluation
import Foundation
import TestSupport
import Testing

@Suite struct ReportWritingTests {
    @Test func csvQuotesAndParsesBack() {
        let table = CSVTable(header: ["a", "b"], rows: [["1", "x,y"], ["say \"hi\"", "line\nbreak"]])
        #expect(table.text == "a,b\n1,\"x,y\"\n\"say \"\"hi\"\"\",\"line\nbreak\"\n")
        #expect(CSVTable(parsing: table.text) == table)
    }

    @Test func summaryReplacesItsOwnRowAndKeepsOthers() {
        let first = Summary.merge(existing: nil, rows: [["algorithm": "softmax", "test_accuracy": "0.9200"],
                                                         ["algorithm": "knn", "test_accuracy": "0.9700"]])
        let second = Summary.merge(existing: first.text, rows: [["algorithm": "softmax", "test_accuracy": "0.9300"],
                                                                 ["algorithm": "forest", "test_accuracy": "0.9705"]])
        let column = second.header.firstIndex(of: "test_accuracy")!
        #expect(second.rows.map { $0[0] } == ["softmax", "knn", "forest"])
        #expect(second.rows.map { $0[column] } == ["0.9300", "0.9700", "0.9705"])
        #expect(Array(second.header.prefix(8)) == ["algorithm", "cv_accuracy_mean", "cv_accuracy_std", "test_accuracy", "test_accuracy_low",
                                                   "test_accuracy_high", "fit_seconds", "predict_seconds"])
    }

    @Test func atomicWriteLeavesNoTemporaryFile() throws {
        let directory = TestData.temporaryDirectory()
        let path = directory + "/nested/out.csv"
        try AtomicFile.write("one\n", to: path)
        try AtomicFile.write("two\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/nested") == ["out.csv"])
    }

    @Test func replacingADirectorySwapsAllFilesAtOnce() throws {
        let parent = TestData.temporaryDirectory()
        let target = parent + "/softmax"
        try AtomicFile.replaceDirectory(target, with: [("a.txt", "old"), ("stale.txt", "old")])
        try AtomicFile.replaceDirectory(target, with: [("a.txt", "new"), ("b.txt", "new")])
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).sorted() == ["a.txt", "b.txt"])
        #expect(try String(contentsOfFile: target + "/a.txt", encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["softmax"])
    }

    @Test func aFailedWriteNamesThePathAndKeepsTheOldReport() throws {
        let parent = TestData.temporaryDirectory()
        try AtomicFile.replaceDirectory(parent + "/softmax", with: [("a.txt", "old")])
        // A file where a directory must go: nothing can be created under it.
        try "x".write(toFile: parent + "/blocker", atomically: true, encoding: .utf8)
        #expect(throws: OutputError.self) { try AtomicFile.replaceDirectory(parent + "/blocker/softmax", with: [("a.txt", "new")]) }
        #expect(throws: OutputError.self) { try AtomicFile.write("new", to: parent + "/blocker/summary.csv") }
        #expect(try String(contentsOfFile: parent + "/softmax/a.txt", encoding: .utf8) == "old")
    }

    @Test func heatMapDrawsOneSquarePerCell() {
        var map = SVGHeatMap(rows: 2, columns: 3, values: [0, 1, 2, 3, 4, 5], title: "t <&>")
        map.showValues = true
        let svg = map.svg
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<rect x=").count - 1 == 6)
        #expect(svg.contains("t &lt;&amp;&gt;"))
    }

    @Test func concurrentSummaryUpdatesLoseNoRow() throws {
        // Writers that each open the lock file themselves, as separate processes do.
        let directory = TestData.temporaryDirectory()
        let writers = 24
        DispatchQueue.concurrentPerform(iterations: writers) { index in
            try? Summary.update(in: directory, rows: [["algorithm": "algo\(index)", "test_accuracy": "0.5"]])
        }
        let table = try #require(CSVTable(parsing: try String(contentsOfFile: directory + "/summary.csv", encoding: .utf8)))
        #expect(Set(table.rows.map { $0[0] }) == Set((0 ..< writers).map { "algo\($0)" }))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == [".summary.lock", "summary.csv", "summary.md"])
    }

    @Test func diagnosticsRenderAsFilesAndSections() {
        let diagnostics = Diagnostics(
            facts: [Fact("iterations", "12")],
            tables: [DiagnosticTable(id: "pairs", title: "Class pairs", caption: "One row per pair.", columns: ["a", "b"],
                                     rows: [[.integer(1), .real(0.5)], [.text("x,y"), .real(2)]])],
            series: [DiagnosticSeries(id: "curve", title: "Learning curve", caption: "Loss.", xLabel: "epoch",
                                      lines: [.init(name: "loss", values: [3, 2, 1])])],
            maps: [DiagnosticMap(id: "importances", title: "Importances", caption: "Per pixel.", valueName: "importance",
                                 rows: 2, columns: 2, values: [0, 0.25, 0.75, 0])])
        let files = Dictionary(uniqueKeysWithValues: diagnostics.reportFiles.map { ($0.name, $0.contents) })
        #expect(files.keys.sorted() == ["curve.svg", "importances.csv", "importances.svg", "pairs.csv"])
        #expect(files["pairs.csv"] == "a,b\n1,0.5\n\"x,y\",2\n")
        #expect(files["importances.csv"]?.split(separator: "\n").map(String.init)
                == ["index,row,column,importance", "0,0,0,0.00000000", "1,0,1,0.25000000", "2,1,0,0.75000000", "3,1,1,0.00000000"])
        #expect(files["curve.svg"]?.components(separatedBy: "<circle").count == 4)
        let markdown = diagnostics.markdown
        for heading in ["## Model", "## Class pairs", "## Learning curve", "## Importances"] { #expect(markdown.contains(heading)) }
    }
}
