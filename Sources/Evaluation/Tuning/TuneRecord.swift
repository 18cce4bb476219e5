import BenchCore
import Foundation

/// `tasks/tune-<algorithm>.json`: what a `bench tune` (or one of its shards) searched, so that
/// `bench merge` can gather the shards' stores and finish the search from them.
public struct TuneRecord: Sendable, Equatable, Codable {
    public let algorithm: String
    /// The settings every candidate starts from, as `[name, value]`.
    public let base: [[String]]
    public let grid: Grid
    public let folds: Int
    public let seed: String
    public let trainSize: Int?
    public let halving: Bool
    public let factor: Int
    public let dataDirectory: String
    public let program: String
    /// The command and shard of the process that wrote it (these change no result).
    public let command: String
    public let shard: Shard?

    public init(_ request: TuneRequest) {
        algorithm = request.algorithm.name
        base = request.base.entries.map { [$0.name, $0.value] }
        grid = request.grid
        folds = request.folds
        seed = String(request.seed)
        trainSize = request.trainSize
        halving = request.halving
        factor = request.factor
        dataDirectory = request.dataDirectory
        program = request.environment.program
        command = request.command
        shard = request.shard
    }

    /// Whether two records describe the same search (commands and shards aside).
    public func sameSearch(as other: TuneRecord) -> Bool {
        algorithm == other.algorithm && base == other.base && grid == other.grid && folds == other.folds && seed == other.seed
            && trainSize == other.trainSize && halving == other.halving && factor == other.factor && program == other.program
    }

    public static func path(in store: TaskStore, algorithm: String) -> String {
        (store.directory as NSString).appendingPathComponent("tune-\(algorithm).json")
    }

    public func write(to store: TaskStore) throws(OutputError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { throw OutputError(path: Self.path(in: store, algorithm: algorithm), reason: "cannot encode") }
        try AtomicFile.write(data + Data("\n".utf8), to: Self.path(in: store, algorithm: algorithm))
    }

    /// Every tuning record in `store` (unreadable ones are skipped: they are only a convenience
    /// for `bench merge`, never a result).
    public static func all(in store: TaskStore) -> [TuneRecord] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? []
        return names.filter { $0.hasPrefix("tune-") && $0.hasSuffix(".json") }.sorted().compactMap { name in
            let path = (store.directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path), data.count < PlanRecord.maximumBytes else { return nil }
            return try? JSONDecoder().decode(TuneRecord.self, from: data)
        }
    }
}

extension TaskStore {
    /// Copies (hard-links) every task and model file of `other` that this store lacks.
    /// - Returns: the number of files placed.
    @discardableResult
    public func gather(from other: TaskStore) throws(OutputError) -> Int {
        guard (other.directory as NSString).standardizingPath != (directory as NSString).standardizingPath else { return 0 }
        let algorithms = ((try? FileManager.default.contentsOfDirectory(atPath: other.directory)) ?? []).sorted()
        var placed = 0
        for algorithm in algorithms {
            let source = (other.directory as NSString).appendingPathComponent(algorithm)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: source)) ?? []).sorted()
                where (name.hasSuffix(".task") || name.hasSuffix(".model")) && !name.hasPrefix(".") {
                let target = ((directory as NSString).appendingPathComponent(algorithm) as NSString).appendingPathComponent(name)
                guard !FileManager.default.fileExists(atPath: target) else { continue }
                try AtomicFile.place((source as NSString).appendingPathComponent(name), at: target)
                placed += 1
            }
        }
        return placed
    }
}
