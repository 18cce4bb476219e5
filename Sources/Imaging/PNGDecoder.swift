/// A PNG decoder (PNG specification, W3C Recommendation, 2nd edition, 2003): every standard
/// colour type and bit depth, palettes, `tRNS` transparency, and Adam7 interlacing, reduced to
/// grey (``GreyImage``) with transparency composited onto the background.
///
/// Its shape follows Go's `image/png` reader: a loop over chunks, each length checked against
/// the bytes present and each CRC checked; the five filters in one function, the Paeth
/// predictor written out; interlacing as seven passes of the same code. The pixel count the
/// header claims is refused above ``ImageLimits/pixels`` before anything is allocated, and
/// the inflated data must be exactly as long as the header implies.
///
/// Grey is luma, 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as most image libraries convert
/// to grey). A transparent pixel shows the background: the colour of a `bKGD` chunk if the
/// file has one, else white (paper). Gamma (`gAMA`) and colour profiles are ignored.
public enum PNGDecoder {
    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// The IHDR fields.
    struct Header {
        var width = 0, height = 0, bitDepth = 0, colourType = 0, interlaced = false

        /// Samples per pixel for the colour type.
        var channels: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colourType] ?? 1 }
        var bitsPerPixel: Int { channels * bitDepth }
        /// Bytes of one filtered row of `width` pixels, without the filter byte.
        func rowBytes(_ width: Int) -> Int { (width * bitsPerPixel + 7) / 8 }
    }

    /// The Adam7 passes: first column and row, then column and row steps.
    static let passes: [(x: Int, y: Int, dx: Int, dy: Int)] = [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ]

    /// Decodes a PNG file's bytes to grey.
    /// - Throws: ``ImageError`` saying what is wrong: not a PNG, a truncated chunk, a CRC
    ///   mismatch, an invalid header, too many pixels, a missing palette, corrupt image data.
    public static func decode(_ bytes: [UInt8]) throws(ImageError) -> GreyImage {
        guard bytes.count >= 8, Array(bytes[0 ..< 8]) == signature else { throw ImageError("is not a PNG file (no PNG signature)") }
        var header: Header? = nil
        var palette: [(Float, Float, Float)] = []
        var paletteAlpha: [Float] = []
        var transparentSample: [Int]? = nil
        var background: [Int]? = nil
        var data: [UInt8] = []
        var position = 8
        var ended = false
        while !ended {
            guard position + 12 <= bytes.count else { throw ImageError("is truncated: it ends inside a chunk header, before IEND") }
            let length = Int(bigEndian(bytes, position))
            guard length <= Int(Int32.max), length <= bytes.count - position - 12 else {
                throw ImageError("is truncated: a chunk declares \(length) bytes, more than the file holds")
            }
            let type = String(decoding: bytes[position + 4 ..< position + 8], as: UTF8.self)
            let body = bytes[position + 8 ..< position + 8 + length]
            guard Zlib.crc32(bytes[position + 4 ..< position + 8 + length]) == bigEndian(bytes, position + 8 + length) else {
                throw ImageError("is damaged: the CRC of its \(type) chunk does not match")
            }
            position += 12 + length
            if type != "IHDR" && header == nil { throw ImageError("is not a valid PNG: its first chunk is \(type), not IHDR") }
            switch type {
            case "IHDR":
                guard header == nil else { throw ImageError("has two IHDR chunks") }
                header = try parseHeader(Array(body))
            case "PLTE":
                guard length % 3 == 0, length / 3 >= 1, length / 3 <= 256 else { throw ImageError("has a PLTE chunk of \(length) bytes (1 to 256 entries of 3)") }
                palette = stride(from: body.startIndex, to: body.endIndex, by: 3).map {
                    (Float(bytes[$0]) / 255, Float(bytes[$0 + 1]) / 255, Float(bytes[$0 + 2]) / 255)
                }
            case "tRNS":
                switch header!.colourType {
                case 3: paletteAlpha = body.map { Float($0) / 255 }
                case 0 where length == 2: transparentSample = [Int(body.first!) << 8 | Int(body.last!)]
                case 2 where length == 6: transparentSample = stride(from: body.startIndex, to: body.endIndex, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) }
                default: throw ImageError("has a tRNS chunk that does not fit its colour type \(header!.colourType)")
                }
            case "bKGD":
                background = length == 1 ? [Int(body.first!)]
                    : stride(from: body.startIndex, to: body.endIndex - 1, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) }
            case "IDAT":
                data.append(contentsOf: body)
            case "IEND":
                ended = true
            default:
                // An unknown critical chunk (upper-case first letter) changes how to read the
                // image; an ancillary one can be skipped.
                if let first = type.unicodeScalars.first, first.properties.isUppercase {
                    throw ImageError("has the critical chunk \(type), which this decoder does not know")
                }
            }
        }
        let h = header!
        guard !data.isEmpty else { throw ImageError("has no image data (no IDAT chunk)") }
        if h.colourType == 3 && palette.isEmpty { throw ImageError("is a palette image without a PLTE chunk") }
        let passes = h.interlaced ? passes : [(0, 0, 1, 1)]
        var total = 0
        for pass in passes {
            let (w, r) = passSize(h, pass)
            if w > 0 && r > 0 { total += r * (1 + h.rowBytes(w)) }
        }
        let raw = try Zlib.inflate(data, count: total)
        let converter = try GreyConverter(header: h, palette: palette, paletteAlpha: paletteAlpha,
                                          transparent: transparentSample, background: background)
        var pixels = [Float](repeating: 0, count: h.width * h.height)
        var offset = 0
        for pass in passes {
            let (w, r) = passSize(h, pass)
            guard w > 0 && r > 0 else { continue }
            let rowBytes = h.rowBytes(w), bpp = max(1, h.bitsPerPixel / 8)
            var previous = [UInt8](repeating: 0, count: rowBytes)
            var current = [UInt8](repeating: 0, count: rowBytes)
            for row in 0 ..< r {
                let filter = raw[offset]
                for i in 0 ..< rowBytes { current[i] = raw[offset + 1 + i] }
                offset += 1 + rowBytes
                try unfilter(&current, previous: previous, filter: filter, bytesPerPixel: bpp)
                let y = pass.1 + row * pass.3
                for column in 0 ..< w {
                    pixels[y * h.width + pass.0 + column * pass.2] = try converter.grey(row: current, pixel: column)
                }
                swap(&previous, &current)
            }
        }
        return GreyImage(width: h.width, height: h.height, pixels: pixels)
    }

    static func passSize(_ h: Header, _ pass: (Int, Int, Int, Int)) -> (width: Int, rows: Int) {
        ((h.width - pass.0 + pass.2 - 1) / pass.2, (h.height - pass.1 + pass.3 - 1) / pass.3)
    }

    static func bigEndian(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    static func parseHeader(_ body: [UInt8]) throws(ImageError) -> Header {
        guard body.count == 13 else { throw ImageError("has an IHDR chunk of \(body.count) bytes; 13 expected") }
        var h = Header()
        h.width = Int(bigEndian(body, 0))
        h.height = Int(bigEndian(body, 4))
        h.bitDepth = Int(body[8])
        h.colourType = Int(body[9])
        guard h.width >= 1, h.height >= 1, h.width <= Int(Int32.max), h.height <= Int(Int32.max) else {
            throw ImageError("declares a size of \(h.width)×\(h.height) pixels")
        }
        guard h.width * h.height <= ImageLimits.pixels else {
            throw ImageError("declares \(h.width)×\(h.height) pixels, more than the limit of \(ImageLimits.pixels)")
        }
        let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = allowed[h.colourType] else { throw ImageError("has the unknown colour type \(h.colourType)") }
        guard depths.contains(h.bitDepth) else { throw ImageError("has bit depth \(h.bitDepth), which colour type \(h.colourType) does not allow") }
        guard body[10] == 0, body[11] == 0 else { throw ImageError("uses an unknown compression or filter method") }
        guard body[12] <= 1 else { throw ImageError("uses the unknown interlace method \(body[12])") }
        h.interlaced = body[12] == 1
        return h
    }

    /// Reverses a row's filter in place (PNG specification §9): `previous` is the row above
    /// after unfiltering (zeros for a pass's first row).
    static func unfilter(_ row: inout [UInt8], previous: [UInt8], filter: UInt8, bytesPerPixel bpp: Int) throws(ImageError) {
        switch filter {
        case 0: break
        case 1: for i in bpp ..< row.count { row[i] &+= row[i - bpp] }
        case 2: for i in 0 ..< row.count { row[i] &+= previous[i] }
        case 3:
            for i in 0 ..< row.count {
                let left = i >= bpp ? Int(row[i - bpp]) : 0
                row[i] &+= UInt8((left + Int(previous[i])) / 2)
            }
        case 4:
            for i in 0 ..< row.count {
                let a = i >= bpp ? Int(row[i - bpp]) : 0, b = Int(previous[i]), c = i >= bpp ? Int(previous[i - bpp]) : 0
                row[i] &+= UInt8(paeth(a, b, c))
            }
        default: throw ImageError("has a row with the unknown filter type \(filter)")
        }
    }

    /// The Paeth predictor: whichever of left, above and upper-left is nearest to left + above − upper-left.
    static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }
}

