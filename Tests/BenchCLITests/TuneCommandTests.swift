import BenchCLI
import Evaluation
import Foundation
import TestSupport
import Testing

/// `bench tune` end to end on small data.
@Suite struct TuneCommandTests {
    func csv(_ path: String) throws -> [[String: String]] {
        let table = try #require(CSVTable(parsing: try String(contentsOfFile: path, encoding: .utf8)))
        return table.rows.map { Dictionary(uniqueKeysWithValues: zip(table.header, $0)) }
    }

    let common = ["--folds", "3", "--train-size", "600", "--data", TestData.mnistDirectory, "--quiet", "--no-models"]

    @Test func everyCandidateScoresAsItsOwnRunAndTheBestIsChosen() throws {
        let out = TestData.temporaryDirectory()
        #expect(BenchCommand.main(["tune", "--algo", "knn", "--grid", "knn.k=1,5", "--grid", "knn.preprocess=none,deskew", "--out", out] + common) == 0)
        let rows = try csv(out + "/tuned/knn/grid.csv")
        #expect(rows.count == 4)
        // Each candidate's folds equal `bench run --set` of that candidate: the same units.
        for row in rows {
            let single = TestData.temporaryDirectory()
            #expect(BenchCommand.main(["run", "--algo", "knn", "--set", "knn.k=\(row["k"]!)", "--set", "knn.preprocess=\(row["preprocess"]!)", "--out", single] + common) == 0)
            let folds = try csv(single + "/knn/cv_folds.csv")
            #expect(folds.map { $0["accuracy"] ?? "" } == ["fold_1", "fold_2", "fold_3"].map { row[$0] ?? "-" }, "candidate \(row)")
        }
        let best = rows.max { Double($0["mean"]!)! < Double($1["mean"]!)! }!
        let chosen = try #require(rows.first { $0["chosen"] == "yes" })
        #expect(chosen["mean"] == best["mean"])
        let summary = try csv(out + "/tuned/summary.csv")
        #expect(summary.first?["settings"] == "k=\(chosen["k"]!), preprocess=\(chosen["preprocess"]!)")
        for file in ["grid.md", "grid.svg", "report.md", "predictions.csv"] {
            #expect(FileManager.default.fileExists(atPath: out + "/tuned/knn/" + file), "\(file)")
        }
        #expect(try String(contentsOfFile: out + "/tuned/knn/report.md", encoding: .utf8).contains("## Chosen by cross-validation"))
    }

