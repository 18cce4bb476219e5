import Foundation
import IDXData

/// Everything that determines a unit's outcome, and the key computed from it.
///
/// Two units with the same identity give the same predictions and scores (the program is
/// deterministic for a seed, whatever the thread count), so a stored outcome can stand in for
/// recomputing it: after an interruption, on another shard, or in another process. Anything
/// that could change a result is part of it: the program build, the algorithm and every
/// setting, the unit (fold index, fold count and split, or the final model), the seed, the
/// training subsample and the data files' checksums. Thread counts and paths are not: they
/// change timings only.
public struct TaskIdentity: Sendable, Equatable, Codable {
    /// The program: its version and a digest of its executable.
    public let program: String
    public let algorithm: String
    /// Every setting, in declaration order, as `[name, value]`.
    public let settings: [[String]]
    public let unit: WorkUnit
    /// `--seed`, as decimal text (JSON numbers cannot hold every 64-bit value).
    public let seed: String
    /// `--train-size` when it subsampled, else `nil` (the whole training set).
    public let trainSize: Int?
    /// SHA-256 of each data file, in the order they were read.
    public let data: [DataFileChecksum]

    public init(program: String, algorithm: String, settings: [(name: String, value: String)], unit: WorkUnit, seed: UInt64,
                trainSize: Int?, data: [DataFileChecksum]) {
        self.program = program
        self.algorithm = algorithm
        self.settings = settings.map { [$0.name, $0.value] }
        self.unit = unit
        self.seed = String(seed)
        self.trainSize = trainSize
        self.data = data
    }

    /// The key: the first 128 bits of the SHA-256 of the identity's canonical JSON (sorted
    /// keys), as 32 hex digits.
    public var key: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(self)) ?? Data()
        return String(SHA256.hexDigest([UInt8](json)).prefix(32))
    }
}

/// A data file's name (without its directory: the same data elsewhere is the same data) and
/// SHA-256.
public struct DataFileChecksum: Sendable, Equatable, Codable {
    public let file: String
    public let sha256: String

    public init(file: String, sha256: String) {
        self.file = file
        self.sha256 = sha256
    }

    /// The checksums of the files `dataset` was read from, in their order.
    static func of(_ dataset: IDXDataset) -> [DataFileChecksum] {
        dataset.files.map { DataFileChecksum(file: ($0.path as NSString).lastPathComponent, sha256: $0.sha256) }
    }
}