/// Turns one pixel of an unfiltered row into grey, with transparency composited onto the background.
struct GreyConverter {
    let header: PNGDecoder.Header
    let palette: [(Float, Float, Float)]
    let paletteAlpha: [Float]
    let transparent: [Int]?
    /// The background's grey level.
    let background: Float
    let maximum: Float

    init(header: PNGDecoder.Header, palette: [(Float, Float, Float)], paletteAlpha: [Float], transparent: [Int]?,
         background: [Int]?) throws(ImageError) {
        self.header = header
        self.palette = palette
        self.paletteAlpha = paletteAlpha
        self.transparent = transparent
        maximum = Float((1 << header.bitDepth) - 1)
        guard let background else { self.background = 1; return }
        switch (header.colourType, background.count) {
        case (3, 1):
            guard background[0] < palette.count else { throw ImageError("has a bKGD palette index outside its palette") }
            let (r, g, b) = palette[background[0]]
            self.background = luma(r, g, b)
        case (0, 1), (4, 1): self.background = min(1, Float(background[0]) / Float((1 << header.bitDepth) - 1))
        case (2, 3), (6, 3):
            let m = Float((1 << header.bitDepth) - 1)
            self.background = min(1, luma(Float(background[0]) / m, Float(background[1]) / m, Float(background[2]) / m))
        default: throw ImageError("has a bKGD chunk that does not fit its colour type \(header.colourType)")
        }
    }