    @Test func theChoiceDoesNotDependOnTestLabels() throws {
        // The same training files with the test labels rotated: the same per-fold scores and
        // ranks. (Which of exactly tied candidates is chosen depends on fit time, by design.)
        let data = TestData.temporaryDirectory()
        try IDXBytes.writeToyDataset(to: data, training: 120, test: 40)
        let arguments = ["tune", "--algo", "softmax", "--grid", "softmax.l2=0.0001,0.01,1", "--folds", "3", "--data", data, "--quiet", "--no-models"]
        let first = TestData.temporaryDirectory(), second = TestData.temporaryDirectory()
        #expect(BenchCommand.main(arguments + ["--out", first]) == 0)
        let labels = data + "/t10k-labels-idx1-ubyte"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: labels)))
        let classes = (bytes[8...].max() ?? 0) + 1
        for i in 8 ..< bytes.count { bytes[i] = (bytes[i] + 1) % classes }
        try Data(bytes).write(to: URL(fileURLWithPath: labels))
        #expect(BenchCommand.main(arguments + ["--out", second]) == 0)
        let grid = { (out: String) in try String(contentsOfFile: out + "/tuned/softmax/grid.csv", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").prefix(10).joined(separator: ",") } }
        #expect(try grid(first) == grid(second))
        #expect(try String(contentsOfFile: first + "/tuned/softmax/metrics.csv", encoding: .utf8)
                != String(contentsOfFile: second + "/tuned/softmax/metrics.csv", encoding: .utf8), "the test scores did change")
    }

    @Test func halvingKeepsTheBestThirdAndResumes() throws {
        let out = TestData.temporaryDirectory()
        let arguments = ["tune", "--algo", "softmax", "--grid", "softmax.l2=0.00001..1:9:log", "--halving", "--out", out,
                         "--set", "softmax.iterations=30", "--folds", "3", "--train-size", "3000", "--data", TestData.mnistDirectory,
                         "--quiet", "--no-models"]
        #expect(BenchCommand.main(arguments) == 0)
        let rows = try csv(out + "/tuned/softmax/grid.csv")
        let rounds = Dictionary(grouping: rows) { $0["round"]! }
        // 9 candidates, η = 3: 9, then the best 3 of them, then the best 1.
        #expect(rounds["1"]?.count == 9 && rounds["2"]?.count == 3 && rounds["3"]?.count == 1)
        let firstRanks = rounds["1"]!.sorted { Int($0["rank"]!)! < Int($1["rank"]!)! }.prefix(3).map { $0["candidate"]! }
        #expect(Set(rounds["2"]!.map { $0["candidate"]! }) == Set(firstRanks))
        #expect(rounds["1"]!.allSatisfy { Int($0["training_size"]!)! < Int(rounds["3"]![0]["training_size"]!)! })
        let before = try String(contentsOfFile: out + "/tuned/softmax/grid.csv", encoding: .utf8)
        #expect(BenchCommand.main(arguments) == 0)
        let after = try String(contentsOfFile: out + "/tuned/softmax/grid.csv", encoding: .utf8)
        #expect(after == before, "a rerun reuses every stored unit, timings included")
    }

    @Test func badCommandLinesExit64() {
        for arguments in [["tune"], ["tune", "--algo", "knn"], ["tune", "--algo", "knnn", "--grid", "knn.k=1"],
                          ["tune", "--algo", "knn", "--grid", "svm.C=1"], ["tune", "--algo", "knn", "--grid", "knn.kk=1"],
                          ["tune", "--algo", "knn", "--grid", "knn.k=0,1"], ["tune", "--algo", "knn", "--grid", "knn.k=1", "--grid", "knn.k=3"],
                          ["tune", "--algo", "knn", "--grid", "knn.k=1", "--factor", "3"],
                          ["tune", "--algo", "knn", "--grid", "knn.k=1", "--set", "knn.k=3"],
                          ["tune", "--algo", "knn", "--grid", "knn.k=1..5:x"], ["tune", "--algo", "knn", "--grid", "knn.k=1", "--folds", "1"]] {
            #expect(BenchCommand.main(arguments + ["--quiet", "--out", "/nonexistent/never"]) == 64, "\(arguments)")
        }
    }
}

/// A sharded `bench tune` gathered by `bench merge`.
@Suite struct TuneMergeTests {
    @Test func threeShardsMergedEqualOneSearch() throws {
        let base = TestData.temporaryDirectory()
        let arguments = ["tune", "--algo", "softmax", "--grid", "softmax.l2=0.0001,0.01", "--grid", "softmax.preprocess=none,deskew",
                         "--folds", "3", "--train-size", "600", "--data", TestData.mnistDirectory, "--quiet", "--set", "softmax.iterations=20"]
        #expect(BenchCommand.main(arguments + ["--out", base + "/one", "--models", base + "/m1"]) == 0)
        for i in [1, 3] { #expect(BenchCommand.main(arguments + ["--out", base + "/sh\(i)", "--shard", "\(i)/3"]) == 0) }
        #expect(BenchCommand.main(["merge", base + "/sh1", base + "/sh3", "--out", base + "/merged", "--quiet"]) == 66)
        #expect(!FileManager.default.fileExists(atPath: base + "/merged/tuned"), "no report while a unit is missing")
        #expect(BenchCommand.main(arguments + ["--out", base + "/sh2", "--shard", "2/3"]) == 0)
        #expect(BenchCommand.main(["merge", base + "/sh1", base + "/sh2", base + "/sh3", "--out", base + "/merged", "--models", base + "/m2", "--quiet"]) == 0)
        let grid = { (out: String) in try String(contentsOfFile: out + "/tuned/softmax/grid.csv", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").prefix(9).joined(separator: ",") } }
        #expect(try grid(base + "/merged") == grid(base + "/one"))
        #expect(try String(contentsOfFile: base + "/merged/tuned/softmax/predictions.csv", encoding: .utf8)
                == String(contentsOfFile: base + "/one/tuned/softmax/predictions.csv", encoding: .utf8))
        #expect(try Data(contentsOf: URL(fileURLWithPath: base + "/m2/softmax-tuned.model")) == Data(contentsOf: URL(fileURLWithPath: base + "/m1/softmax-tuned.model")))
    }
}
