import BenchCore
import Dispatch
import Foundation
import Synchronization

/// The outcomes of a run's units, one file each, in `<out>/tasks/`: what makes a run resumable,
/// shardable and mergeable (as benchopt, ann-benchmarks and the AutoML benchmark store one
/// result per unit of work and merge afterwards).
///
/// `tasks/<algorithm>/<key>.task` holds a unit's ``UnitOutcome`` (``TaskFile``), and, for a
/// final unit whose model was saved, `tasks/<algorithm>/<key>.model` its model file. Every
/// file is written under a temporary name and renamed, the model before the outcome, so a
/// process killed at any moment leaves either nothing or a complete unit. `tasks/plan.json`
/// describes the run that wrote them (``StoredPlan``).
public struct TaskStore: Sendable {
    /// The `tasks` directory.
    public let directory: String
    /// Time spent reading and writing outcomes through this store: what the store adds to a run.
    public let clock = StoreClock()

    /// The store of the results directory `out`.
    public init(out: String) {
        directory = (out as NSString).appendingPathComponent("tasks")
    }

    public func taskPath(_ identity: TaskIdentity) -> String { path(identity, "task") }
    public func modelPath(_ identity: TaskIdentity) -> String { path(identity, "model") }

    private func path(_ identity: TaskIdentity, _ suffix: String) -> String {
        ((directory as NSString).appendingPathComponent(identity.algorithm) as NSString)
            .appendingPathComponent("\(identity.key).\(suffix)")
    }

    /// What a lookup found.
    public enum Lookup: Sendable {
        case missing
        case found(UnitOutcome)
        /// A file is there but cannot be used (cut short, changed, of another version).
        case damaged(path: String, reason: String)
    }

    /// The stored outcome of `identity`.
    public func load(_ identity: TaskIdentity) -> Lookup {
        let path = taskPath(identity)
        let start = DispatchTime.now()
        defer { clock.add(read: Stopwatch.seconds(since: start)) }
        do {
            return .found(try TaskFile.read(path, expectedKey: identity.key).outcome)
        } catch {
            switch error {
            case .missing: return .missing
            case .damaged(let reason): return .damaged(path: path, reason: reason)
            }
        }
    }

    /// Stores `outcome` as the outcome of `identity`, atomically.
    /// - Throws: ``OutputError`` when the file cannot be written.
    public func store(_ outcome: UnitOutcome, identity: TaskIdentity) throws(OutputError) {
        let path = taskPath(identity)
        let start = DispatchTime.now()
        defer { clock.add(written: Stopwatch.seconds(since: start)) }
        let bytes: [UInt8]
        do {
            bytes = try TaskFile.encode(TaskFile.Contents(identity: identity, outcome: outcome))
        } catch {
            throw OutputError(path: path, reason: "cannot encode the outcome: \(error)")
        }
        try AtomicFile.write(Data(bytes), to: path)
    }

    /// Whether the store has a file at `path` (for models).
    public func has(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

/// Seconds a store spent reading and writing, and how many files.
public final class StoreClock: Sendable {
    private let totals = Locked<(reads: Int, readSeconds: Double, writes: Int, writeSeconds: Double)>((0, 0, 0, 0))

    func add(read seconds: Double) { totals.withLock { $0.reads += 1; $0.readSeconds += seconds } }
    func add(written seconds: Double) { totals.withLock { $0.writes += 1; $0.writeSeconds += seconds } }

    public var reads: Int { totals.withLock { $0.reads } }
    public var writes: Int { totals.withLock { $0.writes } }
    public var seconds: Double { totals.withLock { $0.readSeconds + $0.writeSeconds } }

    /// "12 outcomes written in 0.31 s, 36 read in 0.52 s".
    public var description: String {
        totals.withLock { String(format: "%d outcome(s) written in %.2f s, %d read in %.2f s", $0.writes, $0.writeSeconds, $0.reads, $0.readSeconds) }
    }
}

extension AtomicFile {
    /// Makes `target` a copy of `source`, atomically: a hard link where both are on one file
    /// system (no bytes copied; safe because every file here is replaced by rename, never
    /// changed in place), else a copy under a temporary name, then a rename.
    public static func place(_ source: String, at target: String) throws(OutputError) {
        let directory = (target as NSString).deletingLastPathComponent
        try makeDirectory(directory.isEmpty ? "." : directory)
        if (source as NSString).standardizingPath == (target as NSString).standardizingPath { return }
        let temporary = ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(".\((target as NSString).lastPathComponent).\(uniqueSuffix).tmp")
        if link(source, temporary) != 0 {
            do {
                try FileManager.default.copyItem(atPath: source, toPath: temporary)
            } catch {
                throw OutputError(path: target, reason: "cannot copy \(source): \(error.localizedDescription)")
            }
        }
        guard rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw OutputError(path: target, reason: reason)
        }
    }
}
