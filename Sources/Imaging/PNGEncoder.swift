/// Writes 8-bit grey PNG files: what `bench predict --save-normalized` shows a person, and
/// the pictures in docs/. Every row is stored with filter 0 and the whole compressed by zlib.
public enum PNGEncoder {
    /// The PNG bytes of `image`, each value rounded to the nearest of 256 grey levels.
    public static func encode(_ image: GreyImage) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity(image.height * (image.width + 1))
        for y in 0 ..< image.height {
            raw.append(0)
            for x in 0 ..< image.width { raw.append(UInt8((min(1, max(0, image[x, y])) * 255).rounded())) }
        }
        var header: [UInt8] = []
        header += bigEndian(UInt32(image.width)) + bigEndian(UInt32(image.height))
        header += [8, 0, 0, 0, 0]  // 8-bit grey, deflate, adaptive filtering, no interlace
        return PNGDecoder.signature + chunk("IHDR", header) + chunk("IDAT", Zlib.deflate(raw)) + chunk("IEND", [])
    }

    /// One chunk: length, type, data, CRC of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(Zlib.crc32(body[...]))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
