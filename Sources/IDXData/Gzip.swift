import CZlib

/// Gzip decompression through the system zlib.
public enum Gzip {
    /// True if `bytes` start with the gzip magic number 1f 8b.
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The most bytes deflate can make of one compressed byte: a copy of 258 bytes coded in two
    /// bits (zlib's FAQ gives 1032:1 as deflate's limit).
    public static let maximumExpansion = 1032

    /// Inflates a complete gzip stream (one member, as `gzip` writes), checking its CRC.
    /// - Parameters:
    ///   - bytes: The compressed stream.
    ///   - limit: The most bytes the output may have; a larger stream is refused rather than
    ///     allowed to exhaust memory.
    /// - Returns: The decompressed bytes.
    /// - Throws: A reason string when the stream is truncated, corrupt or too large.
    public static func decompress(_ bytes: [UInt8], limit: Int = 1 << 32) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16: expect a gzip header and trailer, not a raw zlib stream.
        let initStatus = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw GzipError("zlib could not start (status \(initStatus))") }
        defer { inflateEnd(&stream) }

        // The gzip trailer stores the size modulo 2^32: a good first guess for the output, but
        // only as far as the stream can hold it. Deflate expands at most 1032:1 (a 258-byte copy
        // in two bits), so a trailer claiming more than that is damaged or hostile and must not
        // size an allocation (the gzip fuzz target found 97 bytes claiming 4 GiB; docs/hardening.md).
        // One byte beyond the limit is allowed for, so that reaching it proves the stream too large.
        var capacity = 1 << 16
        if bytes.count >= 18 {
            let n = bytes.count
            let stated = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
            capacity = max(capacity, min(stated, maximumExpansion * n) + 1)
        }
        capacity = min(capacity, limit + 1)
        var output = [UInt8](repeating: 0, count: capacity)
        var produced = 0
        var status: Int32 = Z_OK
        var input = bytes
        try input.withUnsafeMutableBufferPointer { (inputBuffer) throws(GzipError) in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            while true {
                if produced > limit { throw GzipError("decompresses to more than \(limit) bytes") }
                if produced == output.count {
                    output.append(contentsOf: repeatElement(0, count: min(output.count, limit + 1 - output.count)))
                }
                status = output.withUnsafeMutableBufferPointer { outputBuffer in
                    stream.next_out = outputBuffer.baseAddress! + produced
                    let room = min(outputBuffer.count - produced, Int(UInt32.max))
                    stream.avail_out = UInt32(room)
                    let result = inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                    return result
                }
                if produced > limit { throw GzipError("decompresses to more than \(limit) bytes") }
                if status == Z_STREAM_END { break }
                if status == Z_BUF_ERROR && stream.avail_in == 0 {
                    throw GzipError("the gzip stream is truncated (it ends after \(produced) decompressed bytes)")
                }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw GzipError("the gzip stream is corrupt: \(message)")
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}

/// A gzip stream that cannot be decompressed, with the reason.
public struct GzipError: Error, Equatable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}
