import BenchCLI
import Evaluation
import Foundation
import TestSupport
import Testing

/// The task store seen from the command line: resume, `--fresh`, shards and `bench merge`.
@Suite struct ResumeAndShardTests {
    static let reportFiles = ["predictions.csv", "metrics.csv", "confusion.csv"]

    /// A toy data set and the common arguments of a small two-algorithm run on it.
    func setUp() throws -> (data: String, base: String, arguments: [String]) {
        let data = TestData.temporaryDirectory(), base = TestData.temporaryDirectory()
        try IDXBytes.writeToyDataset(to: data, training: 90, test: 30)
        return (data, base, ["run", "--algo", "softmax,knn", "--folds", "3", "--data", data, "--quiet", "--set", "softmax.iterations=20"])
    }

    func taskFiles(_ out: String) -> [String] {
        let root = out + "/tasks"
        return (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".task") }.sorted()
    }

    /// The report files that must not depend on how a run was split, with `cv_folds.csv`
    /// reduced to its columns other than timings.
    func results(_ out: String) throws -> [String: String] {
        var files: [String: String] = [:]
        for algorithm in ["softmax", "knn"] {
            for name in Self.reportFiles {
                files["\(algorithm)/\(name)"] = try String(contentsOfFile: "\(out)/\(algorithm)/\(name)", encoding: .utf8)
            }
            let folds = try String(contentsOfFile: "\(out)/\(algorithm)/cv_folds.csv", encoding: .utf8)
            files["\(algorithm)/cv_folds"] = folds.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(5).joined(separator: ",") }.joined(separator: "\n")
        }
        return files
    }

    @Test func aRerunReusesEveryUnitAndFreshRecomputes() throws {
        let (_, base, arguments) = try setUp()
        let out = base + "/r", models = base + "/m"
        #expect(BenchCommand.main(arguments + ["--out", out, "--models", models]) == 0)
        let first = try results(out)
        let stored = taskFiles(out)
        #expect(stored.count == 8, "2 algorithms × (3 folds + final)")
        let modelBytes = try Data(contentsOf: URL(fileURLWithPath: models + "/knn.model"))
        let dates = try stored.map { try FileManager.default.attributesOfItem(atPath: out + "/tasks/" + $0)[.modificationDate] as? Date }

        // Remove the reports and one fold: the rerun computes that fold only and renders the same reports.
        try FileManager.default.removeItem(atPath: out + "/softmax")
        try FileManager.default.removeItem(atPath: models)
        let fold = try #require(stored.first { $0.hasPrefix("knn/") })
        try FileManager.default.removeItem(atPath: out + "/tasks/" + fold)
        #expect(BenchCommand.main(arguments + ["--out", out, "--models", models]) == 0)
        #expect(try results(out) == first)
        #expect(try Data(contentsOf: URL(fileURLWithPath: models + "/knn.model")) == modelBytes)
        let after = try stored.map { try FileManager.default.attributesOfItem(atPath: out + "/tasks/" + $0)[.modificationDate] as? Date }
        #expect(zip(stored, zip(dates, after)).filter { $0.1.0 != $0.1.1 }.map(\.0) == [fold], "only the removed unit was written again")

        // A damaged unit is computed again, never read as a result.
        let damaged = out + "/tasks/" + stored[0]
        let bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        try bytes.prefix(bytes.count - 1).write(to: URL(fileURLWithPath: damaged))
        #expect(BenchCommand.main(arguments + ["--out", out, "--models", models]) == 0)
        #expect(try results(out) == first)
        #expect(throws: Never.self, "the damaged unit was written again, whole") { try TaskFile.read(damaged) }

        // --fresh recomputes everything, with the same results.
        #expect(BenchCommand.main(arguments + ["--out", out, "--models", models, "--fresh"]) == 0)
        #expect(try results(out) == first)
        let refreshed = try stored.map { try FileManager.default.attributesOfItem(atPath: out + "/tasks/" + $0)[.modificationDate] as? Date }
        #expect(zip(after, refreshed).allSatisfy { $0 != $1 }, "--fresh wrote every unit again")
    }

    @Test func threeShardsMergedEqualOneProcess() throws {
        let (_, base, arguments) = try setUp()
        #expect(BenchCommand.main(arguments + ["--out", base + "/one", "--models", base + "/m1"]) == 0)
        var owned: [[String]] = []
        for i in 1 ... 3 {
            #expect(BenchCommand.main(arguments + ["--out", base + "/sh\(i)", "--shard", "\(i)/3"]) == 0)
            #expect(!FileManager.default.fileExists(atPath: base + "/sh\(i)/softmax"), "a shard writes no reports")
            owned.append(taskFiles(base + "/sh\(i)"))
        }
        #expect(owned.map(\.count).reduce(0, +) == 8, "every unit in exactly one shard")
        #expect(Set(owned.flatMap { $0 }).count == 8)
        #expect(Set(owned.flatMap { $0 }) == Set(taskFiles(base + "/one")), "shards compute the units one process does, under the same keys")

        #expect(BenchCommand.main(["merge", base + "/sh1", base + "/sh2", base + "/sh3", "--out", base + "/merged", "--models", base + "/m2", "--quiet"]) == 0)
        #expect(try results(base + "/merged") == results(base + "/one"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: base + "/m2/knn.model")) == Data(contentsOf: URL(fileURLWithPath: base + "/m1/knn.model")))
        #expect(FileManager.default.fileExists(atPath: base + "/merged/summary.csv"))
        #expect(FileManager.default.fileExists(atPath: base + "/merged/run.json"))
    }

    @Test func mergeNamesMissingUnitsAndWritesNothing() throws {
        let (_, base, arguments) = try setUp()
        for i in [1, 3] { #expect(BenchCommand.main(arguments + ["--out", base + "/sh\(i)", "--shard", "\(i)/3"]) == 0) }
        #expect(BenchCommand.main(["merge", base + "/sh1", base + "/sh3", "--out", base + "/merged", "--models", base + "/mm", "--quiet"]) == 66)
        #expect(!FileManager.default.fileExists(atPath: base + "/merged"))
        #expect(!FileManager.default.fileExists(atPath: base + "/mm"))
        // The plan names the missing units; the error lists each with shard 2's command.
        let record = try BenchMerge.plan(of: [base + "/sh1", base + "/sh3"])
        let owners = record.plan.owners(shards: 3)
        #expect(owners.contains(1), "shard 2 owns some unit")
        #expect(BenchMerge.command(for: 2, of: 3, records: [record])?.contains("--shard 2/3") == true)
    }

    @Test func mergeRefusesStoresOfDifferentRuns() throws {
        let (_, base, arguments) = try setUp()
        #expect(BenchCommand.main(arguments + ["--out", base + "/a", "--shard", "1/2"]) == 0)
        #expect(BenchCommand.main(arguments + ["--out", base + "/b", "--shard", "2/2", "--seed", "7"]) == 0)
        #expect(BenchCommand.main(["merge", base + "/a", base + "/b", "--out", base + "/merged", "--quiet"]) == 65)
        #expect(BenchCommand.main(["merge", base + "/nothing", "--out", base + "/merged", "--quiet"]) == 66)
        #expect(BenchCommand.main(["merge", base + "/a"]) == 64, "--out is required")
        #expect(!FileManager.default.fileExists(atPath: base + "/merged"))
    }

    @Test func shardOptionIsChecked() {
        #expect(BenchCommand.main(["run", "--algo", "softmax", "--shard", "4/3", "--quiet"]) == 64)
        #expect(BenchCommand.main(["run", "--algo", "softmax", "--shard", "x", "--quiet"]) == 64)
    }
}
