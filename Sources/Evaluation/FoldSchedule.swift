/// How cross-validation spreads its folds over `jobs` threads: rounds of `concurrent` folds
/// at a time, in fold order (the order ``parallelMapOnThreads`` hands them out).
///
/// The folds of a last, partial round get the threads a full round would have shared, so that
/// no core waits idle for the last fold. The rounds are not strict: a last-round fold starts as
/// soon as any earlier fold ends, so for a moment it may share a core with a fold still
/// finishing. Which fold gets how many threads changes the timing only, never a model.
public struct FoldSchedule: Sendable, Equatable {
    public let folds: Int
    public let jobs: Int

    public init(folds: Int, jobs: Int) {
        self.folds = folds
        self.jobs = max(1, jobs)
    }

    /// Folds fitted at the same time.
    public var concurrent: Int { min(jobs, max(1, folds)) }

    /// Threads for fold `fold` (from 0): `jobs / concurrent` in the full rounds; the folds of a
    /// last, partial round divide all the threads between them.
    public func threads(fold: Int) -> Int {
        let fullRounds = folds / concurrent, lastRound = folds % concurrent
        let inLastRound = fold >= fullRounds * concurrent
        return max(1, jobs / (inLastRound && lastRound > 0 ? lastRound : concurrent))
    }

    public var description: String {
        let lastRound = folds % concurrent
        let base = "\(concurrent) at a time, \(threads(fold: 0)) thread(s) each"
        let last = threads(fold: folds - 1)
        return lastRound == 0 || last == threads(fold: 0) ? base : base + "; the last \(lastRound) with \(last) thread(s) each"
    }
}
