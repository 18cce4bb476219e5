import BenchCore

/// One unit of a run's work: fitting and scoring one cross-validation fold, or fitting the
/// final model on the whole training set and scoring it on the test set.
///
/// A run is a list of units (``RunPlan``); each unit's outcome is a ``UnitOutcome`` record,
/// and reports are rendered from the records alone. A unit is determined by its algorithm,
/// its kind and the run's seed, data and settings, so its record can be stored, reused and
/// merged with records computed elsewhere.
public struct WorkUnit: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What the unit computes.
    public enum Kind: Sendable, Hashable, Codable {
        /// Fold `index` (from 1) of `count` of the `repeat`-th (from 1) split: fit on the other
        /// folds, score on this one.
        case fold(index: Int, count: Int, repeat: Int)
        /// Fit on the whole training set, score on the test set.
        case final
    }

    /// The classifier's command-line name.
    public let algorithm: String
    public let kind: Kind
    /// For a fold unit of a successive-halving round before the last: the size of the
    /// stratified subsample of the fold's training images it fits on (`nil`: all of them).
    public var trainingSubset: Int?

    public init(algorithm: String, kind: Kind, trainingSubset: Int? = nil) {
        self.algorithm = algorithm
        self.kind = kind
        self.trainingSubset = trainingSubset
    }

    /// "softmax fold 2/5", "softmax final", "svm fold 2/5 on 5333 images".
    public var description: String {
        let subset = trainingSubset.map { " on \($0) images" } ?? ""
        switch kind {
        case .fold(let index, let count, let repeated): return (repeated == 1 ? "\(algorithm) fold \(index)/\(count)" : "\(algorithm) repeat \(repeated) fold \(index)/\(count)") + subset
        case .final: return "\(algorithm) final"
        }
    }
}

/// The units of a run, in the order they are reported: for each algorithm its folds, then its
/// final model.
public struct RunPlan: Sendable, Equatable {
    /// Algorithms, in run order.
    public let algorithms: [String]
    /// Cross-validation folds (0: none), and how many differently seeded splits into folds.
    public let folds: Int
    public let repeats: Int

    public init(algorithms: [String], folds: Int, repeats: Int = 1) {
        self.algorithms = algorithms
        self.folds = folds
        self.repeats = max(1, repeats)
    }

    /// The units of one algorithm: its folds, repeat by repeat, then its final model.
    public func units(of algorithm: String) -> [WorkUnit] {
        (1 ..< repeats + 1).flatMap { r in
            (1 ..< max(folds, 0) + 1).map { WorkUnit(algorithm: algorithm, kind: .fold(index: $0, count: folds, repeat: r)) }
        } + [WorkUnit(algorithm: algorithm, kind: .final)]
    }

    /// Every unit of the run.
    public var units: [WorkUnit] { algorithms.flatMap(units(of:)) }
}

extension WorkUnit {
    /// The fold number (from 1) of a fold unit.
    public var foldIndex: Int? {
        if case .fold(let index, _, _) = kind { return index }
        return nil
    }

    /// The repeat (from 1) of a fold unit.
    public var repeatIndex: Int? {
        if case .fold(_, _, let repeated) = kind { return repeated }
        return nil
    }
}
