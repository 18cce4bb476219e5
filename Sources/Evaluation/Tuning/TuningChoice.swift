import BenchCore

/// One candidate's cross-validated score in one round.
public struct CandidateScore: Sendable, Equatable {
    /// Position in the grid (from 0).
    public let candidate: Int
    /// Held-out accuracy of each fold, in fold order (`nil` where the fit failed).
    public let foldAccuracies: [Double?]
    public let meanFitSeconds: Double
    public let meanPredictSeconds: Double

    public init(candidate: Int, foldAccuracies: [Double?], meanFitSeconds: Double, meanPredictSeconds: Double) {
        self.candidate = candidate
        self.foldAccuracies = foldAccuracies
        self.meanFitSeconds = meanFitSeconds
        self.meanPredictSeconds = meanPredictSeconds
    }

    /// Mean and population standard deviation over the folds; a failed fold counts as 0, so a
    /// candidate that fails is never chosen over one that works (scikit-learn's error_score=0
    /// would do the same).
    public var mean: Double { meanAndStandardDeviation(foldAccuracies.map { $0 ?? 0 }).mean }
    public var std: Double { meanAndStandardDeviation(foldAccuracies.map { $0 ?? 0 }).std }
}

/// How candidates are ranked: by mean cross-validated accuracy. Only cross-validation records
/// enter here, never a test label: the choice cannot depend on the test set.
public enum TuningChoice {
    /// Candidates best first: highest mean accuracy, then earlier in the grid. Used to keep the
    /// best ⌈n/η⌉ between halving rounds: it depends on the predictions alone, so every shard
    /// and every rerun keeps the same ones.
    public static func ranked(_ scores: [CandidateScore]) -> [CandidateScore] {
        scores.sorted { $0.mean != $1.mean ? $0.mean > $1.mean : $0.candidate < $1.candidate }
    }

    /// The choice among the last round's candidates: the highest mean accuracy; an exact tie
    /// goes to the lower mean fit time, then to the earlier candidate.
    public static func chosen(_ scores: [CandidateScore]) -> CandidateScore? {
        scores.min { a, b in
            if a.mean != b.mean { return a.mean > b.mean }
            if a.meanFitSeconds != b.meanFitSeconds { return a.meanFitSeconds < b.meanFitSeconds }
            return a.candidate < b.candidate
        }
    }

    /// 1-based ranks by ``ranked(_:)``, by candidate.
    public static func ranks(_ scores: [CandidateScore]) -> [Int: Int] {
        Dictionary(uniqueKeysWithValues: ranked(scores).enumerated().map { ($0.element.candidate, $0.offset + 1) })
    }
}
