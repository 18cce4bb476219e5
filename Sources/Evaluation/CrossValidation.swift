import BenchCore
import Dispatch

/// The outcome of one cross-validation fold. A fold whose fit failed keeps its error as data
/// instead of stopping the run (as scikit-learn's `cross_validate` with `error_score`).
public struct FoldResult: Sendable {
    /// Fold number, from 1.
    public let fold: Int
    public let trainingCount: Int
    public let testCount: Int
    public let fitSeconds: Double
    public let predictSeconds: Double
    /// The fold's confusion matrix, or `nil` if the fit failed.
    public let confusion: ConfusionMatrix?
    /// Why the fit failed, if it did.
    public let error: String?

    /// Held-out accuracy, or `nil` if the fit failed.
    public var accuracy: Double? { confusion?.accuracy }
}

/// All folds of one cross-validation.
public struct CrossValidationResult: Sendable {
    public let folds: [FoldResult]

    /// Mean and standard deviation of held-out accuracy over the folds that succeeded.
    public var accuracy: (mean: Double, std: Double) {
        meanAndStandardDeviation(folds.compactMap(\.accuracy))
    }
}

/// The final model's evaluation on the test set.
public struct TestEvaluation: Sendable {
    /// One prediction per test image, in test-set order.
    public let predictions: [Int]
    public let confusion: ConfusionMatrix
    public let metrics: ClassificationMetrics
    /// Seconds to fit the final model on the whole training set.
    public let fitSeconds: Double
    /// Seconds to predict the whole test set.
    public let predictSeconds: Double
    /// What the fitted model says about itself.
    public let model: ModelReport
}

/// The seeds of a run, each derived from `--seed` so that no two random choices share a stream.
public enum SeedStream {
    public static func subsample(_ seed: UInt64) -> UInt64 { SplitMix64.derive(seed, 1) }
    public static func folds(_ seed: UInt64) -> UInt64 { SplitMix64.derive(seed, 2) }
    public static func finalModel(_ seed: UInt64) -> UInt64 { SplitMix64.derive(seed, 3) }
    public static func foldModel(_ seed: UInt64, fold: Int) -> UInt64 { SplitMix64.derive(seed, 1000 + UInt64(fold)) }
}

/// Stratified k-fold cross-validation of `classifier` on `data`, a fresh model per fold.
///
/// Folds run in parallel, up to `jobs` at a time, in rounds: a fold's fit gets
/// `jobs / concurrentFolds` threads, except in a last, partial round, whose folds share all
/// `jobs` threads (5 folds on 2 cores: two rounds of two folds on one thread each, then the
/// fifth fold on two threads, instead of leaving a core idle). Each fold's model has its own
/// seed, derived from `seed` and the fold number, and classifiers give the same model for any
/// thread count, so the result does not depend on `jobs`.
public func crossValidate(_ classifier: any Classifier, on data: LabeledImages, folds: Int, seed: UInt64,
                          jobs: Int, progress: ProgressLog) -> CrossValidationResult {
    let name = type(of: classifier).name
    let splits = StratifiedKFold(folds: folds).testIndices(labels: data.labels, classCount: data.classCount, seed: SeedStream.folds(seed))
    let plan = FoldSchedule(folds: folds, jobs: jobs)
    let concurrent = plan.concurrent
    progress.log("\(name): cross-validation, \(folds) folds, \(plan.description)")
    // Folds on threads of their own, so that a fold fitted alone uses all its threads.
    let results = parallelMapOnThreads(folds, threads: concurrent) { fold -> FoldResult in
        let label = "\(name) fold \(fold + 1)/\(folds)"
        let context = ExecutionContext(threads: plan.threads(fold: fold), progress: progress, label: label)
        let testIndices = splits[fold]
        let training = data.subset(StratifiedKFold.trainingIndices(count: data.count, excluding: testIndices))
        let held = data.subset(testIndices)
        context.report("fit on \(training.count) images")
        let start = DispatchTime.now()
        do {
            let model = try classifier.fit(training, seed: SeedStream.foldModel(seed, fold: fold), context: context)
            let fitSeconds = Stopwatch.seconds(since: start)
            let (predicted, predictSeconds) = Stopwatch.time { model.predict(held.images, context: context) }
            let confusion = ConfusionMatrix(truth: held.labels, predicted: predicted, classCount: data.classCount)
            context.report("accuracy \(percent(confusion.accuracy)), fit \(seconds(fitSeconds)), predict \(seconds(predictSeconds))")
            return FoldResult(fold: fold + 1, trainingCount: training.count, testCount: held.count, fitSeconds: fitSeconds,
                              predictSeconds: predictSeconds, confusion: confusion, error: nil)
        } catch {
            context.report("failed: \(error)")
            return FoldResult(fold: fold + 1, trainingCount: training.count, testCount: held.count,
                              fitSeconds: Stopwatch.seconds(since: start), predictSeconds: 0, confusion: nil, error: "\(error)")
        }
    }
    return CrossValidationResult(folds: results)
}

/// Fits `classifier` on all of `training` with `threads` threads and scores it on `test`.
/// - Throws: Whatever the fit throws.
public func evaluateOnTestSet(_ classifier: any Classifier, training: LabeledImages, test: LabeledImages, seed: UInt64,
                              threads: Int, progress: ProgressLog) throws -> TestEvaluation {
    let name = type(of: classifier).name
    let context = ExecutionContext(threads: threads, progress: progress, label: "\(name) final")
    context.report("fit on all \(training.count) training images, \(threads) thread(s)")
    let (model, fitSeconds) = try Stopwatch.time { try classifier.fit(training, seed: SeedStream.finalModel(seed), context: context) }
    context.report("fitted in \(seconds(fitSeconds)); predicting \(test.count) test images")
    let (predicted, predictSeconds) = Stopwatch.time { model.predict(test.images, context: context) }
    let confusion = ConfusionMatrix(truth: test.labels, predicted: predicted, classCount: test.classCount)
    context.report("test accuracy \(percent(confusion.accuracy)), predict \(seconds(predictSeconds))")
    return TestEvaluation(predictions: predicted, confusion: confusion, metrics: ClassificationMetrics(confusion),
                          fitSeconds: fitSeconds, predictSeconds: predictSeconds, model: model.report)
}

/// "97.05%".
public func percent(_ fraction: Double) -> String { String(format: "%.2f%%", fraction * 100) }
/// "1.23 s".
public func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }

import Foundation
