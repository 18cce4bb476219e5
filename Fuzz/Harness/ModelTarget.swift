import BenchCLI
import BenchCore
import ModelFile

extension FuzzTarget {
    /// The bytes as `bench predict --model` takes a model file once it is read
    /// (``ModelFile/decode(_:path:registry:)``: the checksum, the header and every array's
    /// range, then the registry's classifier decodes the archive), first as given and then
    /// resealed (``resealed(_:)``), so that changes get past the checksum; then one prediction
    /// from a model that decodes.
    static func model(_ bytes: [UInt8]) -> Ending {
        let asGiven = decodedModel(bytes)
        guard let sealed = resealed(bytes), sealed != bytes else { return asGiven }
        return decodedModel(sealed)
    }

    static func decodedModel(_ bytes: [UInt8]) -> Ending {
        let loaded: ModelFile.Loaded
        do {
            loaded = try ModelFile.decode(bytes, path: "input.model", registry: registeredClassifiers)
        } catch {
            return .error(error.description)
        }
        return .value("\(loaded.envelope.algorithm): " + predicted(by: loaded.model))
    }

    /// The most pixels an image may have for the harness to predict it: a decoder may accept a
    /// model for images of up to 16,384 × 16,384 pixels (``ModelFile/sideLimit``), which no
    /// fuzzer iteration should spend its time on.
    static let largestPredictedImage = 4_096

    /// Two images (black, and a ramp of grey levels) through the model: decoders check every
    /// value a model will index with, so a decoded model must predict without trapping, give
    /// each image a label among its classes and a row of scores.
    static func predicted(by model: any FittedClassifier) -> String {
        let (height, width, classes) = (model.inputHeight, model.inputWidth, model.classCount)
        require(height >= 1 && width >= 1 && classes >= 1, "a model of \(height)×\(width) images and \(classes) classes was accepted")
        let pixels = height * width
        guard pixels <= largestPredictedImage else { return "\(height)×\(width) images, \(classes) classes (not predicted: too large)" }
        let images = ImageSet(height: height, width: width, bytes: (0 ..< 2 * pixels).map { $0 < pixels ? 0 : UInt8(truncatingIfNeeded: $0 * 37) })
        let prediction: Prediction
        do {
            prediction = try model.predict(images, context: ExecutionContext(threads: 1))
        } catch {
            require(false, "the model refused images of its own size: \(error.message)")
            return ""
        }
        require(prediction.labels.count == 2, "\(prediction.labels.count) labels for 2 images")
        require(prediction.labels.allSatisfy { (0 ..< classes).contains($0) }, "labels \(prediction.labels) outside 0..<\(classes)")
        require(prediction.scores.rows == 2 && prediction.scores.classCount == classes,
                "scores of \(prediction.scores.rows)×\(prediction.scores.classCount) for 2 images of \(classes) classes")
        return "\(height)×\(width) images, \(classes) classes, labels \(prediction.labels)"
    }
}
