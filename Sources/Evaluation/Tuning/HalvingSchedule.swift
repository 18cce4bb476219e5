/// The rounds of successive halving (Jamieson and Talwalkar 2016, "Non-stochastic best arm
/// identification and hyperparameter optimization"; scikit-learn's HalvingGridSearchCV): each
/// round scores its candidates on subsets of every training fold, keeps the best ⌈n/η⌉, and
/// gives the next round η times more training images; the last round uses the whole folds.
///
/// With n candidates and factor η there are 1 + ⌊log_η n⌋ rounds (scikit-learn's
/// `n_required_iterations`), fewer if the smallest subset would hold less than `minimum`
/// images; round r keeps ⌈n/η^r⌉ candidates on `full / η^(R−1−r)` images.
public struct HalvingSchedule: Sendable, Equatable {
    public struct Round: Sendable, Equatable {
        /// Candidates scored in the round.
        public let candidates: Int
        /// Training images per fold (`nil`: the whole fold).
        public let trainingSubset: Int?

        public init(candidates: Int, trainingSubset: Int?) {
            self.candidates = candidates
            self.trainingSubset = trainingSubset
        }
    }

    public let rounds: [Round]

    /// - Parameters:
    ///   - candidates: the grid's size.
    ///   - factor: η ≥ 2.
    ///   - foldTrainingSize: training images of a whole fold.
    ///   - minimum: the fewest training images a round may use (a few per class).
    public init(candidates: Int, factor: Int, foldTrainingSize: Int, minimum: Int) {
        var required = 1, reach = factor
        while reach <= candidates { required += 1; reach *= factor }
        // Rounds that the data allows: the first subset must hold at least `minimum` images.
        var possible = 1, size = foldTrainingSize
        while size / factor >= max(minimum, 1) { possible += 1; size /= factor }
        let count = min(required, possible)
        var rounds: [Round] = []
        var remaining = candidates
        for r in 0 ..< count {
            var divisor = 1
            for _ in 0 ..< (count - 1 - r) { divisor *= factor }
            rounds.append(Round(candidates: remaining, trainingSubset: r == count - 1 ? nil : foldTrainingSize / divisor))
            remaining = (remaining + factor - 1) / factor
        }
        self.rounds = rounds
    }
}
