import CZlib
import IDXData

/// The zlib streams of PNG files (RFC 1950), through the system zlib.
enum Zlib {
    /// Inflates a zlib stream that must decompress to exactly `count` bytes.
    /// - Throws: ``ImageError`` when the stream is corrupt, ends early, holds more data, or is
    ///   too short to hold `count` bytes at all.
    static func inflate(_ bytes: [UInt8], count: Int) throws(ImageError) -> [UInt8] {
        // Deflate expands at most 1032:1 (``Gzip/maximumExpansion``): a stream that cannot hold
        // `count` bytes is refused before `count` bytes are allocated (docs/hardening.md: a
        // 68-byte file whose header claims 8,000 × 8,000 16-bit RGBA pixels allocated 512 MB).
        guard count <= bytes.count * Gzip.maximumExpansion else {
            throw ImageError("the image data is truncated: \(bytes.count) compressed bytes cannot inflate to the \(count) bytes the header needs")
        }
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ImageError("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        // One byte of room beyond the expected size, so that more data than the image holds shows.
        var output = [UInt8](repeating: 0, count: count + 1)
        var input = bytes
        let (status, produced) = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = UInt32(clamping: inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = UInt32(clamping: outputBuffer.count)
                var status = Z_OK
                while status == Z_OK { status = CZlib.inflate(&stream, Z_NO_FLUSH) }
                return (status, outputBuffer.count - Int(stream.avail_out))
            }
        }
        guard produced <= count else { throw ImageError("the image data holds more bytes than the header's size needs") }
        switch status {
        case Z_STREAM_END where produced == count: break
        case Z_STREAM_END, Z_BUF_ERROR:
            throw ImageError("the image data is truncated: it inflates to \(produced) of the \(count) bytes the header needs")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
            throw ImageError("the image data is corrupt (zlib: \(message))")
        }
        output.removeLast()
        return output
    }

    /// A zlib stream of `bytes`, compressed at level 9.
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(size))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { compress2(out.baseAddress, &size, $0.baseAddress, uLong($0.count), 9) }
        }
        // compressBound guarantees room; Z_MEM_ERROR would leave an empty (invalid) stream.
        return status == Z_OK ? Array(output.prefix(Int(size))) : []
    }

    /// The CRC-32 of PNG chunks (ISO 3309, as zlib computes it).
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, UInt32($0.count))) }
    }
}