    /// Sample `index` of a row (MSB first for depths below 8; big-endian for 16).
    @inline(__always)
    func sample(_ row: [UInt8], _ index: Int) -> Int {
        switch header.bitDepth {
        case 8: return Int(row[index])
        case 16: return Int(row[2 * index]) << 8 | Int(row[2 * index + 1])
        default:
            let bit = index * header.bitDepth
            return Int(row[bit / 8] >> UInt8(8 - header.bitDepth - bit % 8)) & ((1 << header.bitDepth) - 1)
        }
    }

    func grey(row: [UInt8], pixel x: Int) throws(ImageError) -> Float {
        let c = header.channels
        var value: Float, alpha: Float = 1
        switch header.colourType {
        case 0:
            let s = sample(row, x)
            value = Float(s) / maximum
            if let transparent, transparent[0] == s { alpha = 0 }
        case 2:
            let r = sample(row, c * x), g = sample(row, c * x + 1), b = sample(row, c * x + 2)
            value = luma(Float(r) / maximum, Float(g) / maximum, Float(b) / maximum)
            if let transparent, transparent == [r, g, b] { alpha = 0 }
        case 3:
            let index = sample(row, x)
            guard index < palette.count else { throw ImageError("has a pixel with palette index \(index), beyond its \(palette.count) colours") }
            let (r, g, b) = palette[index]
            value = luma(r, g, b)
            if index < paletteAlpha.count { alpha = paletteAlpha[index] }
        case 4:
            value = Float(sample(row, 2 * x)) / maximum
            alpha = Float(sample(row, 2 * x + 1)) / maximum
        default:
            value = luma(Float(sample(row, c * x)) / maximum, Float(sample(row, c * x + 1)) / maximum, Float(sample(row, c * x + 2)) / maximum)
            alpha = Float(sample(row, c * x + 3)) / maximum
        }
        return min(1, max(0, alpha * value + (1 - alpha) * background))
    }
}

/// Grey from red, green and blue in 0...1: ITU-R BT.601 luma.
@inline(__always)
func luma(_ r: Float, _ g: Float, _ b: Float) -> Float {
    0.299 * r + 0.587 * g + 0.114 * b
}
