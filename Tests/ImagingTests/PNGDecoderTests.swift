import BenchCore
import Imaging
import TestSupport
import Testing

/// Hand-made PNGs of every colour type, bit depth, filter and interlace decode to known grey.
@Suite struct PNGDecoderTests {
    static let combinations: [(colourType: Int, bitDepth: Int)] = [
        (0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8), (4, 8), (4, 16), (6, 8), (6, 16),
    ]

    /// Random samples for a 13 × 9 image (odd sides, so Adam7's passes are partial).
    static func samples(_ options: PNGBytes.Options, seed: UInt64, paletteSize: Int = 0) -> [Int] {
        var generator = SplitMix64(seed: seed)
        let limit = options.colourType == 3 ? paletteSize : 1 << options.bitDepth
        return (0 ..< 13 * 9 * options.channels).map { _ in generator.nextInt(below: limit) }
    }

    /// The grey the decoder must give, computed here from the definition.
    static func expected(_ samples: [Int], _ options: PNGBytes.Options, palette: [[Int]] = [], paletteAlpha: [Int] = [],
                         transparent: [Int]? = nil, background: Float = 1) -> [Float] {
        let m = Float((1 << options.bitDepth) - 1), c = options.channels
        func luma(_ r: Float, _ g: Float, _ b: Float) -> Float { 0.299 * r + 0.587 * g + 0.114 * b }
        return (0 ..< 13 * 9).map { p in
            let s = Array(samples[p * c ..< (p + 1) * c])
            var value: Float, alpha: Float = 1
            switch options.colourType {
            case 0: value = Float(s[0]) / m; if transparent == [s[0]] { alpha = 0 }
            case 2: value = luma(Float(s[0]) / m, Float(s[1]) / m, Float(s[2]) / m); if transparent == s { alpha = 0 }
            case 3:
                let entry = palette[s[0]]
                value = luma(Float(entry[0]) / 255, Float(entry[1]) / 255, Float(entry[2]) / 255)
                if s[0] < paletteAlpha.count { alpha = Float(paletteAlpha[s[0]]) / 255 }
            case 4: value = Float(s[0]) / m; alpha = Float(s[1]) / m
            default: value = luma(Float(s[0]) / m, Float(s[1]) / m, Float(s[2]) / m); alpha = Float(s[3]) / m
            }
            return min(1, max(0, alpha * value + (1 - alpha) * background))
        }
    }

    @Test(arguments: combinations)
    func everyColourTypeAndDepthDecodesToKnownGrey(colourType: Int, bitDepth: Int) throws {
        for interlaced in [false, true] {
            for filter in UInt8(0) ... 4 {
                var options = PNGBytes.Options(colourType: colourType, bitDepth: bitDepth)
                options.interlaced = interlaced
                options.filter = filter
                var palette: [[Int]] = []
                if colourType == 3 {
                    var generator = SplitMix64(seed: 5)
                    palette = (0 ..< min(1 << bitDepth, 200)).map { _ in (0 ..< 3).map { _ in generator.nextInt(below: 256) } }
                    options.palette = palette.flatMap { $0.map(UInt8.init) }
                }
                let samples = Self.samples(options, seed: UInt64(colourType * 100 + bitDepth), paletteSize: palette.count)
                let image = try PNGDecoder.decode(PNGBytes.encode(width: 13, height: 9, samples: samples, options))
                #expect(image.width == 13 && image.height == 9)
                let expected = Self.expected(samples, options, palette: palette)
                let worst = zip(image.pixels, expected).map { abs($0 - $1) }.max() ?? 0
                #expect(worst < 1e-6, "type \(colourType), depth \(bitDepth), interlaced \(interlaced), filter \(filter): off by \(worst)")
            }
        }
    }

    @Test func transparencyIsCompositedOntoTheBackground() throws {
        // Grey with a transparent sample value, on white by default and on a bKGD grey.
        var grey = PNGBytes.Options(colourType: 0, bitDepth: 8)
        grey.transparency = [0, 7]
        let samples = Self.samples(grey, seed: 1).enumerated().map { $0.offset % 3 == 0 ? 7 : $0.element }
        var image = try PNGDecoder.decode(PNGBytes.encode(width: 13, height: 9, samples: samples, grey))
        #expect(image.pixels == Self.expected(samples, grey, transparent: [7]))
        #expect(image.pixels[0] == 1, "transparent shows white paper")
        grey.background = [0, 51]
        image = try PNGDecoder.decode(PNGBytes.encode(width: 13, height: 9, samples: samples, grey))
        #expect(image.pixels == Self.expected(samples, grey, transparent: [7], background: 0.2))
        // RGB with a transparent colour; a palette with alpha entries.
        var rgb = PNGBytes.Options(colourType: 2, bitDepth: 16)
        let colours = Self.samples(rgb, seed: 2)
        rgb.transparency = Array(colours[0 ..< 3]).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        image = try PNGDecoder.decode(PNGBytes.encode(width: 13, height: 9, samples: colours, rgb))
        #expect(image.pixels == Self.expected(colours, rgb, transparent: Array(colours[0 ..< 3])))
        var indexed = PNGBytes.Options(colourType: 3, bitDepth: 2)
        let palette = [[0, 0, 0], [255, 0, 0], [0, 255, 0], [10, 20, 30]]
        indexed.palette = palette.flatMap { $0.map(UInt8.init) }
        indexed.transparency = [0, 128]
        let indices = Self.samples(indexed, seed: 3, paletteSize: 4)
        image = try PNGDecoder.decode(PNGBytes.encode(width: 13, height: 9, samples: indices, indexed))
        #expect(image.pixels == Self.expected(indices, indexed, palette: palette, paletteAlpha: [0, 128]))
    }

