import BenchCore
import Dispatch
import Foundation
import IDXData
import Imaging

extension ModelFile {
    /// A model file's envelope and arrays, checked against the format.
    public struct Contents: Sendable, Equatable {
        public let envelope: Envelope
        public let archive: ModelArchive
    }

    /// A model read from a file and rebuilt by its classifier.
    public struct Loaded: Sendable {
        public let envelope: Envelope
        /// The configuration the file's settings make.
        public let classifier: any Classifier
        public let model: any FittedClassifier
    }

    /// Reads, checks and decodes the model file at `path` with the classifier of `registry`
    /// that the file names.
    /// - Throws: ``ModelFileError`` naming the file: missing, unreadable, or damaged (a wrong
    ///   magic, an unknown version, a checksum mismatch, a truncated file, an unknown algorithm
    ///   or setting, arrays the model cannot use).
    public static func load(_ path: String, registry: [any Classifier.Type]) throws(ModelFileError) -> Loaded {
        let bytes = try readBytes(path)
        // The checksum is computed on another thread while the file is parsed and the model
        // decoded; nothing decoded is returned before it matches. Decoding reads untrusted
        // bytes safely either way (every decoder checks what it uses), and a file that fails
        // its checksum is reported as such, whatever else its parsing found.
        let checksum = Locked<ModelFileError??>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let result: ModelFileError?
            do throws(ModelFileError) { try verifyChecksum(bytes, path: path); result = nil } catch { result = error }
            checksum.withLock { $0 = .some(result) }
            done.signal()
        }
        let decoded = Result { () throws(ModelFileError) -> Loaded in try decodeModel(bytes, path: path, registry: registry) }
        done.wait()
        if let failure = checksum.withLock({ $0 }) ?? nil { throw failure }
        return try decoded.get()
    }

    /// Checks the bytes of a model file and has the classifier of `registry` that it names
    /// decode the model: what ``load(_:registry:)`` does once the file is read, on one thread
    /// (the checksum first, then the rest), kept apart so that the bytes alone can be checked
    /// (the `model` fuzz target, docs/hardening.md).
    /// - Parameter path: Names the file in errors; nothing is read from it.
    /// - Throws: ``ModelFileError/damaged(path:reason:)`` saying what is wrong, as ``load(_:registry:)``.
    public static func decode(_ bytes: [UInt8], path: String, registry: [any Classifier.Type]) throws(ModelFileError) -> Loaded {
        try verifyChecksum(bytes, path: path)
        return try decodeModel(bytes, path: path, registry: registry)
    }

    /// Parses `bytes` and has the registry's classifier decode the model (the checksum is
    /// checked by the caller).
    private static func decodeModel(_ bytes: [UInt8], path: String, registry: [any Classifier.Type]) throws(ModelFileError) -> Loaded {
        let contents = try parse(bytes, path: path)
        let envelope = contents.envelope
        guard let type = registry.first(where: { $0.name == envelope.algorithm }) else {
            throw .damaged(path: path, reason: "holds a model of the algorithm '\(envelope.algorithm)', which this program does not know (it knows \(registry.map { $0.name }.joined(separator: ", ")))")
        }
        let classifier: any Classifier
        do {
            classifier = try configure(type, envelope.settings)
        } catch {
            throw .damaged(path: path, reason: "its settings are not valid here: \(error.message)")
        }
        do {
            return Loaded(envelope: envelope, classifier: classifier, model: try classifier.decodePreprocessed(contents.archive))
        } catch {
            throw .damaged(path: path, reason: "the \(envelope.algorithm) model cannot be used: \(error.message)")
        }
    }

    private static func configure<C: Classifier>(_ type: C.Type, _ settings: [Setting]) throws(ConfigurationError) -> C {
        var values = C.defaultSettings
        for setting in settings { try values.set(setting.name, text: setting.value) }
        return try C(settings: values)
    }

    /// Reads and checks the model file at `path`: its size, magic, version, checksum, header and
    /// every array's range, before allocating anything the file's numbers ask for.
    /// - Throws: ``ModelFileError`` naming the file and what is wrong.
    public static func read(_ path: String) throws(ModelFileError) -> Contents {
        try decode(try readBytes(path), path: path)
    }

    /// The bytes of the file at `path`, after checking that it is a file of at most ``sizeLimit`` bytes.
    static func readBytes(_ path: String) throws(ModelFileError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing(path: path) }
        guard !isDirectory.boolValue else { throw .damaged(path: path, reason: "is a directory, not a model file") }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        guard size <= sizeLimit else { throw .damaged(path: path, reason: "is \(size) bytes; model files are at most \(sizeLimit) bytes") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "permission denied or not a regular file")
        }
        return [UInt8](data)
    }

    /// Checks and parses the bytes of a model file; `path` is only for messages.
    public static func decode(_ bytes: [UInt8], path: String) throws(ModelFileError) -> Contents {
        try verifyChecksum(bytes, path: path)
        return try parse(bytes, path: path)
    }

    /// Checks the size, magic, version and header length, then the SHA-256 at the end.
    static func verifyChecksum(_ bytes: [UInt8], path: String) throws(ModelFileError) {
        try checkFixedFields(bytes, path: path)
        let body = bytes.count - 32
        let computed = bytes.withUnsafeBufferPointer { SHA256.digest(Array($0[0 ..< body])) }
        guard Array(bytes[body...]) == computed else {
            throw .damaged(path: path, reason: "fails its checksum (SHA-256 of the content differs from the one stored at its end): the file is truncated or damaged")
        }
    }

    /// Checks the size, magic, version and header length; returns the header length.
    @discardableResult
    static func checkFixedFields(_ bytes: [UInt8], path: String) throws(ModelFileError) -> Int {
        func damaged(_ reason: String) -> ModelFileError { .damaged(path: path, reason: reason) }
        let fixed = magic.count + 8, digestSize = 32
        guard bytes.count >= fixed + digestSize else {
            throw damaged("is \(bytes.count) bytes, too short for a model file (at least \(fixed + digestSize)); it is truncated or not a model file")
        }
        guard Array(bytes[0 ..< magic.count]) == magic else {
            throw damaged("is not a model file: it does not start with the model magic bytes 89 4D 4E 42 4D 0D 0A 1A")
        }
        let fileVersion = readUInt32(bytes, at: 8)
        guard fileVersion == version else {
            throw damaged("has model format version \(fileVersion); this program reads version \(version)")
        }
        let headerLength = Int(readUInt32(bytes, at: 12))
        guard headerLength <= headerLimit else { throw damaged("declares a header of \(headerLength) bytes; at most \(headerLimit) are allowed") }
        guard headerLength <= bytes.count - fixed - digestSize else {
            throw damaged("is truncated: its header declares \(headerLength) bytes, but only \(bytes.count - fixed - digestSize) bytes follow before the checksum")
        }
        return headerLength
    }

    /// Parses a model file whose fixed fields are checked here and whose checksum is checked
    /// by the caller: the header and every array's range.
    static func parse(_ bytes: [UInt8], path: String) throws(ModelFileError) -> Contents {
        func damaged(_ reason: String) -> ModelFileError { .damaged(path: path, reason: reason) }
        let headerLength = try checkFixedFields(bytes, path: path)
        let fixed = magic.count + 8, body = bytes.count - 32
        let header = try parseHeader(Array(bytes[fixed ..< fixed + headerLength]), damaged: damaged)
        let dataStart = fixed + headerLength, dataCount = body - dataStart
        var archive = ModelArchive(inputHeight: header.height, inputWidth: header.width, classCount: header.classCount)
        for (name, value) in header.texts { archive.put(name, text: value) }
        var names = Set<String>()
        for entry in header.arrays {
            guard names.insert(entry.name).inserted else { throw damaged("lists the array '\(entry.name)' twice") }
            let (length, overflow) = entry.count.multipliedReportingOverflow(by: entry.elementSize)
            guard !overflow, entry.offset >= 0, entry.count >= 0, entry.offset <= dataCount, length <= dataCount - entry.offset else {
                throw damaged("the array '\(entry.name)' (\(entry.count) values at offset \(entry.offset)) lies beyond the \(dataCount) bytes of data present")
            }
            let start = dataStart + entry.offset
            archive.put(entry.name, bytes.withUnsafeBytes { raw in
                array(entry.dtype, count: entry.count, from: UnsafeRawBufferPointer(rebasing: raw[start ..< start + length]))
            })
        }
        let envelope = Envelope(algorithm: header.algorithm, settings: header.settings, trainingData: header.trainingData,
                                programVersion: header.programVersion)
        return Contents(envelope: envelope, archive: archive)
    }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0 ..< 4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    /// The parsed header.
    private struct Header {
        var algorithm = "", programVersion = ""
        var settings: [Setting] = []
        var height = 0, width = 0, classCount = 0
        var trainingData: [DataChecksum] = []
        var texts: [(String, String)] = []
        var arrays: [(name: String, dtype: String, count: Int, offset: Int, elementSize: Int)] = []
    }

    private static let elementSizes = ["float32": 4, "float64": 8, "int32": 4, "int64": 8, "uint8": 1]

    private static func parseHeader(_ json: [UInt8], damaged: (String) -> ModelFileError) throws(ModelFileError) -> Header {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)), let top = object as? [String: Any] else {
            throw damaged("its header is not a JSON object")
        }
        func field<T>(_ key: String, _ type: T.Type) throws(ModelFileError) -> T {
            guard let value = top[key] as? T else { throw damaged("its header has no valid '\(key)'") }
            return value
        }
        func pairs(_ key: String) throws(ModelFileError) -> [(String, String)] {
            let list = try field(key, [Any].self)
            var result: [(String, String)] = []
            for item in list {
                guard let pair = item as? [String], pair.count == 2 else { throw damaged("its header's '\(key)' holds an entry that is not a [name, value] pair") }
                result.append((pair[0], pair[1]))
            }
            return result
        }
        var header = Header()
        header.algorithm = try field("algorithm", String.self)
        header.programVersion = try field("program_version", String.self)
        header.settings = try pairs("settings").map { Setting($0.0, $0.1) }
        header.texts = try pairs("texts")
        let input = try field("input", [String: Any].self)
        guard let height = input["height"] as? Int, let width = input["width"] as? Int,
              (1 ... sideLimit).contains(height), (1 ... sideLimit).contains(width) else {
            throw damaged("its header's input size is not two whole numbers in 1...\(sideLimit)")
        }
        (header.height, header.width) = (height, width)
        let classes = try field("classes", [Any].self)
        guard (1 ... classLimit).contains(classes.count),
              classes.enumerated().allSatisfy({ ($0.element as? Int) == $0.offset }) else {
            throw damaged("its header's classes are not 0, 1, ..., n - 1 for some n in 1...\(classLimit)")
        }
        header.classCount = classes.count
        for item in try field("training_data", [Any].self) {
            guard let entry = item as? [String: Any], let file = entry["file"] as? String, let sha = entry["sha256"] as? String else {
                throw damaged("its header's 'training_data' holds an entry without a file name and sha256")
            }
            header.trainingData.append(DataChecksum(file: file, sha256: sha))
        }
        for item in try field("arrays", [Any].self) {
            guard let entry = item as? [String: Any], let name = entry["name"] as? String, let dtype = entry["dtype"] as? String,
                  let count = entry["count"] as? Int, let offset = entry["offset"] as? Int else {
                throw damaged("its header's 'arrays' holds an entry without name, dtype, count and offset")
            }
            guard let size = elementSizes[dtype] else {
                throw damaged("the array '\(name)' has the unknown type '\(dtype)' (known: \(elementSizes.keys.sorted().joined(separator: ", ")))")
            }
            header.arrays.append((name, dtype, count, offset, size))
        }
        return header
    }

    /// The `count` values of type `dtype` in `raw` (little-endian, any alignment).
    private static func array(_ dtype: String, count: Int, from raw: UnsafeRawBufferPointer) -> ArchiveArray {
        func copy<T>(_: T.Type) -> [T] {
            // (Not `Array(unsafeUninitializedCapacity: 0)`: it writes the shared empty storage.)
            guard count > 0 else { return [] }
            return [T](unsafeUninitializedCapacity: count) { buffer, initialised in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
                initialised = count
            }
        }
        switch dtype {
        case "float32": return .float32(copy(Float.self))
        case "float64": return .float64(copy(Double.self))
        case "int32": return .int32(copy(Int32.self))
        case "int64": return .int64(copy(Int64.self))
        default: return .uint8(Array(raw))
        }
    }
}

/// Why a model file cannot be used or written. Every case names the file.
public enum ModelFileError: Error, Equatable, CustomStringConvertible {
    /// No file at the path (exit 66).
    case missing(path: String)
    /// The file exists but cannot be read (exit 65).
    case unreadable(path: String, reason: String)
    /// The file is not a model this program can use (exit 65).
    case damaged(path: String, reason: String)
    /// The file cannot be written (exit 73).
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path): "\(path): no such model file. Save one with 'bench run --models DIR' (it writes DIR/<algorithm>.model)."
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .damaged(let path, let reason): "\(path): \(reason)"
        case .unwritable(let path, let reason): "\(path): cannot write the model: \(reason)"
        }
    }
}
