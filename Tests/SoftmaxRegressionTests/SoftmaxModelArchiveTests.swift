import BenchCore
import SoftmaxRegression
import TestSupport
import Testing

/// The saved model and the scores: a decoded model predicts exactly what the fitted one did, a
/// damaged archive is refused, and the scores are probabilities.
@Suite struct SoftmaxModelArchiveTests {
    let context = ExecutionContext(threads: 2)

    /// Labels and scores are the same, bit for bit.
    func expectIdentical(_ a: Prediction, _ b: Prediction, _ what: String) {
        #expect(a.labels == b.labels, "\(what): labels")
        #expect(a.scores.rows == b.scores.rows && a.scores.classCount == b.scores.classCount, "\(what): score shape")
        #expect(a.scores.values.map(\.bitPattern) == b.scores.values.map(\.bitPattern), "\(what): scores")
    }

    @Test func encodeThenDecodeGivesIdenticalLabelsAndScores() throws {
        let (training, test) = try TestData.mnistSample(training: 1_500, test: 400, seed: 6)
        let model = try SoftmaxRegression().fit(training, seed: 0, context: context).model
        let archive = model.archive
        #expect(archive.arrays.map(\.name) == ["theta"])
        let decoded = try SoftmaxRegression().decodeModel(archive)
        #expect(decoded.inputHeight == 28 && decoded.inputWidth == 28 && decoded.classCount == 10)
        expectIdentical(try model.predict(test.images, context: context), try decoded.predict(test.images, context: context), "softmax")
        #expect(decoded.archive == archive)
    }

    /// An archive as a 2 × 2 model with three classes would write it.
    func archive(theta: [Double]) -> ModelArchive {
        var archive = ModelArchive(inputHeight: 2, inputWidth: 2, classCount: 3)
        archive.put("theta", doubles: theta)
        return archive
    }

    @Test func decodeRejectsADamagedArchive() throws {
        let good = (0 ..< 15).map { Double($0) / 10 }
        _ = try SoftmaxRegression().decodeModel(archive(theta: good))
        var missing = ModelArchive(inputHeight: 2, inputWidth: 2, classCount: 3)
        missing.put("weights", doubles: good)
        var otherType = ModelArchive(inputHeight: 2, inputWidth: 2, classCount: 3)
        otherType.put("theta", floats: good.map(Float.init))
        var otherShape = archive(theta: good)
        otherShape.inputWidth = 3
        var noClasses = archive(theta: good)
        noClasses.classCount = 0
        var negativeSize = archive(theta: good)
        negativeSize.inputHeight = -1
        let damaged: [(String, ModelArchive)] = [
            ("truncated theta", archive(theta: Array(good.dropLast()))),
            ("theta with a NaN", archive(theta: good.enumerated().map { $0.offset == 7 ? .nan : $0.element })),
            ("theta with an infinity", archive(theta: good.enumerated().map { $0.offset == 14 ? .infinity : $0.element })),
            ("no theta", missing),
            ("float32 theta", otherType),
            ("another input size", otherShape),
            ("no classes", noClasses),
            ("a negative height", negativeSize),
        ]
        for (what, archive) in damaged {
            #expect(throws: ModelArchiveError.self, "\(what)") { try SoftmaxRegression().decodeModel(archive) }
        }
    }

    @Test func scoresAreProbabilitiesAndTheLabelHasTheLargest() throws {
        let (training, test) = try TestData.mnistSample(training: 1_000, test: 300, seed: 2)
        let prediction = try SoftmaxRegression().fit(training, seed: 0, context: context).model.predict(test.images, context: context)
        #expect(prediction.scores.rows == test.count && prediction.scores.classCount == 10)
        for r in 0 ..< test.count {
            let row = prediction.scores.row(r)
            #expect(row.allSatisfy { $0 >= 0 && $0 <= 1 }, "row \(r)")
            #expect(abs(row.reduce(0, +) - 1) < 1e-5, "row \(r) sums to \(row.reduce(0, +))")
            #expect(prediction.scores[r, prediction.labels[r]] == row.max(), "row \(r)")
        }
    }

    @Test func scoresStayFiniteForHugeRawScoresAndTiesGoToTheLowerClass() throws {
        // One pixel, three classes: raw scores x·w + b with w = (0, 0, 0) and b = (0, 9000, 9000).
        var huge = ModelArchive(inputHeight: 1, inputWidth: 1, classCount: 3)
        huge.put("theta", doubles: [0, 0, 0, 0, 9_000, 9_000])
        let model = try SoftmaxRegression().decodeModel(huge)
        let prediction = try model.predict(ImageSet(height: 1, width: 1, bytes: [0, 255]), context: context)
        #expect(prediction.labels == [1, 1])
        #expect(prediction.scores.values == [0, 0.5, 0.5, 0, 0.5, 0.5])
    }
}
