import BenchCore
import Evaluation
import Foundation
import Testing

/// Predicts the class whose mean image is nearest: a tiny, exact classifier for harness tests.
struct NearestCentroid: Classifier {
    static let name = "centroid"
    static let title = "Nearest centroid"
    static let hyperparameters: [Hyperparameter] = [
        Hyperparameter("failOnFold", .integer(0 ... 100), default: .integer(0), help: "throw when fitted on this many images"),
    ]
    let settings: HyperparameterSettings
    let failOnFold: Int
    init(settings: HyperparameterSettings) {
        self.settings = settings
        failOnFold = settings.integer("failOnFold")
    }

    struct Model: FittedClassifier {
        let centroids: [[Float]]
        let inputHeight: Int, inputWidth: Int
        var classCount: Int { centroids.count }

        func classify(_ images: ImageSet, context: ExecutionContext) -> Prediction {
            var scores: [Float] = []
            let features = images.features
            let labels = (0 ..< images.count).map { r in
                let row = features.row(r)
                let distances = centroids.map { c in zip(row, c).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
                let best = distances.firstIndex(of: distances.min()!)!
                scores += centroids.indices.map { $0 == best ? 1 : 0 }
                return best
            }
            return Prediction(labels: labels, scores: ScoreMatrix(rows: images.count, classCount: classCount, values: scores)!,
                              diagnostics: Diagnostics(facts: [Fact("images", String(images.count))]))
        }

        func encode(into archive: inout ModelArchive) {
            archive.put("centroids", floats: centroids.flatMap { $0 })
        }
    }

    func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> FitResult {
        if training.count == failOnFold { throw FitError("asked to fail") }
        let d = training.images.pixelCount
        var sums = [[Float]](repeating: [Float](repeating: 0, count: d), count: training.classCount)
        let features = training.images.features
        for (r, label) in training.labels.enumerated() {
            for (j, v) in features.row(r).enumerated() { sums[label][j] += v }
        }
        let counts = training.classCounts
        let model = Model(centroids: sums.enumerated().map { c, s in s.map { $0 / Float(max(counts[c], 1)) } },
                          inputHeight: training.images.height, inputWidth: training.images.width)
        return FitResult(model: model, diagnostics: Diagnostics(facts: [Fact("classes", String(training.classCount))]))
    }

    func decodeModel(_ archive: ModelArchive) throws(ModelArchiveError) -> any FittedClassifier {
        let d = archive.inputHeight * archive.inputWidth
        let values = try archive.floats("centroids", count: archive.classCount * d)
        return Model(centroids: (0 ..< archive.classCount).map { Array(values[$0 * d ..< ($0 + 1) * d]) },
                     inputHeight: archive.inputHeight, inputWidth: archive.inputWidth)
    }
}

@Suite struct CrossValidationTests {
    /// Two well-separated classes of 2-pixel images.
    let data: LabeledImages = {
        var bytes: [UInt8] = []
        var labels: [Int] = []
        for i in 0 ..< 30 {
            let label = i % 2
            bytes += label == 0 ? [200, UInt8(i)] : [UInt8(i), 200]
            labels.append(label)
        }
        return LabeledImages(images: ImageSet(height: 1, width: 2, bytes: bytes), labels: labels, classCount: 2)
    }()

    func runner(_ data: LabeledImages, test: LabeledImages? = nil) -> UnitRunner {
        UnitRunner(training: data, test: test ?? data, seed: 1, progress: .silent)
    }

    @Test(arguments: [1, 2, 3])
    func everyFoldIsScoredAndJobsDoNotChangeResults(jobs: Int) {
        let folds = runner(data).crossValidate(NearestCentroid(settings: NearestCentroid.defaultSettings), folds: 3, jobs: jobs)
        #expect(folds.map(\.unit) == RunPlan(algorithms: ["centroid"], folds: 3).units.dropLast())
        #expect(folds.map(\.testCount) == [10, 10, 10])
        #expect(folds.allSatisfy { $0.accuracy == 1 && $0.predictions.count == 10 && $0.scores?.rows == 10 })
        #expect(folds.allSatisfy { $0.diagnostics.fact(named: "classes") == "2" && $0.diagnostics.fact(named: "images") == "10" },
                "a unit's record holds the fit's diagnostics, then the prediction's")
        #expect(meanAndStandardDeviation(folds.compactMap(\.accuracy)) == (1, 0))
    }

    @Test func aFailingFoldIsRecordedNotFatal() throws {
        let folds = runner(data).crossValidate(try NearestCentroid.configured([("failOnFold", .integer(20))]), folds: 3, jobs: 2)
        #expect(folds.allSatisfy { $0.error == "asked to fail" && $0.accuracy == nil && $0.predictions.isEmpty })
    }

    @Test func theFinalUnitScoresTheTestSet() throws {
        let (outcome, model) = runner(data, test: data.subset([0, 1, 2, 3])).final(NearestCentroid(settings: NearestCentroid.defaultSettings), threads: 1)
        #expect(outcome.unit == WorkUnit(algorithm: "centroid", kind: .final))
        #expect(outcome.predictions == [0, 1, 0, 1])
        #expect(outcome.accuracy == 1)
        #expect(model != nil)
    }

    @Test func aModelRefusesImagesOfAnotherSize() throws {
        let model = try NearestCentroid(settings: NearestCentroid.defaultSettings).fit(data, seed: 0, context: ExecutionContext(threads: 1)).model
        #expect(throws: InputShapeError.self) { try model.predict(ImageSet(height: 2, width: 1, bytes: [1, 2]), context: ExecutionContext(threads: 1)) }
    }

    @Test func recordsSurviveEncoding() throws {
        let folds = runner(data).crossValidate(NearestCentroid(settings: NearestCentroid.defaultSettings), folds: 3, jobs: 2)
        var outcome = folds[1]
        outcome.savedModel = SavedModel(path: "m/centroid.model", bytes: 12, loadSeconds: 0.5)
        let decoded = try JSONDecoder().decode(UnitOutcome.self, from: try JSONEncoder().encode(outcome))
        #expect(decoded == outcome)
    }

    @Test func aStoredConfusionMatrixMustFillItsCells() {
        let bad = Data(#"{"classCount": 3, "counts": [1, 2]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ConfusionMatrix.self, from: bad) }
    }

    @Test(arguments: [
        (5, 2, [1, 1, 1, 1, 2]), (3, 2, [1, 1, 2]), (2, 2, [1, 1]), (5, 1, [1, 1, 1, 1, 1]),
        (5, 4, [1, 1, 1, 1, 4]), (7, 3, [1, 1, 1, 1, 1, 1, 3]), (5, 3, [1, 1, 1, 1, 1]), (2, 8, [4, 4]),
    ])
    func foldsOfALastPartialRoundShareAllThreads(folds: Int, jobs: Int, expected: [Int]) {
        let plan = FoldSchedule(folds: folds, jobs: jobs)
        #expect((0 ..< folds).map(plan.threads(fold:)) == expected, "\(folds) folds on \(jobs) jobs")
    }
}
