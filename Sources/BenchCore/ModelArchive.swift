/// A fitted model's parameters as named, typed arrays and a few texts: what a model file
/// stores (docs/model-format.md). Models write themselves into an archive and are read back
/// from one; the file layer (`ModelFile`) adds the envelope: magic, version, algorithm,
/// settings, input size, classes, data checksums and the file's checksum.
///
/// The idea is safetensors': nothing but arrays of numbers and plain strings, so loading a
/// model executes nothing it contains. A reader asks for each array by name, type and
/// expected length, and gets a ``ModelArchiveError`` naming the array when any of them is
/// missing or of another type or size; decoders then check every index an array holds
/// before the model uses it.
public struct ModelArchive: Sendable, Equatable {
    /// Image height and width the model takes, and its number of classes.
    public var inputHeight: Int
    public var inputWidth: Int
    public var classCount: Int
    /// The arrays, in the order they were put.
    public private(set) var arrays: [(name: String, array: ArchiveArray)] = []
    /// Short strings ("rbf").
    public private(set) var texts: [(name: String, value: String)] = []

    public init(inputHeight: Int, inputWidth: Int, classCount: Int) {
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.classCount = classCount
    }

    public static func == (lhs: ModelArchive, rhs: ModelArchive) -> Bool {
        lhs.inputHeight == rhs.inputHeight && lhs.inputWidth == rhs.inputWidth && lhs.classCount == rhs.classCount
            && lhs.arrays.map(\.name) == rhs.arrays.map(\.name) && lhs.arrays.map(\.array) == rhs.arrays.map(\.array)
            && lhs.texts.map(\.name) == rhs.texts.map(\.name) && lhs.texts.map(\.value) == rhs.texts.map(\.value)
    }

    // MARK: Writing

    /// Stores `array` as `name`, replacing an earlier array of that name.
    public mutating func put(_ name: String, _ array: ArchiveArray) {
        if let index = arrays.firstIndex(where: { $0.name == name }) {
            arrays[index].array = array
        } else {
            arrays.append((name, array))
        }
    }

    public mutating func put(_ name: String, floats: [Float]) { put(name, .float32(floats)) }
    public mutating func put(_ name: String, doubles: [Double]) { put(name, .float64(doubles)) }
    public mutating func put(_ name: String, int32s: [Int32]) { put(name, .int32(int32s)) }
    public mutating func put(_ name: String, bytes: [UInt8]) { put(name, .uint8(bytes)) }
    /// Whole numbers, stored as 64-bit.
    public mutating func put(_ name: String, integers: [Int]) { put(name, .int64(integers.map(Int64.init))) }
    /// One whole number.
    public mutating func put(_ name: String, integer: Int) { put(name, integers: [integer]) }
    /// One real number, stored exactly (64-bit).
    public mutating func put(_ name: String, real: Double) { put(name, doubles: [real]) }
    /// One float, stored exactly (32-bit).
    public mutating func put(_ name: String, float: Float) { put(name, floats: [float]) }

    /// Stores a short string, replacing an earlier one of that name.
    public mutating func put(_ name: String, text: String) {
        if let index = texts.firstIndex(where: { $0.name == name }) {
            texts[index].value = text
        } else {
            texts.append((name, text))
        }
    }

    /// Stores `values` as bytes when every value is exactly some byte / 255 (pixels read from
    /// an 8-bit file), which a reader turns back into the same floats; otherwise as float32.
    /// A quarter of the size for the images k-NN and the SVM keep.
    public mutating func put(_ name: String, pixels values: [Float]) {
        var bytes = [UInt8](repeating: 0, count: values.count)
        for (index, value) in values.enumerated() {
            guard value >= 0, value <= 1 else { put(name, floats: values); return }
            let byte = UInt8((value * 255).rounded())
            guard Float(byte) / 255 == value else { put(name, floats: values); return }
            bytes[index] = byte
        }
        put(name, bytes: bytes)
    }

    // MARK: Reading

    /// Pixels per image, after checking the input size and class count the file layer set:
    /// both sides at least 1 with no overflow, and at least `minimumClasses` classes.
    /// - Throws: ``ModelArchiveError`` naming `model` ("an SVM") and what the archive has.
    public func checkedPixelCount(model: String, minimumClasses: Int = 1) throws(ModelArchiveError) -> Int {
        let (pixels, overflow) = inputHeight.multipliedReportingOverflow(by: inputWidth)
        guard inputHeight >= 1, inputWidth >= 1, !overflow, classCount >= minimumClasses else {
            throw ModelArchiveError("\(model) needs images of at least 1×1 and \(minimumClasses) class(es); the archive has "
                                    + "\(inputHeight)×\(inputWidth) images and \(classCount) classes")
        }
        return pixels
    }

