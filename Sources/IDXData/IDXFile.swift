/// One IDX file: the format of the MNIST distribution (LeCun, Cortes and Burges).
///
/// Layout: two zero bytes, an element-type byte, the number of dimensions, then each
/// dimension as a big-endian 32-bit count, then the elements in row-major order (multi-byte
/// elements big-endian). The parser checks every part of the header against the bytes that
/// are actually there before it trusts any of it, so a header that claims billions of images
/// produces an error, never an allocation.
public struct IDXFile: Equatable {
    /// The element types the format defines.
    public enum ElementType: UInt8, Sendable {
        case unsignedByte = 0x08, signedByte = 0x09, short = 0x0B, int = 0x0C, float = 0x0D, double = 0x0E

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .unsignedByte, .signedByte: return 1
            case .short: return 2
            case .int, .float: return 4
            case .double: return 8
            }
        }
    }

    /// The type of every element.
    public let elementType: ElementType
    /// The dimensions, outermost first (images: count, rows, columns).
    public let dimensions: [Int]
    /// The raw element bytes, exactly `dimensions.product * elementType.size` of them.
    public let payload: ArraySlice<UInt8>

    /// Parses `bytes` (already decompressed).
    /// - Parameter expectedRank: The number of dimensions the caller needs (3 for images, 1 for labels).
    /// - Throws: A reason when the magic number, the rank, or the size implied by the header is wrong.
    public init(parsing bytes: [UInt8], expectedRank: Int) throws(IDXFormatError) {
        guard bytes.count >= 4 else {
            throw IDXFormatError("is \(bytes.count) bytes long, too short for an IDX header (at least 4 bytes)")
        }
        guard bytes[0] == 0, bytes[1] == 0, let type = ElementType(rawValue: bytes[2]) else {
            let magic = bytes[0 ..< 4].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            throw IDXFormatError("has the magic number 0x\(magic), which is not an IDX file (expected 0x0000TTNN: two zero bytes, an element type 08/09/0b/0c/0d/0e, the rank)")
        }
        let rank = Int(bytes[3])
        guard rank == expectedRank else {
            throw IDXFormatError("has \(rank) dimensions, expected \(expectedRank) (\(expectedRank == 1 ? "labels" : "images: count, rows, columns"))")
        }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw IDXFormatError("is \(bytes.count) bytes long, too short for its \(headerSize)-byte header")
        }
        var dimensions: [Int] = []
        var elements = 1
        for axis in 0 ..< rank {
            let offset = 4 + 4 * axis
            let size = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            dimensions.append(size)
            let (product, overflow) = elements.multipliedReportingOverflow(by: size)
            guard !overflow else { throw IDXFormatError("has dimensions \(dimensions) too large to address") }
            elements = product
        }
        let (payloadSize, overflow) = elements.multipliedReportingOverflow(by: type.size)
        guard !overflow, payloadSize == bytes.count - headerSize else {
            let shape = dimensions.map(String.init).joined(separator: " x ")
            throw IDXFormatError("header says \(shape) elements of \(type.size) byte(s) (\(headerSize + (overflow ? 0 : payloadSize)) bytes in all), but the file has \(bytes.count) bytes; it is truncated or not the file it claims to be")
        }
        self.elementType = type
        self.dimensions = dimensions
        self.payload = bytes[headerSize...]
    }

    /// The elements as `Int`s (for labels): every element type that holds whole numbers.
    public func integers() -> [Int]? {
        let base = payload.startIndex
        switch elementType {
        case .unsignedByte: return payload.map { Int($0) }
        case .signedByte: return payload.map { Int(Int8(bitPattern: $0)) }
        case .short:
            return (0 ..< payload.count / 2).map { i in
                Int(Int16(bitPattern: UInt16(payload[base + 2 * i]) << 8 | UInt16(payload[base + 2 * i + 1])))
            }
        case .int:
            return (0 ..< payload.count / 4).map { i in Int(Int32(bitPattern: bigEndianWord(at: base + 4 * i))) }
        case .float, .double: return nil
        }
    }

    /// The elements as `Float`s (for images stored as `float`).
    public func floats() -> [Float] {
        let base = payload.startIndex
        switch elementType {
        case .float: return (0 ..< payload.count / 4).map { Float(bitPattern: bigEndianWord(at: base + 4 * $0)) }
        case .double:
            return (0 ..< payload.count / 8).map { i in
                let high = UInt64(bigEndianWord(at: base + 8 * i)), low = UInt64(bigEndianWord(at: base + 8 * i + 4))
                return Float(Double(bitPattern: high << 32 | low))
            }
        default: return integers()!.map { Float($0) }
        }
    }

    private func bigEndianWord(at index: Int) -> UInt32 {
        UInt32(payload[index]) << 24 | UInt32(payload[index + 1]) << 16 | UInt32(payload[index + 2]) << 8 | UInt32(payload[index + 3])
    }
}

/// Why bytes are not a usable IDX file.
public struct IDXFormatError: Error, Equatable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}
