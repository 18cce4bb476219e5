import CZlib
import Imaging

extension FuzzTarget {
    /// The bytes through ``PNGDecoder/decode(_:)`` three ways: as given; with every chunk's CRC
    /// made right (``withChunkCRCsFixed(_:)``), so that changes reach the chunks' contents; and
    /// as the makings of a PNG (``synthesisedPNG(_:)``), so that they reach the filters, the
    /// Adam7 passes and the grey conversion, which a changed zlib stream never does (its
    /// Adler-32 fails first).
    static func png(_ bytes: [UInt8]) -> Ending {
        let asGiven = decodedPNG(bytes)
        let fixed = withChunkCRCsFixed(bytes)
        if fixed != bytes { _ = decodedPNG(fixed) }
        if let made = synthesisedPNG(bytes) { _ = decodedPNG(made) }
        return asGiven
    }

    static func decodedPNG(_ bytes: [UInt8]) -> Ending {
        do {
            return .value(checked(try PNGDecoder.decode(bytes)))
        } catch {
            return .error(error.reason)
        }
    }

    /// The bytes through ``PNMDecoder/decode(_:)``.
    static func pnm(_ bytes: [UInt8]) -> Ending {
        do {
            return .value(checked(try PNMDecoder.decode(bytes)))
        } catch {
            return .error(error.reason)
        }
    }

    /// What every decoder promises of an image: a size within ``ImageLimits/pixels``, filled
    /// with grey levels in 0...1.
    static func checked(_ image: GreyImage) -> String {
        require(image.width >= 1 && image.height >= 1 && image.width * image.height <= ImageLimits.pixels,
                "an image of \(image.width)×\(image.height) was accepted")
        require(image.pixels.allSatisfy { $0 >= 0 && $0 <= 1 }, "a grey level outside 0...1 (or NaN)")
        return "\(image.width)×\(image.height)"
    }

    /// The bytes with the CRC of every whole chunk after the signature recomputed, up to the
    /// first chunk that runs past the end.
    static func withChunkCRCsFixed(_ bytes: [UInt8]) -> [UInt8] {
        var fixed = bytes, position = 8
        while position + 12 <= fixed.count {
            let length = Int(bigEndian(fixed, position))
            guard length <= fixed.count - position - 12 else { break }
            let crc = fixed[position + 4 ..< position + 8 + length].withUnsafeBufferPointer {
                UInt32(crc32(0, $0.baseAddress, UInt32($0.count)))
            }
            fixed.replaceSubrange(position + 8 + length ..< position + 12 + length, with: bigEndianBytes(crc))
            position += 12 + length
        }
        return fixed
    }

    /// The colour types and bit depths PNG allows.
    static let pngKinds: [(colour: UInt8, depth: UInt8)] = [
        (0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8), (4, 8), (4, 16), (6, 8), (6, 16),
    ]

    /// A well-formed PNG made from the bytes: the first eight choose the colour type and bit
    /// depth, a size up to 32 × 32, interlacing, and which of `PLTE`, `tRNS` and `bKGD` there
    /// are and how long; the palette, transparency and background come next, then the filtered
    /// rows (filter bytes included), as many as the header needs (zeros where the bytes run out).
    /// `nil` for fewer than eight bytes.
    static func synthesisedPNG(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= 8 else { return nil }
        let kind = pngKinds[Int(bytes[0]) % pngKinds.count]
        let (width, height) = (1 + Int(bytes[1] % 32), 1 + Int(bytes[2] % 32))
        let flags = bytes[3]
        let interlaced = flags & 1 != 0
        var rest = bytes[8...]
        func take(_ count: Int) -> [UInt8] {
            let taken = Array(rest.prefix(count))
            rest = rest.dropFirst(count)
            return taken + [UInt8](repeating: 0, count: count - taken.count)
        }
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(kind.colour)] ?? 1
        let bitsPerPixel = channels * Int(kind.depth)
        var png = PNGDecoder.signature
        png += chunk("IHDR", bigEndianBytes(UInt32(width)) + bigEndianBytes(UInt32(height))
                     + [kind.depth, kind.colour, 0, 0, interlaced ? 1 : 0])
        if flags & 2 != 0 { png += chunk("PLTE", take(3 * (1 + Int(bytes[4])))) }
        if flags & 4 != 0 { png += chunk("tRNS", take(Int(bytes[5]))) }
        if flags & 8 != 0 { png += chunk("bKGD", take(Int(bytes[6]) % 8)) }
        var rawCount = 0
        for (x, y, dx, dy) in interlaced ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
                                         : [(0, 0, 1, 1)] {
            let (columns, rows) = ((width - x + dx - 1) / dx, (height - y + dy - 1) / dy)
            if columns > 0 && rows > 0 { rawCount += rows * (1 + (columns * bitsPerPixel + 7) / 8) }
        }
        // Bit 4 of the flags: one byte of image data too few or too many, for the size checks.
        let delta = flags & 16 == 0 ? 0 : (flags & 32 == 0 ? -1 : 1)
        png += chunk("IDAT", compressed(take(rawCount + delta)))
        png += chunk("IEND", [])
        return png
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        let crc = typed.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        return bigEndianBytes(UInt32(body.count)) + typed + bigEndianBytes(crc)
    }

    /// A zlib stream of `bytes` (an empty array if zlib fails, which the decoder then refuses).
    static func compressed(_ bytes: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(size))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { compress2(out.baseAddress, &size, $0.baseAddress, uLong($0.count), 1) }
        }
        return status == Z_OK ? Array(output.prefix(Int(size))) : []
    }

    static func bigEndian(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    static func bigEndianBytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
