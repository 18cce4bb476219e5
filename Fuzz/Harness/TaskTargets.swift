import Evaluation
import Foundation
import IDXData

extension FuzzTarget {
    /// The bytes as a stored unit outcome (``TaskFile/decode(_:expectedKey:)``): first as given,
    /// then with a framing that is right (``framedTask(_:)``), so that changes reach the JSON and
    /// the outcome's own checks. A decoded outcome must store and decode again to itself:
    /// compared by its encoding, which is exact (a NaN score, which `validate()` lets through,
    /// is unequal to itself as a value but not as bits).
    static func task(_ bytes: [UInt8]) -> Ending {
        let asGiven = decodedTask(bytes)
        let framed = framedTask(bytes)
        return framed == bytes ? asGiven : decodedTask(framed)
    }

    static func decodedTask(_ bytes: [UInt8]) -> Ending {
        let contents: TaskFile.Contents
        do {
            contents = try TaskFile.decode(bytes, expectedKey: nil)
        } catch {
            return .error(error.description)
        }
        do {
            let encoded = try TaskFile.encode(contents)
            let again = try TaskFile.decode(encoded, expectedKey: contents.identity.key)
            require(try TaskFile.encode(again) == encoded, "the outcome decoded from its own encoding differs")
        } catch {
            require(false, "a decoded outcome does not store and decode again: \(error)")
        }
        return .value("\(contents.outcome.unit): \(contents.outcome.predictions.count) predictions")
    }

    /// The bytes as a task file with the right length and digest: a task file (it starts with
    /// the magic and is long enough) gets its length field and digest recomputed around its
    /// JSON; anything else becomes the JSON of a task file.
    static func framedTask(_ bytes: [UInt8]) -> [UInt8] {
        let header = TaskFile.magic.count + 12, digest = 32
        let start: [UInt8], json: ArraySlice<UInt8>
        if bytes.starts(with: TaskFile.magic), bytes.count >= header + digest {
            start = Array(bytes[0 ..< 12])
            json = bytes[header ..< bytes.count - digest]
        } else {
            start = TaskFile.magic + (0 ..< 4).map { UInt8(truncatingIfNeeded: TaskFile.version >> (8 * UInt32($0))) }
            json = bytes[...]
        }
        var framed = start + (0 ..< 8).map { UInt8(truncatingIfNeeded: UInt64(json.count) >> (8 * UInt64($0))) } + json
        framed += SHA256.digest(framed)
        return framed
    }

    /// The bytes as `tasks/plan.json`, read as `bench merge` reads it (``PlanRecord/read(from:)``,
    /// from a file: its checks live there), then the shard assignment merge computes from it.
    static func plan(_ bytes: [UInt8]) -> Ending {
        let store = TaskStore(out: planDirectory)
        guard FileManager.default.createFile(atPath: PlanRecord.path(in: store), contents: Data(bytes)) else {
            require(false, "cannot write \(PlanRecord.path(in: store))")
            return .error("")
        }
        let record: PlanRecord
        do {
            record = try PlanRecord.read(from: store)
        } catch {
            return .error(error.description)
        }
        // Known finding (docs/hardening.md): read() accepts any shard count, and the assignment
        // allocates a load per shard; until read() enforces Shard.maximumCount, larger counts
        // are left out here so that the fuzzer can go on.
        let shards = record.shard?.count ?? 1
        if shards <= Shard.maximumCount {
            let owners = record.plan.owners(shards: shards)
            require(owners.count == record.plan.units.count && owners.allSatisfy { (0 ..< shards).contains($0) },
                    "a shard assignment outside 0..<\(shards)")
        }
        return .value("\(record.plan.units.count) units of \(record.plan.algorithms.count) algorithm(s)")
    }

    /// A results directory of this process's own, whose `tasks/plan.json` each input is written to.
    static let planDirectory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let directory = (base as NSString).appendingPathComponent("fuzz-readers-plan-\(getpid())")
        try? FileManager.default.createDirectory(atPath: (directory as NSString).appendingPathComponent("tasks"),
                                                 withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzTarget.planDirectory) }
        return directory
    }()
}
