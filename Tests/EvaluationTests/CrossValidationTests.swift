import BenchCore
import Evaluation
import Testing

/// Predicts the class whose mean image is nearest: a tiny, exact classifier for harness tests.
struct NearestCentroid: Classifier {
    static let name = "centroid"
    static let title = "Nearest centroid"
    static let hyperparameters: [Hyperparameter] = [
        Hyperparameter("failOnFold", .integer(0 ... 100), default: .integer(0), help: "throw when fitted on this many images"),
    ]
    let settings: HyperparameterSettings
    init(settings: HyperparameterSettings) { self.settings = settings }

    struct Model: FittedClassifier {
        let centroids: [[Float]]
        func predict(_ images: ImageSet, context: ExecutionContext) -> [Int] {
            (0 ..< images.count).map { r in
                let row = images.features.row(r)
                let distances = centroids.map { c in zip(row, c).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
                return distances.firstIndex(of: distances.min()!)!
            }
        }
    }

    func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> any FittedClassifier {
        if training.count == settings.integer("failOnFold") { throw FitError("asked to fail") }
        let d = training.images.pixelCount
        var sums = [[Float]](repeating: [Float](repeating: 0, count: d), count: training.classCount)
        for (r, label) in training.labels.enumerated() {
            for (j, v) in training.images.features.row(r).enumerated() { sums[label][j] += v }
        }
        let counts = training.classCounts
        return Model(centroids: sums.enumerated().map { c, s in s.map { $0 / Float(max(counts[c], 1)) } })
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

    @Test(arguments: [1, 2, 3])
    func everyFoldIsScoredAndJobsDoNotChangeResults(jobs: Int) {
        let result = crossValidate(NearestCentroid(settings: NearestCentroid.defaultSettings), on: data, folds: 3, seed: 1,
                                   jobs: jobs, progress: .silent)
        #expect(result.folds.map(\.fold) == [1, 2, 3])
        #expect(result.folds.map(\.testCount) == [10, 10, 10])
        #expect(result.folds.allSatisfy { $0.accuracy == 1 })
        #expect(result.accuracy.mean == 1 && result.accuracy.std == 0)
    }

    @Test func aFailingFoldIsRecordedNotFatal() {
        var settings = NearestCentroid.defaultSettings
        settings.set("failOnFold", .integer(20))  // every fold trains on 20 images
        let result = crossValidate(NearestCentroid(settings: settings), on: data, folds: 3, seed: 1, jobs: 2, progress: .silent)
        #expect(result.folds.allSatisfy { $0.error == "asked to fail" && $0.accuracy == nil })
    }

    @Test func testEvaluationScoresTheFinalModel() throws {
        let evaluation = try evaluateOnTestSet(NearestCentroid(settings: NearestCentroid.defaultSettings), training: data,
                                               test: data.subset([0, 1, 2, 3]), seed: 1, threads: 1, progress: .silent)
        #expect(evaluation.predictions == [0, 1, 0, 1])
        #expect(evaluation.metrics.accuracy == 1)
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
