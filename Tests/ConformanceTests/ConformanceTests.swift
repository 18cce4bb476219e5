import BenchCLI
import BenchCore
import Foundation
import ModelFile
import TestSupport
import Testing

/// The contract every registered classifier keeps, checked over the registry, so that a new
/// classifier gets all of it by being registered (scikit-learn's `check_estimator`):
/// it beats chance by far on a small MNIST subset, its labels are classes and its scores rows
/// that sum to 1 with the label's score the largest, the same seed refits the same model on
/// 1 or 2 threads, a saved and loaded model predicts identical labels and scores, images of
/// another size are an error, and an out-of-range setting is refused with the standard message.
@Suite struct ConformanceTests {
    static let names = registeredClassifiers.map { $0.name }

    static func type(_ name: String) throws -> any Classifier.Type {
        try #require(registeredClassifiers.first { $0.name == name })
    }

    /// 1,000 stratified training images and the first 300 test images.
    static let sample: Result<(LabeledImages, LabeledImages), any Error> = Result { try TestData.mnistSample(training: 1000, test: 300) }

    @Test(arguments: names)
    func keepsTheClassifierContract(name: String) throws {
        let type = try Self.type(name)
        let (training, test) = try Self.sample.get()
        let classifier = try type.configured()
        let fitted = try classifier.fit(training, seed: 11, context: ExecutionContext(threads: 2))
        let model = fitted.model
        #expect(model.inputHeight == 28 && model.inputWidth == 28 && model.classCount == 10)
        let prediction = try model.predict(test.images, context: ExecutionContext(threads: 2))

        // Beats chance (10%) by far; labels are classes; scores are rows of probabilities.
        let correct = zip(prediction.labels, test.labels).filter { $0 == $1 }.count
        #expect(Double(correct) / Double(test.count) >= 0.6, "\(name): \(correct) of \(test.count) right")
        #expect(prediction.labels.count == test.count && prediction.labels.allSatisfy { (0 ..< 10).contains($0) })
        #expect(prediction.scores.rows == test.count && prediction.scores.classCount == 10)
        for (row, label) in prediction.labels.enumerated() {
            let scores = prediction.scores.row(row)
            #expect(scores.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }, "\(name): image \(row) has scores \(Array(scores))")
            #expect(abs(scores.reduce(0, +) - 1) < 1e-4, "\(name): image \(row)'s scores sum to \(scores.reduce(0, +))")
            #expect(scores[scores.startIndex + label] == scores.max(), "\(name): image \(row)'s label \(label) is not its best score")
        }

        // The same seed gives the same model, on 2 threads again and on 1.
        for threads in [2, 1] {
            let refit = try classifier.fit(training, seed: 11, context: ExecutionContext(threads: threads)).model
            let again = try refit.predict(test.images, context: ExecutionContext(threads: threads))
            #expect(again.labels == prediction.labels && again.scores == prediction.scores, "\(name): refit on \(threads) thread(s) differs")
            #expect(refit.archive == model.archive, "\(name): refit on \(threads) thread(s) has other parameters")
        }

        // Saved and loaded in a file, it predicts the same labels and scores.
        let path = TestData.temporaryDirectory() + "/\(name).model"
        try ModelFile.write(model.archive, envelope: ModelFile.Envelope(
            algorithm: name, settings: classifier.settings.entries.map { ModelFile.Setting($0.name, $0.value) },
            trainingData: [], programVersion: "test"), to: path)
        let loaded = try ModelFile.load(path, registry: registeredClassifiers)
        #expect(loaded.envelope.algorithm == name)
        #expect(loaded.classifier.settings == classifier.settings)
        let reloaded = try loaded.model.predict(test.images, context: ExecutionContext(threads: 1))
        #expect(reloaded.labels == prediction.labels, "\(name): the loaded model predicts other labels")
        #expect(reloaded.scores == prediction.scores, "\(name): the loaded model gives other scores")

        // Images of another size are an error, not a crash.
        let wrong = ImageSet(height: 27, width: 29, bytes: [UInt8](repeating: 9, count: 2 * 27 * 29))
        #expect(throws: InputShapeError.self) { try model.predict(wrong, context: ExecutionContext(threads: 1)) }
        #expect(throws: InputShapeError.self) { try loaded.model.predict(wrong, context: ExecutionContext(threads: 1)) }
    }

    /// A value just outside what `parameter` accepts, as text (nil for a boolean's values,
    /// which are all valid: then a word that is no boolean).
    static func outOfRange(_ parameter: Hyperparameter) -> String {
        switch parameter.kind {
        case .integer(let range): return range.upperBound < Int.max ? String(range.upperBound + 1) : String(range.lowerBound - 1)
        case .real(let minimum, let inclusive, let maximum):
            if minimum.isFinite { return inclusive ? String(minimum - 1) : String(minimum) }
            return maximum.isFinite ? String(maximum * 2 + 1) : "nan"
        case .boolean: return "maybe"
        case .choice(let words): return words.joined() + "-not"
        case .integerList(let range): return "\(range.lowerBound - 1)"
        }
    }

    @Test(arguments: names)
    func refusesOutOfRangeSettingsWithTheStandardMessage(name: String) throws {
        let type = try Self.type(name)
        #expect(!type.allHyperparameters.isEmpty)
        for parameter in type.allHyperparameters {
            var settings = type.defaultSettings
            let text = Self.outOfRange(parameter)
            do {
                try settings.set(parameter.name, text: text)
                Issue.record("\(name).\(parameter.name) accepted '\(text)'")
            } catch {
                #expect(error.message.hasPrefix("The '\(parameter.name)' parameter of \(name) must be "), "\(error.message)")
                #expect(error.message.hasSuffix("Got '\(text)' instead."), "\(error.message)")
            }
            #expect(settings == type.defaultSettings, "a refused value changes nothing")
        }
        // Every default is accepted as it is printed.
        var settings = type.defaultSettings
        for (parameter, value) in settings.entries { try settings.set(parameter, text: value) }
        #expect(settings == type.defaultSettings)
    }
}
