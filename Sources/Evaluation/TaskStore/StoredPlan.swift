import Foundation

/// A run's plan as `tasks/plan.json` records it: what `bench merge` needs to know which units
/// make the run, what each one's key is, and how to render the reports (algorithms and
/// settings, folds, seed, subsample, data).
///
/// Shards of one run write equal plans; stores whose plans differ were made by different
/// commands and are not merged.
public struct StoredPlan: Sendable, Equatable, Codable {
    public struct Algorithm: Sendable, Equatable, Codable {
        public let name: String
        /// Every setting, in declaration order, as `[name, value]`.
        public let settings: [[String]]

        public init(name: String, settings: [[String]]) {
            self.name = name
            self.settings = settings
        }
    }

    public struct Unit: Sendable, Equatable, Codable {
        public let key: String
        public let unit: WorkUnit
        /// Estimated seconds (``Classifier/estimatedSeconds(_:)``): what shards are balanced by.
        public let estimatedSeconds: Double
    }

    public let program: String
    public let algorithms: [Algorithm]
    public let folds: Int
    public let repeats: Int
    public let seed: String
    public let trainSize: Int?
    /// Training images used, the whole training set's, and test images.
    public let trainingCount: Int
    public let fullTrainingCount: Int
    public let testCount: Int
    public let data: [DataFileChecksum]
    /// Every unit of the run, in report order.
    public let units: [Unit]

    public init(program: String, algorithms: [Algorithm], folds: Int, repeats: Int, seed: UInt64, trainSize: Int?,
                trainingCount: Int, fullTrainingCount: Int, testCount: Int, data: [DataFileChecksum], units: [Unit]) {
        self.program = program
        self.algorithms = algorithms
        self.folds = folds
        self.repeats = repeats
        self.seed = String(seed)
        self.trainSize = trainSize
        self.trainingCount = trainingCount
        self.fullTrainingCount = fullTrainingCount
        self.testCount = testCount
        self.data = data
        self.units = units
    }

    /// The shard (from 0) of each unit, for `count` shards.
    public func owners(shards count: Int) -> [Int] {
        Shard.assign(costs: units.map(\.estimatedSeconds), shards: count)
    }
}

/// `tasks/plan.json`: the plan, and the command, shard, data directory and threads of the
/// process that wrote it (these change nothing in a result).
public struct PlanRecord: Sendable, Equatable, Codable {
    public let plan: StoredPlan
    public let command: String
    public let shard: Shard?
    public let dataDirectory: String
    public let jobs: Int

    public init(plan: StoredPlan, command: String, shard: Shard?, dataDirectory: String, jobs: Int) {
        self.plan = plan
        self.command = command
        self.shard = shard
        self.dataDirectory = dataDirectory
        self.jobs = jobs
    }

    public static func path(in store: TaskStore) -> String { (store.directory as NSString).appendingPathComponent("plan.json") }

    /// Writes the record atomically.
    public func write(to store: TaskStore) throws(OutputError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { throw OutputError(path: Self.path(in: store), reason: "cannot encode the plan") }
        try AtomicFile.write(data + Data("\n".utf8), to: Self.path(in: store))
    }

    /// The largest plan read (a plan of 100,000 units is a few tens of megabytes).
    public static let maximumBytes = 256 << 20

    /// Reads the record of the store in `out`.
    /// - Throws: ``TaskFileError/missing`` without one, ``TaskFileError/damaged(_:)`` when it
    ///   does not decode or disagrees with itself.
    public static func read(from store: TaskStore) throws(TaskFileError) -> PlanRecord {
        let path = path(in: store)
        var status = stat()
        guard stat(path, &status) == 0 else { throw .missing }
        guard Int(status.st_size) <= maximumBytes, let data = FileManager.default.contents(atPath: path) else {
            throw .damaged("cannot be read, or larger than \(maximumBytes) bytes")
        }
        let record: PlanRecord
        do {
            record = try JSONDecoder().decode(PlanRecord.self, from: data)
        } catch {
            throw .damaged("does not decode: \(error)")
        }
        let plan = record.plan
        guard plan.folds >= 0, plan.repeats >= 1, plan.trainingCount >= 0, plan.testCount >= 0, !plan.algorithms.isEmpty,
              plan.units.allSatisfy({ unit in plan.algorithms.contains { $0.name == unit.unit.algorithm } && unit.estimatedSeconds.isFinite }),
              record.shard.map({ $0.count >= 1 && $0.count <= Shard.maximumCount && $0.index >= 1 && $0.index <= $0.count }) ?? true,
              plan.units.count <= 10_000_000,
              Set(plan.units.map(\.key)).count == plan.units.count else {
            throw .damaged("its plan disagrees with itself (units of unknown algorithms, repeated keys, or negative counts)")
        }
        return record
    }
}
