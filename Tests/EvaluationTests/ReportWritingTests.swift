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
        #expect(Array(second.header.prefix(6)) == ["algorithm", "cv_accuracy_mean", "cv_accuracy_std", "test_accuracy", "fit_seconds", "predict_seconds"])
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
}
