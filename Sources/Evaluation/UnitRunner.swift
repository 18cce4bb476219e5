import BenchCore
import Dispatch
import Imaging

/// The seeds of a run, each derived from `--seed` so that no two random choices share a stream.
public enum SeedStream {
    public static func subsample(_ seed: UInt64) -> UInt64 { SplitMix64.derive(seed, 1) }
    public static func folds(_ seed: UInt64) -> UInt64 { SplitMix64.derive(seed, 2) }
    /// The folds of the `repeat`-th split (from 1); the first is ``folds(_:)``.
    public static func folds(_ seed: UInt64, repeat repeated: Int) -> UInt64 {
        repeated <= 1 ? folds(seed) : SplitMix64.derive(folds(seed), UInt64(repeated))
    }
    public static func finalModel(_ seed: UInt64) -> UInt64 { SplitMix64.derive(seed, 3) }
    /// The subsample of `size` training images of fold `fold` (from 0) of the `repeat`-th split,
    /// for a successive-halving round: the same for every candidate, so they compete on equal data.
    public static func roundSubsample(_ seed: UInt64, fold: Int, repeat repeated: Int, size: Int) -> UInt64 {
        SplitMix64.derive(SplitMix64.derive(seed, 4), UInt64(repeated) << 48 ^ UInt64(fold) << 32 ^ UInt64(size))
    }
    public static func foldModel(_ seed: UInt64, fold: Int) -> UInt64 { SplitMix64.derive(seed, 1000 + UInt64(fold)) }
    /// The model of fold `fold` (from 0) of the `repeat`-th split; the first split's are ``foldModel(_:fold:)``.
    public static func foldModel(_ seed: UInt64, fold: Int, repeat repeated: Int) -> UInt64 {
        repeated <= 1 ? foldModel(seed, fold: fold) : SplitMix64.derive(foldModel(seed, fold: fold), UInt64(repeated))
    }
}

/// Runs the units of one run on its data: each fold or final unit fits a fresh model with the
/// seed the unit derives from `seed`, scores it, and returns its ``UnitOutcome``.
///
/// The same seed gives the same records for any thread count: every fit has its own seed,
/// classifiers give the same model for any thread count, and folds are the same for every
/// algorithm (``StratifiedKFold`` with the run's fold seed).
public struct UnitRunner: Sendable {
    public let training: LabeledImages
    public let test: LabeledImages
    public let seed: UInt64
    public let progress: ProgressLog

    public init(training: LabeledImages, test: LabeledImages, seed: UInt64, progress: ProgressLog) {
        self.training = training
        self.test = test
        self.seed = seed
        self.progress = progress
    }

    /// The held-out indices of each of `folds` folds of the `repeat`-th split (from 1), ascending.
    /// The first split is the one a run without repeats makes; each other has its own seed
    /// (scikit-learn's `RepeatedStratifiedKFold`).
    public func foldIndices(_ folds: Int, repeat repeated: Int = 1) -> [[Int]] {
        StratifiedKFold(folds: folds).testIndices(labels: training.labels, classCount: training.classCount,
                                                  seed: SeedStream.folds(seed, repeat: repeated))
    }

    /// Every fold unit of `classifier`, run in parallel under `jobs` threads.
    public func crossValidate(_ classifier: any Classifier, folds: Int, repeats: Int = 1, jobs: Int) -> [UnitOutcome] {
        let name = type(of: classifier).name
        let units = RunPlan(algorithms: [name], folds: folds, repeats: repeats).units(of: name).filter { $0.foldIndex != nil }
        return run(folds: units, of: classifier, jobs: jobs)
    }

    /// The fold units `units` of `classifier` (any of them, from any splits), run in parallel
    /// under `jobs` threads; `finished` receives each outcome as soon as its unit ends (to
    /// store it), on the unit's thread.
    ///
    /// Folds run in rounds, up to `jobs` at a time, each on a thread of its own
    /// (``parallelMapOnThreads``: libdispatch would narrow a fold's own parallel loops), with
    /// the threads ``FoldSchedule`` gives it: a fold of a last, partial round gets the threads
    /// a full round would have shared, so that no core waits idle for the last fold.
    public func run(folds units: [WorkUnit], of classifier: any Classifier, jobs: Int,
                    finished: @escaping @Sendable (UnitOutcome) -> Void = { _ in }) -> [UnitOutcome] {
        guard !units.isEmpty else { return [] }
        progress.log("\(type(of: classifier).name): cross-validation, \(units.count) fold unit(s), \(FoldSchedule(folds: units.count, jobs: jobs).description)")
        return run(folds: units.map { ($0, classifier) }, jobs: jobs) { _, outcome in finished(outcome) }
    }