    /// The array called `name`.
    /// - Throws: ``ModelArchiveError`` when there is none.
    public func array(_ name: String) throws(ModelArchiveError) -> ArchiveArray {
        guard let entry = arrays.first(where: { $0.name == name }) else {
            throw ModelArchiveError("the array '\(name)' is missing")
        }
        return entry.array
    }

    /// Checks an array's length against the expected one, if given.
    private func checked<T>(_ name: String, _ values: [T], _ count: Int?, _ type: String) throws(ModelArchiveError) -> [T] {
        if let count, values.count != count {
            throw ModelArchiveError("the array '\(name)' has \(values.count) values; \(count) expected")
        }
        return values
    }

    private func mismatch(_ name: String, _ found: ArchiveArray, _ expected: String) -> ModelArchiveError {
        ModelArchiveError("the array '\(name)' holds \(found.typeName); \(expected) expected")
    }

    public func floats(_ name: String, count: Int? = nil) throws(ModelArchiveError) -> [Float] {
        let found = try array(name)
        guard case .float32(let values) = found else { throw mismatch(name, found, "float32") }
        return try checked(name, values, count, "float32")
    }

    public func doubles(_ name: String, count: Int? = nil) throws(ModelArchiveError) -> [Double] {
        let found = try array(name)
        guard case .float64(let values) = found else { throw mismatch(name, found, "float64") }
        return try checked(name, values, count, "float64")
    }

    public func int32s(_ name: String, count: Int? = nil) throws(ModelArchiveError) -> [Int32] {
        let found = try array(name)
        guard case .int32(let values) = found else { throw mismatch(name, found, "int32") }
        return try checked(name, values, count, "int32")
    }

    public func bytes(_ name: String, count: Int? = nil) throws(ModelArchiveError) -> [UInt8] {
        let found = try array(name)
        guard case .uint8(let values) = found else { throw mismatch(name, found, "uint8") }
        return try checked(name, values, count, "uint8")
    }

    /// Whole numbers, each within `range` when given.
    public func integers(_ name: String, count: Int? = nil, in range: ClosedRange<Int>? = nil) throws(ModelArchiveError) -> [Int] {
        let found = try array(name)
        guard case .int64(let values) = found else { throw mismatch(name, found, "int64") }
        let result = try checked(name, values, count, "int64").map { Int($0) }
        if let range, let bad = result.first(where: { !range.contains($0) }) {
            throw ModelArchiveError("the array '\(name)' holds \(bad), outside \(range.lowerBound)...\(range.upperBound)")
        }
        return result
    }

    /// One whole number, within `range` when given.
    public func integer(_ name: String, in range: ClosedRange<Int>? = nil) throws(ModelArchiveError) -> Int {
        try integers(name, count: 1, in: range)[0]
    }

    /// One real number.
    public func real(_ name: String) throws(ModelArchiveError) -> Double {
        try doubles(name, count: 1)[0]
    }

    /// One float.
    public func float(_ name: String) throws(ModelArchiveError) -> Float {
        try floats(name, count: 1)[0]
    }

    /// Pixels stored by ``put(_:pixels:)``: bytes turned back into byte / 255, or floats.
    public func pixels(_ name: String, count: Int? = nil) throws(ModelArchiveError) -> [Float] {
        let found = try array(name)
        switch found {
        case .uint8(let bytes): return try checked(name, bytes, count, "uint8").map { Float($0) / 255 }
        case .float32(let values): return try checked(name, values, count, "float32")
        default: throw mismatch(name, found, "uint8 or float32 pixels")
        }
    }

    /// The string called `name`.
    public func text(_ name: String) throws(ModelArchiveError) -> String {
        guard let entry = texts.first(where: { $0.name == name }) else {
            throw ModelArchiveError("the text '\(name)' is missing")
        }
        return entry.value
    }
}

/// One typed array of a ``ModelArchive``.
public enum ArchiveArray: Sendable, Equatable {
    case float32([Float])
    case float64([Double])
    case int32([Int32])
    case int64([Int64])
    case uint8([UInt8])

    /// The type's name in the file ("float32").
    public var typeName: String {
        switch self {
        case .float32: "float32"
        case .float64: "float64"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        }
    }

    /// Number of values.
    public var count: Int {
        switch self {
        case .float32(let values): values.count
        case .float64(let values): values.count
        case .int32(let values): values.count
        case .int64(let values): values.count
        case .uint8(let values): values.count
        }
    }

    /// Bytes per value.
    public var elementSize: Int {
        switch self {
        case .float32, .int32: 4
        case .float64, .int64: 8
        case .uint8: 1
        }
    }
}

/// A model archive that does not hold what its model needs, or holds values it cannot use.
public struct ModelArchiveError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