    func rejects(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try PNGDecoder.decode(bytes)
            Issue.record("accepted (\(fragment))", sourceLocation: sourceLocation)
        } catch {
            #expect(error.reason.contains(fragment), "\(error.reason)", sourceLocation: sourceLocation)
        }
    }

    @Test func damagedFilesAreRefusedWithAReason() {
        let options = PNGBytes.Options(colourType: 0, bitDepth: 8)
        let good = PNGBytes.encode(width: 13, height: 9, samples: Self.samples(options, seed: 4), options)
        rejects(Array(good.prefix(good.count - 20)), "truncated")
        rejects(Array(good.prefix(6)), "not a PNG")
        var crc = good
        crc[40] ^= 0xFF
        rejects(crc, "CRC")
        let signature = Array(good.prefix(8))
        func header(_ width: UInt32, _ height: UInt32, _ depth: UInt8, _ type: UInt8, interlace: UInt8 = 0) -> [UInt8] {
            PNGBytes.chunk("IHDR", PNGBytes.bigEndian(width) + PNGBytes.bigEndian(height) + [depth, type, 0, 0, interlace])
        }
        let idat = PNGBytes.chunk("IDAT", PNGBytes.deflate([UInt8](repeating: 0, count: 10)))
        let end = PNGBytes.chunk("IEND", [])
        rejects(signature + header(100_000, 100_000, 8, 0) + idat + end, "more than the limit")
        rejects(signature + header(0, 5, 8, 0) + idat + end, "size")
        rejects(signature + header(3, 3, 3, 0) + idat + end, "bit depth 3")
        rejects(signature + header(3, 3, 8, 5) + idat + end, "colour type 5")
        rejects(signature + header(3, 3, 8, 0, interlace: 2) + idat + end, "interlace")
        rejects(signature + idat + header(3, 3, 8, 0) + end, "first chunk is IDAT")
        rejects(signature + header(3, 3, 8, 0) + end, "no image data")
        rejects(signature + header(3, 3, 8, 3) + idat + end, "without a PLTE")
        rejects(signature + header(3, 3, 8, 0) + PNGBytes.chunk("ABCD", []) + idat + end, "critical chunk ABCD")
        rejects(signature + header(2, 2, 8, 0) + PNGBytes.chunk("IDAT", PNGBytes.deflate([0, 1, 2, 0, 3])) + end, "truncated")
        rejects(signature + header(2, 2, 8, 0) + PNGBytes.chunk("IDAT", PNGBytes.deflate([0, 1, 2, 0, 3, 4, 5])) + end, "more bytes")
        rejects(signature + header(2, 1, 8, 0) + PNGBytes.chunk("IDAT", PNGBytes.deflate([7, 1, 2])) + end, "filter type 7")
        rejects(signature + header(2, 1, 8, 0) + PNGBytes.chunk("IDAT", [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF]) + end, "corrupt")
        rejects(signature + header(2, 1, 8, 3) + PNGBytes.chunk("PLTE", [1, 2, 3]) + PNGBytes.chunk("IDAT", PNGBytes.deflate([0, 0, 1])) + end,
                "palette index 1")
        rejects(signature + header(2, 1, 8, 0) + PNGBytes.chunk("IDAT", PNGBytes.deflate([0, 0, 1])), "before IEND")
    }

    /// Hardening (docs/hardening.md): these 68 bytes claim 8,000 × 8,000 16-bit RGBA pixels
    /// with 11 bytes of image data, and the decoder allocated the 512 MB the header implies
    /// before zlib found the data short. Deflate expands at most 1032:1, so the header is now
    /// refused first; the most compressible image there is (black, 1009:1) still decodes.
    @Test func imageDataTooShortForItsHeaderIsRefusedBeforeItsSizeIsAllocated() throws {
        let bytes: [UInt8] = [
            0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x1F, 0x40,
            0x00, 0x00, 0x1F, 0x40, 0x10, 0x06, 0x00, 0x00, 0x00, 0x56, 0x61, 0x71, 0xB7, 0x00, 0x00, 0x00, 0x0B, 0x49, 0x44, 0x41,
            0x54, 0x78, 0x9C, 0x63, 0x60, 0x80, 0x01, 0x00, 0x00, 0x0A, 0x00, 0x01, 0x7F, 0x80, 0x74, 0x5E, 0x00, 0x00, 0x00, 0x00,
            0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
        ]
        rejects(bytes, "cannot inflate to the 512008000 bytes")
        let black = PNGBytes.Options(colourType: 0, bitDepth: 8)
        let image = try PNGDecoder.decode(PNGBytes.encode(width: 1000, height: 1000, samples: [Int](repeating: 0, count: 1_000_000), black))
        #expect(image.pixels.count == 1_000_000 && image.pixels.allSatisfy { $0 == 0 })
    }

    @Test func theEncoderWritesWhatTheDecoderReads() throws {
        var generator = SplitMix64(seed: 9)
        let image = GreyImage(width: 17, height: 11, pixels: (0 ..< 17 * 11).map { _ in Float(generator.nextInt(below: 256)) / 255 })
        #expect(try PNGDecoder.decode(PNGEncoder.encode(image)) == image)
    }
}