    /// Fold units, each with its own configuration (the candidates of a tuning grid), run in
    /// parallel as ``run(folds:of:jobs:finished:)`` runs one configuration's; `finished`
    /// receives each outcome with its position in `pairs`.
    public func run(folds pairs: [(unit: WorkUnit, classifier: any Classifier)], jobs: Int,
                    finished: @escaping @Sendable (_ position: Int, UnitOutcome) -> Void = { _, _ in }) -> [UnitOutcome] {
        guard !pairs.isEmpty else { return [] }
        // Each split's folds, computed once for all the units that use it.
        var splits: [Int: [[Int]]] = [:]
        for pair in pairs {
            if case .fold(_, let count, let repeated) = pair.unit.kind, splits[repeated] == nil {
                splits[repeated] = foldIndices(count, repeat: repeated)
            }
        }
        let schedule = FoldSchedule(folds: pairs.count, jobs: jobs)
        let frozenSplits = splits
        let units = pairs.map(\.unit)
        let classifiers = pairs.map(\.classifier)
        return parallelMapOnThreads(pairs.count, threads: schedule.concurrent) { unitIndex in
            let unit = units[unitIndex]
            guard case .fold(let index, _, let repeated) = unit.kind, let split = frozenSplits[repeated], index >= 1, index <= split.count else {
                return UnitOutcome(unit: unit, trainingCount: 0, testCount: 0, fitSeconds: 0, predictSeconds: 0, threads: 1,
                                   predictions: [], scores: nil, confusion: nil, diagnostics: Diagnostics(), error: "not a fold unit")
            }
            let held = split[index - 1]
            var trainingIndices = StratifiedKFold.trainingIndices(count: training.count, excluding: held)
            if let size = unit.trainingSubset, size < trainingIndices.count {
                let labels = trainingIndices.map { training.labels[$0] }
                trainingIndices = stratifiedSubsample(labels: labels, classCount: training.classCount, size: size,
                                                      seed: SeedStream.roundSubsample(seed, fold: index - 1, repeat: repeated, size: size))
                    .sorted().map { trainingIndices[$0] }
            }
            let outcome = run(unit, classifiers[unitIndex], training: training.subset(trainingIndices), scoring: training.subset(held),
                              seed: SeedStream.foldModel(seed, fold: index - 1, repeat: repeated),
                              threads: schedule.threads(fold: unitIndex)).outcome
            finished(unitIndex, outcome)
            return outcome
        }
    }

    /// The final unit of `classifier`: fitted on all training images with `threads` threads and
    /// scored on the test set. Returns the model too, to be saved.
    public func final(_ classifier: any Classifier, threads: Int) -> (outcome: UnitOutcome, model: (any FittedClassifier)?) {
        let unit = WorkUnit(algorithm: type(of: classifier).name, kind: .final)
        return run(unit, classifier, training: training, scoring: test, seed: SeedStream.finalModel(seed), threads: threads)
    }

    /// Fits `classifier` on `training`, predicts `scoring`, and records it.
    func run(_ unit: WorkUnit, _ classifier: any Classifier, training: LabeledImages, scoring: LabeledImages, seed: UInt64,
             threads: Int) -> (outcome: UnitOutcome, model: (any FittedClassifier)?) {
        let context = ExecutionContext(threads: threads, progress: progress, label: unit.description)
        context.report("fit on \(training.count) images, \(threads) thread(s)")
        let start = DispatchTime.now()
        func failed(_ error: any Error, fitSeconds: Double) -> UnitOutcome {
            context.report("failed: \(error)")
            return UnitOutcome(unit: unit, trainingCount: training.count, testCount: scoring.count, fitSeconds: fitSeconds,
                               predictSeconds: 0, threads: threads, predictions: [], scores: nil, confusion: nil,
                               diagnostics: Diagnostics(), error: "\(error)")
        }
        let fitted: FitResult, fitSeconds: Double
        do {
            (fitted, fitSeconds) = try Stopwatch.time { try classifier.fitPreprocessed(training, seed: seed, context: context) }
        } catch {
            return (failed(error, fitSeconds: Stopwatch.seconds(since: start)), nil)
        }
        let prediction: Prediction, predictSeconds: Double
        do {
            (prediction, predictSeconds) = try Stopwatch.time { try fitted.model.predict(scoring.images, context: context) }
        } catch {
            return (failed(error, fitSeconds: fitSeconds), nil)
        }
        let confusion = ConfusionMatrix(truth: scoring.labels, predicted: prediction.labels, classCount: scoring.classCount)
        context.report("accuracy \(percent(confusion.accuracy)), fit \(seconds(fitSeconds)), predict \(seconds(predictSeconds))")
        let outcome = UnitOutcome(unit: unit, trainingCount: training.count, testCount: scoring.count, fitSeconds: fitSeconds,
                                  predictSeconds: predictSeconds, threads: threads, predictions: prediction.labels,
                                  scores: prediction.scores, confusion: confusion,
                                  diagnostics: fitted.diagnostics.merged(with: prediction.diagnostics), error: nil)
        return (outcome, fitted.model)
    }
}

/// "97.05%".
public func percent(_ fraction: Double) -> String { String(format: "%.2f%%", fraction * 100) }
/// "1.23 s".
public func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }

import Foundation
