/// PGM and PPM images (Netpbm formats): `P2` and `P5` grey, `P3` and `P6` colour, ASCII or
/// binary, with a maximum value of 1 to 65,535 (two bytes per sample, most significant first,
/// above 255). Colour becomes grey by the same luma as PNG's.
public enum PNMDecoder {
    /// Decodes a PGM or PPM file's bytes.
    /// - Throws: ``ImageError`` for another magic, a malformed header, too many pixels,
    ///   fewer samples than the header declares, or a sample above the maximum value.
    public static func decode(_ bytes: [UInt8]) throws(ImageError) -> GreyImage {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), let kind = [UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"), UInt8(ascii: "6")].firstIndex(of: bytes[1]) else {
            throw ImageError("is not a PGM or PPM file (P2, P3, P5 or P6)")
        }
        let colour = kind == 1 || kind == 3, binary = kind >= 2
        var position = 2
        /// The next header number, after white space and `#` comments.
        func number(_ what: String) throws(ImageError) -> Int {
            while position < bytes.count {
                if bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count && bytes[position] != 10 && bytes[position] != 13 { position += 1 }
                } else if isSpace(bytes[position]) {
                    position += 1
                } else {
                    break
                }
            }
            var value = 0, digits = 0
            while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
                value = value * 10 + Int(bytes[position] - 48)
                digits += 1
                position += 1
                guard value <= Int(Int32.max) else { throw ImageError("has a header \(what) that is too large") }
            }
            guard digits > 0 else {
                throw ImageError(what == "sample" ? "is truncated or malformed: it holds fewer valid samples than its header declares"
                                                  : "has no valid \(what) in its header")
            }
            return value
        }
        let width = try number("width"), height = try number("height"), maximum = try number("maximum value")
        guard width >= 1, height >= 1 else { throw ImageError("declares a size of \(width)×\(height) pixels") }
        guard width * height <= ImageLimits.pixels else {
            throw ImageError("declares \(width)×\(height) pixels, more than the limit of \(ImageLimits.pixels)")
        }
        guard (1 ... 65_535).contains(maximum) else { throw ImageError("has a maximum value of \(maximum); 1 to 65535 expected") }
        let channels = colour ? 3 : 1, samples = width * height * channels
        // Every sample takes at least one byte: the bytes present bound what is allocated.
        guard samples <= bytes.count - position else {
            throw ImageError("is truncated: its header declares \(samples) samples, but only \(bytes.count - position) bytes follow")
        }
        var values = [Int](repeating: 0, count: samples)
        if binary {
            guard position < bytes.count, isSpace(bytes[position]) else { throw ImageError("has no white space between its header and its pixels") }
            position += 1
            let size = maximum > 255 ? 2 : 1
            guard bytes.count - position >= samples * size else {
                throw ImageError("is truncated: its header declares \(samples * size) bytes of pixels, but \(bytes.count - position) follow")
            }
            for i in 0 ..< samples {
                values[i] = size == 1 ? Int(bytes[position + i]) : Int(bytes[position + 2 * i]) << 8 | Int(bytes[position + 2 * i + 1])
            }
        } else {
            for i in 0 ..< samples {
                guard position < bytes.count else { throw ImageError("is truncated: it holds \(i) of the \(samples) samples its header declares") }
                values[i] = try number("sample")
            }
        }
        if let bad = values.first(where: { $0 > maximum }) {
            throw ImageError("has a sample \(bad) above its maximum value \(maximum)")
        }
        let m = Float(maximum)
        let pixels = colour
            ? (0 ..< width * height).map { luma(Float(values[3 * $0]) / m, Float(values[3 * $0 + 1]) / m, Float(values[3 * $0 + 2]) / m) }
            : values.map { Float($0) / m }
        return GreyImage(width: width, height: height, pixels: pixels.map { min(1, $0) })
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 9 || byte == 10 || byte == 11 || byte == 12 || byte == 13
    }
}
