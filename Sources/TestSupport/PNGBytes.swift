import CZlib

/// Builds PNG files byte by byte for the decoder's tests: any colour type, bit depth, filter
/// and interlace, with optional palette, `tRNS` and `bKGD` chunks. Independent of the decoder
/// (its own filters, packing and Adam7 split), so the two check each other.
public enum PNGBytes {
    public struct Options {
        public var colourType: Int
        public var bitDepth: Int
        public var interlaced = false
        /// The filter type (0–4) every row is stored with.
        public var filter: UInt8 = 0
        public var palette: [UInt8] = []
        public var transparency: [UInt8]? = nil
        public var background: [UInt8]? = nil

        public init(colourType: Int, bitDepth: Int) {
            self.colourType = colourType
            self.bitDepth = bitDepth
        }

        public var channels: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colourType]! }
    }

    /// A PNG of `width × height` pixels of `options.channels` samples each, row-major.
    public static func encode(width: Int, height: Int, samples: [Int], _ options: Options) -> [UInt8] {
        let channels = options.channels
        let passes: [(Int, Int, Int, Int)] = options.interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        var raw: [UInt8] = []
        for (x0, y0, dx, dy) in passes {
            let columns = Array(stride(from: x0, to: width, by: dx)), rows = Array(stride(from: y0, to: height, by: dy))
            guard !columns.isEmpty && !rows.isEmpty else { continue }
            var previous = [UInt8](repeating: 0, count: rowBytes(columns.count, channels, options.bitDepth))
            for y in rows {
                var values: [Int] = []
                for x in columns { values += samples[(y * width + x) * channels ..< (y * width + x + 1) * channels] }
                let packed = pack(values, bitDepth: options.bitDepth)
                raw.append(options.filter)
                raw += filtered(packed, previous: previous, filter: options.filter, bytesPerPixel: max(1, channels * options.bitDepth / 8))
                previous = packed
            }
        }
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [UInt8(options.bitDepth), UInt8(options.colourType), 0, 0, options.interlaced ? 1 : 0]
        var file: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10] + chunk("IHDR", header)
        if !options.palette.isEmpty { file += chunk("PLTE", options.palette) }
        if let transparency = options.transparency { file += chunk("tRNS", transparency) }
        if let background = options.background { file += chunk("bKGD", background) }
        let compressed = deflate(raw)
        // Two IDAT chunks, as encoders that stream do.
        let half = compressed.count / 2
        return file + chunk("IDAT", Array(compressed[..<half])) + chunk("IDAT", Array(compressed[half...])) + chunk("IEND", [])
    }

    static func rowBytes(_ width: Int, _ channels: Int, _ depth: Int) -> Int { (width * channels * depth + 7) / 8 }

    static func pack(_ values: [Int], bitDepth: Int) -> [UInt8] {
        switch bitDepth {
        case 8: return values.map { UInt8($0) }
        case 16: return values.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        default:
            var bytes = [UInt8](repeating: 0, count: (values.count * bitDepth + 7) / 8)
            for (i, value) in values.enumerated() {
                let bit = i * bitDepth
                bytes[bit / 8] |= UInt8(value << (8 - bitDepth - bit % 8))
            }
            return bytes
        }
    }

    static func filtered(_ row: [UInt8], previous: [UInt8], filter: UInt8, bytesPerPixel bpp: Int) -> [UInt8] {
        row.indices.map { i in
            let a = i >= bpp ? Int(row[i - bpp]) : 0, b = Int(previous[i]), c = i >= bpp ? Int(previous[i - bpp]) : 0
            let prediction: Int
            switch filter {
            case 1: prediction = a
            case 2: prediction = b
            case 3: prediction = (a + b) / 2
            case 4:
                let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                prediction = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
            default: prediction = 0
            }
            return UInt8(truncatingIfNeeded: Int(row[i]) - prediction)
        }
    }

    /// One chunk with its CRC.
    public static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = body.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc)
    }

    public static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// A zlib stream of `bytes`.
    public static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(size))
        _ = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { compress2(out.baseAddress, &size, $0.baseAddress, uLong($0.count), 6) }
        }
        return Array(output.prefix(Int(size)))
    }
}
