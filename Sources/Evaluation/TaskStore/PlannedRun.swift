import BenchCore

/// A run's units with the identity (and so the store key) and estimated cost of each.
struct PlannedRun: Sendable {
    struct Unit: Sendable {
        let unit: WorkUnit
        let identity: TaskIdentity
        let estimatedSeconds: Double
        /// Index of the unit's classifier in the run.
        let classifier: Int
    }

    let units: [Unit]
    let stored: StoredPlan

    /// The plan of a run about to start.
    init(classifiers: [any Classifier], folds: Int, repeats: Int, seed: UInt64, subsample: Int?, training: LabeledImages,
         full: LabeledImages, test: LabeledImages, data: [DataFileChecksum], program: String) {
        let plan = RunPlan(algorithms: classifiers.map { type(of: $0).name }, folds: folds, repeats: repeats)
        let pixels = training.images.height * training.images.width
        var units: [Unit] = []
        for (c, classifier) in classifiers.enumerated() {
            let name = type(of: classifier).name
            for unit in plan.units(of: name) {
                let held = folds > 0 ? training.count / folds : 0
                let size = unit.foldIndex == nil
                    ? WorkSize(training: training.count, scoring: test.count, pixels: pixels, classes: training.classCount)
                    : WorkSize(training: training.count - held, scoring: held, pixels: pixels, classes: training.classCount)
                let identity = TaskIdentity(program: program, algorithm: name, settings: classifier.settings.entries, unit: unit,
                                            seed: seed, trainSize: subsample, data: data)
                units.append(Unit(unit: unit, identity: identity, estimatedSeconds: classifier.estimatedSeconds(size), classifier: c))
            }
        }
        self.units = units
        stored = StoredPlan(
            program: program,
            algorithms: classifiers.map { StoredPlan.Algorithm(name: type(of: $0).name, settings: $0.settings.entries.map { [$0.name, $0.value] }) },
            folds: folds, repeats: repeats, seed: seed, trainSize: subsample, trainingCount: training.count,
            fullTrainingCount: full.count, testCount: test.count, data: data,
            units: units.map { StoredPlan.Unit(key: $0.identity.key, unit: $0.unit, estimatedSeconds: $0.estimatedSeconds) })
    }

    /// The plan a store recorded, with `classifiers` configured from its settings (in its
    /// order). `nil` when a unit's recomputed key differs from the recorded one: the plan was
    /// changed, or the settings no longer mean what they meant.
    init?(stored: StoredPlan, classifiers: [any Classifier]) {
        guard let seed = UInt64(stored.seed), classifiers.count == stored.algorithms.count else { return nil }
        var units: [Unit] = []
        for recorded in stored.units {
            guard let c = classifiers.firstIndex(where: { type(of: $0).name == recorded.unit.algorithm }) else { return nil }
            let identity = TaskIdentity(program: stored.program, algorithm: recorded.unit.algorithm,
                                        settings: classifiers[c].settings.entries, unit: recorded.unit, seed: seed,
                                        trainSize: stored.trainSize, data: stored.data)
            guard identity.key == recorded.key else { return nil }
            units.append(Unit(unit: recorded.unit, identity: identity, estimatedSeconds: recorded.estimatedSeconds, classifier: c))
        }
        self.units = units
        self.stored = stored
    }
}

/// The first error of a store write made on a worker thread, raised after the workers finish.
final class StoreFailure: Sendable {
    private let first = Locked<OutputError?>(nil)
    func record(_ error: OutputError) { first.withLock { if $0 == nil { $0 = error } } }
    var error: OutputError? { first.withLock { $0 } }
}
