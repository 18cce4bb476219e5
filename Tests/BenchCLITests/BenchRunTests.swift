import BenchCLI
import Foundation
import TestSupport
import Testing

@Suite struct BenchRunTests {
    @Test func writesEveryReportFileForAToySet() throws {
        let data = TestData.temporaryDirectory(), out = TestData.temporaryDirectory() + "/results"
        try IDXBytes.writeToyDataset(to: data)
        let status = BenchCommand.main(["--algo", "softmax", "--folds", "3", "--data", data, "--out", out, "--quiet", "--no-models"])
        #expect(status == 0)
        for file in ["report.md", "metrics.csv", "confusion.csv", "cv_folds.csv", "predictions.csv", "confusion.svg"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/softmax/\(file)"), "missing \(file)")
        }
        let predictions = try String(contentsOfFile: "\(out)/softmax/predictions.csv", encoding: .utf8).split(separator: "\n")
        #expect(predictions.first == "index,label,predicted")
        #expect(predictions.count == 21)
        let summary = try String(contentsOfFile: "\(out)/summary.csv", encoding: .utf8)
        #expect(summary.hasPrefix("algorithm,cv_accuracy_mean,cv_accuracy_std,test_accuracy,test_accuracy_low,test_accuracy_high,fit_seconds,predict_seconds"))
        #expect(summary.contains("\nsoftmax,"))
        #expect(try String(contentsOfFile: "\(out)/softmax/cv_folds.csv", encoding: .utf8).split(separator: "\n").count == 4)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/run.json"))) as? [String: Any]
        #expect(manifest?["seed"] as? String == "42")
        #expect(FileManager.default.fileExists(atPath: "\(out)/summary.md"))
    }

    @Test func sameSeedGivesIdenticalPredictionsForAnyJobs() throws {
        let base = TestData.temporaryDirectory()
        var outputs: [String] = []
        for jobs in ["1", "2"] {
            let status = BenchCommand.main(["--algo", "softmax", "--folds", "2", "--train-size", "2000", "--jobs", jobs,
                                            "--data", TestData.mnistDirectory, "--out", "\(base)/j\(jobs)", "--quiet", "--no-models",
                                            "--set", "softmax.iterations=40"])
            #expect(status == 0)
            outputs.append(try String(contentsOfFile: "\(base)/j\(jobs)/softmax/predictions.csv", encoding: .utf8))
        }
        #expect(outputs[0] == outputs[1])
    }

    @Test func damagedDataExits65AndWritesNothing() throws {
        let data = TestData.temporaryDirectory(), out = TestData.temporaryDirectory() + "/results"
        try IDXBytes.writeToyDataset(to: data)
        let path = data + "/train-images-idx3-ubyte"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 7).write(to: URL(fileURLWithPath: path))
        #expect(BenchCommand.main(["--algo", "softmax", "--data", data, "--out", out, "--models", out + "-models", "--quiet"]) == 65)
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(!FileManager.default.fileExists(atPath: out + "-models"))
    }

    @Test func exitStatusesFollowSysexits() throws {
        #expect(BenchCommand.main(["--algo", "softmx"]) == 64)
        #expect(BenchCommand.main(["--algo", "softmax", "--data", "/nonexistent", "--quiet"]) == 66)
        let data = TestData.temporaryDirectory()
        try IDXBytes.writeToyDataset(to: data)
        try "x".write(toFile: data + "/blocker", atomically: true, encoding: .utf8)
        #expect(BenchCommand.main(["--algo", "softmax", "--data", data, "--out", data + "/blocker/out", "--quiet", "--no-models"]) == 73)
        #expect(BenchCommand.main(["--algo", "softmax", "--data", data, "--out", data + "/out", "--models", data + "/blocker/m", "--quiet"]) == 73)
        #expect(BenchCommand.main(["--algo", "softmax", "--data", data, "--train-size", "100000", "--quiet", "--no-models"]) == 64)
    }
}

@Suite struct LabelGapTests {
    @Test func classesAbsentFromTheLabelsDoNotBlockCrossValidation() throws {
        // Labels 0 and 3 only: classes 1 and 2 exist in number but have no images.
        let data = TestData.temporaryDirectory(), out = TestData.temporaryDirectory()
        try IDXBytes.writeToyDataset(to: data, training: 40, test: 10)
        let relabel = { (count: Int) in IDXBytes.labels((0 ..< count).map { UInt8($0 % 2 == 0 ? 0 : 3) }) }
        try Data(relabel(40)).write(to: URL(fileURLWithPath: data + "/train-labels-idx1-ubyte"))
        try Data(relabel(10)).write(to: URL(fileURLWithPath: data + "/t10k-labels-idx1-ubyte"))
        #expect(BenchCommand.main(["--algo", "softmax", "--folds", "4", "--data", data, "--out", out, "--quiet", "--no-models"]) == 0)
        let metrics = try String(contentsOfFile: out + "/softmax/metrics.csv", encoding: .utf8)
        #expect(metrics.contains("\n1,0.0000,0.0000000,1.0000000,0.0000,0.0000000,1.0000000,0.0000,0\n"),
                "an absent class reports 0 by the zero-division rule, with intervals 0–1 over no images")
    }
}
