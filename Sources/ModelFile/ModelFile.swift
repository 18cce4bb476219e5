import BenchCore
import Foundation
import IDXData

/// The model file format (docs/model-format.md): one fitted model, its configuration and its
/// provenance, in a file that a reader can check completely before using anything in it.
///
/// ```
/// offset        bytes  content
/// 0             8      magic: 89 4D 4E 42 4D 0D 0A 1A ("\x89MNBM\r\n\x1a")
/// 8             4      format version, unsigned little-endian (1)
/// 12            4      header length H, unsigned little-endian
/// 16            H      header: UTF-8 JSON (algorithm, settings, input, classes, data, texts, arrays)
/// 16 + H        D      the arrays, little-endian, each at its offset from here, 8-byte aligned
/// 16 + H + D    32     SHA-256 of every byte before it
/// ```
///
/// After safetensors (an array table in a small header, raw arrays after it, every range
/// checked against the file size, nothing executed on load) and Keras' `.keras` files (the
/// configuration and versions travel with the weights). The magic's first byte is not ASCII
/// and its `\r\n` and `\x1a` catch text-mode transfers, as PNG's signature does.
public enum ModelFile {
    /// The eight bytes every model file starts with.
    public static let magic: [UInt8] = [0x89, 0x4D, 0x4E, 0x42, 0x4D, 0x0D, 0x0A, 0x1A]
    /// The format version this program writes and reads.
    public static let version: UInt32 = 1
    /// The largest header accepted, in bytes.
    public static let headerLimit = 16 << 20
    /// The largest model file accepted, in bytes (4 GiB).
    public static let sizeLimit = 4 << 30
    /// The largest image side and class count a model may declare.
    public static let sideLimit = 16_384
    public static let classLimit = 65_536

    /// What a model file holds besides the arrays.
    public struct Envelope: Sendable, Equatable {
        /// The classifier's command-line name.
        public var algorithm: String
        /// `name = value` of every hyperparameter, in declaration order, as `--set` takes them.
        public var settings: [Setting]
        /// The checksums of the data the model was fitted on.
        public var trainingData: [DataChecksum]
        /// The program that wrote the file ("0.1.0").
        public var programVersion: String

        public init(algorithm: String, settings: [Setting], trainingData: [DataChecksum], programVersion: String) {
            self.algorithm = algorithm
            self.settings = settings
            self.trainingData = trainingData
            self.programVersion = programVersion
        }
    }

    public struct Setting: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public struct DataChecksum: Sendable, Equatable {
        /// The file's name (not its directory).
        public var file: String
        /// SHA-256 of its content, lowercase hex.
        public var sha256: String
        public init(file: String, sha256: String) {
            self.file = file
            self.sha256 = sha256
        }
    }

    // MARK: Writing

    /// The bytes of a model file holding `archive` with `envelope`.
    public static func encode(_ archive: ModelArchive, envelope: Envelope) -> [UInt8] {
        var data: [UInt8] = []
        var table: [[String: Any]] = []
        for (name, array) in archive.arrays {
            while data.count % 8 != 0 { data.append(0) }
            table.append(["name": name, "dtype": array.typeName, "count": array.count, "offset": data.count])
            append(array, to: &data)
        }
        let header: [String: Any] = [
            "algorithm": envelope.algorithm,
            "program_version": envelope.programVersion,
            "settings": envelope.settings.map { [$0.name, $0.value] },
            "input": ["height": archive.inputHeight, "width": archive.inputWidth],
            "classes": Array(0 ..< archive.classCount),
            "training_data": envelope.trainingData.map { ["file": $0.file, "sha256": $0.sha256] },
            "texts": archive.texts.map { [$0.name, $0.value] },
            "arrays": table,
        ]
        // Dictionaries of strings, numbers and arrays always serialise.
        let json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        var bytes = magic
        bytes += littleEndian(version)
        bytes += littleEndian(UInt32(json.count))
        bytes += [UInt8](json)
        bytes += data
        bytes += SHA256.digest(bytes)
        return bytes
    }

    /// Writes a model file atomically (a temporary name, then a rename); returns its size in bytes.
    /// - Throws: ``ModelFileError`` when the file cannot be written.
    @discardableResult
    public static func write(_ archive: ModelArchive, envelope: Envelope, to path: String) throws(ModelFileError) -> Int {
        let bytes = encode(archive, envelope: envelope)
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(path: path, reason: "cannot create the directory \(directory)")
        }
        let temporary = (directory as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp")
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw .unwritable(path: path, reason: "cannot create a file in \(directory)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw .unwritable(path: path, reason: reason)
        }
        return bytes.count
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0 ..< 4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
    }

    private static func append(_ array: ArchiveArray, to data: inout [UInt8]) {
        func raw<T>(_ values: [T]) { values.withUnsafeBytes { data.append(contentsOf: $0) } }
        switch array {
        case .float32(let values): raw(values)
        case .float64(let values): raw(values)
        case .int32(let values): raw(values)
        case .int64(let values): raw(values)
        case .uint8(let values): data.append(contentsOf: values)
        }
    }
}

#if _endian(big)
#error("Model files are little-endian; this reader and writer assume a little-endian host.")
#endif
