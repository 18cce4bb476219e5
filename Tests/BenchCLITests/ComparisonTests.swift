import BenchCLI
import Evaluation
import Foundation
import TestSupport
import Testing

/// Comparisons written by a run, `bench compare`, and repeated cross-validation, end to end on a toy set.
@Suite struct ComparisonTests {
    func run(_ arguments: [String], data: String, out: String) {
        #expect(BenchCommand.main(["run"] + arguments + ["--data", data, "--out", out, "--no-models", "--quiet"]) == 0)
    }

    func rows(_ path: String) throws -> [[String]] {
        try #require(CSVTable(parsing: try String(contentsOfFile: path, encoding: .utf8))).rows
    }

    @Test func aRunComparesEveryPairAndWritesIntervals() throws {
        let data = TestData.temporaryDirectory(), out = TestData.temporaryDirectory()
        try IDXBytes.writeToyDataset(to: data, training: 80, test: 40)
        run(["--algo", "softmax,knn,forest", "--folds", "4"], data: data, out: out)
        let pairs = try rows(out + "/comparison.csv")
        #expect(pairs.map { "\($0[0]) \($0[1])" } == ["softmax knn", "softmax forest", "knn forest"])
        for pair in pairs {
            // The McNemar counts agree with the two predictions files.
            let first = try rows(out + "/\(pair[0])/predictions.csv"), second = try rows(out + "/\(pair[1])/predictions.csv")
            let firstOnly = zip(first, second).filter { $0.0[1] == $0.0[2] && $0.1[1] != $0.1[2] }.count
            #expect(String(firstOnly) == pair[4])
            #expect(!pair[11].isEmpty, "same folds: the corrected t-test is there")
        }
        for file in ["comparison.md", "comparison.svg", "overview.svg"] { #expect(FileManager.default.fileExists(atPath: out + "/" + file)) }
        let summary = try String(contentsOfFile: out + "/summary.md", encoding: .utf8)
        #expect(summary.contains("Which model is better?") && summary.contains("overview.svg"))
        let metrics = try rows(out + "/softmax/metrics.csv")
        for row in metrics.prefix(2) {
            let (low, value, high) = (Double(row[5])!, Double(row[4])!, Double(row[6])!)
            #expect(low <= value && value <= high, "recall inside its interval")
        }
        for file in ["recall.svg", "errors.svg"] { #expect(FileManager.default.fileExists(atPath: out + "/softmax/" + file)) }
    }

    @Test func compareReportsChangesAndFailsOnASignificantRegression() throws {
        let data = TestData.temporaryDirectory(), before = TestData.temporaryDirectory(), after = TestData.temporaryDirectory()
        try IDXBytes.writeToyDataset(to: data, training: 80, test: 40)
        run(["--algo", "softmax,knn", "--folds", "0"], data: data, out: before)
        run(["--algo", "softmax,knn", "--folds", "0"], data: data, out: after)
        #expect(BenchCommand.main(["compare", before, after, "--fail-on-regression"]) == 0, "the same run: no change")
        // Make every knn prediction in 'after' wrong: a significant drop.
        let path = after + "/knn/predictions.csv"
        var table = try #require(CSVTable(parsing: try String(contentsOfFile: path, encoding: .utf8)))
        table.rows = table.rows.map { [$0[0], $0[1], $0[1] == "0" ? "1" : "0"] }
        try table.text.write(toFile: path, atomically: true, encoding: .utf8)
        let comparison = try RunComparison(before: before, after: after)
        #expect(comparison.rows.first { $0.algorithm == "knn" }?.verdict == .worse)
        #expect(comparison.rows.first { $0.algorithm == "softmax" }?.verdict == .unchanged)
        #expect(BenchCommand.main(["compare", before, after]) == 0)
        #expect(BenchCommand.main(["compare", before, after, "--fail-on-regression"]) == 1)
        #expect(BenchCommand.main(["compare", before]) == 64)
        #expect(BenchCommand.main(["compare", before, data + "/none"]) == 66)
    }

    @Test func repeatsAddDifferentlySeededSplitsAndKeepTheFirst() throws {
        let data = TestData.temporaryDirectory(), once = TestData.temporaryDirectory(), twice = TestData.temporaryDirectory()
        try IDXBytes.writeToyDataset(to: data, training: 80, test: 20)
        run(["--algo", "knn", "--folds", "4", "--set", "knn.k=1"], data: data, out: once)
        run(["--algo", "knn", "--folds", "4", "--repeats", "3", "--set", "knn.k=1"], data: data, out: twice)
        let single = try rows(once + "/knn/cv_folds.csv"), repeated = try rows(twice + "/knn/cv_folds.csv")
        #expect(repeated.count == 12 && repeated.map { $0[1] } == ["1", "1", "1", "1", "2", "2", "2", "2", "3", "3", "3", "3"])
        #expect(repeated.prefix(4).map { $0[4] } == single.map { $0[4] }, "the first repeat is the plain k-fold")
        #expect(try String(contentsOfFile: twice + "/summary.csv", encoding: .utf8).contains(",4,3,"), "folds 4, repeats 3")
    }
}
