import BenchCLI
import BenchCore
import Foundation
import IDXData
import Imaging
import ModelFile
import TestSupport
import Testing

/// `bench run` saves models, and `bench predict` reproduces the run's predictions from them.
@Suite struct PredictCommandTests {
    /// A toy data set, a run of `algorithms` on it with models saved, and the directories.
    func runToy(_ algorithms: String) throws -> (data: String, out: String, models: String) {
        let data = TestData.temporaryDirectory(), out = TestData.temporaryDirectory(), models = TestData.temporaryDirectory() + "/models"
        try IDXBytes.writeToyDataset(to: data, training: 80, test: 30)
        #expect(BenchCommand.main(["run", "--algo", algorithms, "--folds", "0", "--data", data, "--out", out, "--models", models, "--quiet"]) == 0)
        return (data, out, models)
    }

    func predictedColumn(_ csv: String, column: Int) -> [String] {
        csv.split(separator: "\n").dropFirst().map { String($0.split(separator: ",", omittingEmptySubsequences: false)[column]) }
    }

    @Test func predictReproducesTheRunsPredictionsFromTheSavedModel() throws {
        let (data, out, models) = try runToy("softmax,knn,forest")
        for name in ["softmax", "knn", "forest"] {
            let report = try String(contentsOfFile: "\(out)/\(name)/report.md", encoding: .utf8)
            #expect(report.contains("## Saved model") && report.contains("\(models)/\(name).model"))
            let csvPath = out + "/\(name)-predicted.csv"
            let status = BenchCommand.main(["predict", "--model", "\(models)/\(name).model", data + "/t10k-images-idx3-ubyte",
                                            "--output", csvPath, "--quiet"])
            #expect(status == 0)
            let csv = try String(contentsOfFile: csvPath, encoding: .utf8)
            let lines = csv.split(separator: "\n")
            #expect(lines.first == "source,index,predicted,confidence,score_0,score_1")
            #expect(lines.count == 31)
            let expected = predictedColumn(try String(contentsOfFile: "\(out)/\(name)/predictions.csv", encoding: .utf8), column: 2)
            #expect(predictedColumn(csv, column: 2) == expected, "\(name)")
            #expect(predictedColumn(csv, column: 1) == (0 ..< 30).map(String.init))
            for line in lines.dropFirst() {
                let fields = line.split(separator: ",").map(String.init)
                let scores = fields[4...].compactMap(Float.init)
                #expect(scores.count == 2 && abs(scores.reduce(0, +) - 1) < 1e-5)
                #expect(Float(fields[3]) == scores[Int(fields[2])!], "confidence is the predicted class's score")
            }
        }
    }

    @Test func preprocessingTravelsWithTheSavedModel() throws {
        let data = TestData.temporaryDirectory(), out = TestData.temporaryDirectory(), models = out + "/models"
        try IDXBytes.writeToyDataset(to: data, training: 80, test: 30, side: 8)
        #expect(BenchCommand.main(["run", "--algo", "knn", "--folds", "0", "--data", data, "--out", out, "--models", models,
                                   "--set", "knn.preprocess=deskew", "--set", "knn.k=1", "--quiet"]) == 0)
        let report = try String(contentsOfFile: out + "/knn/report.md", encoding: .utf8)
        #expect(report.contains("| preprocess | deskew | none |"))
        let csvPath = out + "/predicted.csv"
        #expect(BenchCommand.main(["predict", "--model", models + "/knn.model", data + "/t10k-images-idx3-ubyte", "--output", csvPath, "--quiet"]) == 0)
        let expected = predictedColumn(try String(contentsOfFile: out + "/knn/predictions.csv", encoding: .utf8), column: 2)
        #expect(predictedColumn(try String(contentsOfFile: csvPath, encoding: .utf8), column: 2) == expected)
        // The loaded model applies the step itself.
        let loaded = try ModelFile.load(models + "/knn.model", registry: registeredClassifiers)
        #expect(loaded.model is PreprocessedModel)
        #expect(loaded.classifier.preprocessing == .deskew)
    }

    @Test func damagedOrMissingInputsGetTheirExitStatus() throws {
        let (data, out, models) = try runToy("softmax")
        let model = "\(models)/softmax.model"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        let truncated = out + "/bad.model"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        let images = data + "/t10k-images-idx3-ubyte"
        #expect(BenchCommand.main(["predict", "--model", truncated, images, "--quiet"]) == 65)
        #expect(BenchCommand.main(["predict", "--model", out + "/none.model", images, "--quiet"]) == 66)
        #expect(BenchCommand.main(["predict", "--model", data + "/t10k-labels-idx1-ubyte", images, "--quiet"]) == 65, "not a model file")
        // A damaged image file among good ones: named, skipped, the others predicted, exit 65.
        let damaged = out + "/damaged-idx3-ubyte"
        try Data(try Data(contentsOf: URL(fileURLWithPath: images)).prefix(50)).write(to: URL(fileURLWithPath: damaged))
        let csv = out + "/p.csv"
        #expect(BenchCommand.main(["predict", "--model", model, images, damaged, images, "--output", csv, "--quiet"]) == 65)
        #expect(try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").count == 61)
        // Images of another size than the model's.
        let other = out + "/other-idx3-ubyte"
        try Data(IDXBytes.images(count: 1, height: 5, width: 7, pixels: [UInt8](repeating: 1, count: 35))).write(to: URL(fileURLWithPath: other))
        #expect(BenchCommand.main(["predict", "--model", model, other, "--output", out + "/q.csv", "--quiet", "--normalize", "never"]) == 65)
        #expect(BenchCommand.main(["predict", "--model", model, other, "--output", out + "/q.csv", "--quiet"]) == 0, "auto normalises it")
        // An output that cannot be written.
        try "x".write(toFile: out + "/blocker", atomically: true, encoding: .utf8)
        #expect(BenchCommand.main(["predict", "--model", model, images, "--output", out + "/blocker/p.csv", "--quiet"]) == 73)
    }

    @Test(arguments: [
        ["predict"], ["predict", "--model", "m.model"], ["predict", "x.idx"], ["predict", "--model"],
        ["predict", "--model", "a", "--model", "b", "x"], ["predict", "--modle", "m", "x"], ["predict", "--jobs", "0", "--model", "m", "x"],
        ["list", "extra"], ["kernels", "--jobs", "-1"], ["kernels", "--out", ""], ["runn", "--all"], ["help", "nothing"],
        ["run", "--all", "--models", "m", "--no-models"], ["run", "--all", "--models="],
    ])
    func mistakesInSubcommandsAreUsageErrors(arguments: [String]) {
        #expect(BenchCommand.main(arguments) == 64, "\(arguments)")
    }

    @Test(arguments: ["run", "predict", "list", "kernels"])
    func everySubcommandHasItsOwnHelp(subcommand: String) {
        #expect(BenchCommand.main([subcommand, "--help"]) == 0)
        #expect(BenchCommand.main(["help", subcommand]) == 0)
    }
}
