import BenchCore
import Foundation

extension PreprocessingStep {
    /// `images` after this step (the same images for `.none`).
    public func apply(_ images: ImageSet, threads: Int) -> ImageSet {
        switch self {
        case .none: images
        case .deskew: Deskew.apply(images, threads: threads)
        }
    }
}

/// A fitted model that preprocesses every image before its inner model sees it: what a
/// classifier with `preprocess` other than `none` fits. It stores nothing of its own (the
/// step is in the model file's settings), so its archive is the inner model's.
public struct PreprocessedModel: FittedClassifier {
    public let step: PreprocessingStep
    public let model: any FittedClassifier

    public init(step: PreprocessingStep, model: any FittedClassifier) {
        self.step = step
        self.model = model
    }

    public var inputHeight: Int { model.inputHeight }
    public var inputWidth: Int { model.inputWidth }
    public var classCount: Int { model.classCount }

    public func classify(_ images: ImageSet, context: ExecutionContext) -> Prediction {
        model.classify(step.apply(images, threads: context.threads), context: context)
    }

    public func encode(into archive: inout ModelArchive) {
        model.encode(into: &archive)
    }
}

extension Classifier {
    /// Fits on the training images after the configuration's ``preprocessing`` step, and
    /// returns a model that applies the same step to every image it predicts: the fit the
    /// harness runs. (`fit` alone fits on the images as given.)
    public func fitPreprocessed(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> FitResult {
        let step = preprocessing
        guard step != .none else { return try fit(training, seed: seed, context: context) }
        let (images, seconds) = Stopwatch.time { step.apply(training.images, threads: context.threads) }
        context.report("\(step.rawValue): \(training.count) images in \(String(format: "%.3f", seconds)) s")
        let fitted = try fit(LabeledImages(images: images, labels: training.labels, classCount: training.classCount),
                             seed: seed, context: context)
        var diagnostics = fitted.diagnostics
        diagnostics.facts.insert(Fact("preprocessing", "\(step.rawValue), applied to every image before fitting and predicting"), at: 0)
        return FitResult(model: PreprocessedModel(step: step, model: fitted.model), diagnostics: diagnostics)
    }

    /// The model `archive` holds, applying the configuration's preprocessing step as the
    /// model that was saved did.
    public func decodePreprocessed(_ archive: ModelArchive) throws(ModelArchiveError) -> any FittedClassifier {
        let model = try decodeModel(archive)
        let step = preprocessing
        return step == .none ? model : PreprocessedModel(step: step, model: model)
    }
}
