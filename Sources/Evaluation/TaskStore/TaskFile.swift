import Foundation
import IDXData

/// The file that stores one unit's outcome: `tasks/<algorithm>/<key>.task`.
///
/// Layout (all integers little-endian):
///
/// | bytes | field |
/// |---|---|
/// | 8 | magic `89 4D 4E 42 54 0D 0A 1A` ("\x89MNBT\r\n\x1A", after PNG's: a high byte, CR-LF and ^Z catch transfers that mangle text) |
/// | 4 | format version, 1 |
/// | 8 | length L of the JSON that follows |
/// | L | JSON: `{"identity": TaskIdentity, "outcome": UnitOutcome}` |
/// | 32 | SHA-256 of every byte before it |
///
/// A file is read back only when its length is exactly what its header says, the digest
/// matches, the JSON decodes, its identity hashes to the key it was looked up by, and the
/// outcome is consistent with itself (``UnitOutcome/validate()``): a file cut short by a
/// killed process, or changed by anything, is never taken for a result.
public enum TaskFile {
    public static let magic: [UInt8] = [0x89, 0x4D, 0x4E, 0x42, 0x54, 0x0D, 0x0A, 0x1A]
    public static let version: UInt32 = 1
    /// The largest task file read: scores of 60,000 images × 10 classes take 3.2 MB, so this
    /// leaves room for 100 times more images or classes while refusing a runaway file.
    public static let maximumBytes = 1 << 30

    /// A stored outcome with the identity it was computed for.
    public struct Contents: Sendable, Equatable, Codable {
        public let identity: TaskIdentity
        public let outcome: UnitOutcome

        public init(identity: TaskIdentity, outcome: UnitOutcome) {
            self.identity = identity
            self.outcome = outcome
        }
    }

    /// The bytes of a task file.
    public static func encode(_ contents: Contents) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(contents)
        var bytes = magic
        bytes += (0 ..< 4).map { UInt8(truncatingIfNeeded: version >> (8 * UInt32($0))) }
        bytes += (0 ..< 8).map { UInt8(truncatingIfNeeded: UInt64(json.count) >> (8 * UInt64($0))) }
        bytes += [UInt8](json)
        bytes += SHA256.digest(bytes)
        return bytes
    }

    /// The contents of task file bytes, checked as the type's documentation says.
    /// - Parameter expectedKey: the key the file was looked up by, or `nil` not to check it.
    /// - Throws: ``TaskFileError/damaged(_:)`` saying what is wrong.
    public static func decode(_ bytes: [UInt8], expectedKey: String? = nil) throws(TaskFileError) -> Contents {
        let header = magic.count + 12
        guard bytes.count >= header + 32 else { throw .damaged("\(bytes.count) bytes, shorter than a task file's header and digest") }
        guard Array(bytes[0 ..< 8]) == magic else { throw .damaged("not a task file (wrong magic bytes)") }
        let fileVersion = (0 ..< 4).reduce(UInt32(0)) { $0 | UInt32(bytes[8 + $1]) << (8 * UInt32($1)) }
        guard fileVersion == version else { throw .damaged("format version \(fileVersion); this program reads version \(version)") }
        let length = (0 ..< 8).reduce(UInt64(0)) { $0 | UInt64(bytes[12 + $1]) << (8 * UInt64($1)) }
        // Compare before converting: a length near 2^64 must not overflow the arithmetic.
        guard length == UInt64(bytes.count - header - 32) else {
            throw .damaged("the header says \(length) bytes of JSON, the file holds \(bytes.count - header - 32)")
        }
        guard Array(bytes[(bytes.count - 32)...]) == SHA256.digest(Array(bytes[..<(bytes.count - 32)])) else {
            throw .damaged("the SHA-256 digest does not match the contents")
        }
        let contents: Contents
        do {
            contents = try JSONDecoder().decode(Contents.self, from: Data(bytes[header ..< (bytes.count - 32)]))
        } catch {
            throw .damaged("the JSON does not decode: \(error)")
        }
        if let expectedKey, contents.identity.key != expectedKey {
            throw .damaged("it holds the outcome of another unit (key \(contents.identity.key), expected \(expectedKey))")
        }
        guard contents.outcome.unit == contents.identity.unit, contents.outcome.unit.algorithm == contents.identity.algorithm else {
            throw .damaged("its outcome is of \(contents.outcome.unit), its identity of \(contents.identity.unit)")
        }
        do {
            try contents.outcome.validate()
        } catch {
            throw .damaged(error.reason)
        }
        return contents
    }

    /// Reads and decodes the task file at `path`.
    /// - Throws: ``TaskFileError/missing`` when there is no such file, ``TaskFileError/damaged(_:)`` otherwise.
    public static func read(_ path: String, expectedKey: String? = nil) throws(TaskFileError) -> Contents {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .missing }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .damaged("not a regular file") }
        guard Int(status.st_size) <= maximumBytes else { throw .damaged("\(status.st_size) bytes, more than the \(maximumBytes) a task file may have") }
        guard let data = FileManager.default.contents(atPath: path) else { throw .damaged("cannot be read") }
        return try decode([UInt8](data), expectedKey: expectedKey)
    }
}

/// Why a stored outcome cannot be used.
public enum TaskFileError: Error, Equatable, CustomStringConvertible {
    case missing
    case damaged(String)

    public var description: String {
        switch self {
        case .missing: "no such file"
        case .damaged(let reason): reason
        }
    }
}
