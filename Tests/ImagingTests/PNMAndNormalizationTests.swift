import BenchCore
import Foundation
import IDXData
import Imaging
import TestSupport
import Testing

@Suite struct PNMDecoderTests {
    @Test func asciiAndBinaryGreyAndColourDecodeToKnownPixels() throws {
        let ascii = try PNMDecoder.decode(Array("P2\n# a comment\n3 2\n# another\n10\n0 5 10\n10 5 0\n".utf8))
        #expect(ascii == GreyImage(width: 3, height: 2, pixels: [0, 0.5, 1, 1, 0.5, 0]))
        let binary = try PNMDecoder.decode(Array("P5 2 1 255\n".utf8) + [51, 255])
        #expect(binary.pixels == [0.2, 1])
        let wide = try PNMDecoder.decode(Array("P5\n1 1\n65535\n".utf8) + [0x80, 0x00])
        #expect(wide.pixels == [Float(0x8000) / 65535])
        let colour = try PNMDecoder.decode(Array("P3\n1 1\n255\n255 0 0\n".utf8))
        #expect(colour.pixels == [0.299])
        let colourBinary = try PNMDecoder.decode(Array("P6 2 1 65535 ".utf8) + [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0])
        #expect(colourBinary.pixels == [0.114, 0.299 + 0.587])
    }

    @Test(arguments: [
        ("P5 2 2 255\n\u{1}\u{2}\u{3}", "truncated"),
        ("P2 2 1 10\n3", "truncated"),
        ("P2 2 1 10\n3 x", "fewer valid samples"),
        ("P2 1 1 10\n11\n", "above its maximum"),
        ("P5 0 2 255\n", "size"),
        ("P5 90000 90000 255\n", "more than the limit"),
        ("P5 2 2 70000\n", "maximum value"),
        ("P5 x 2 255\n", "width"),
        ("P7 2 2 255\n", "not a PGM or PPM"),
    ])
    func damagedFilesAreRefusedWithAReason(text: String, fragment: String) {
        do {
            _ = try PNMDecoder.decode(Array(text.utf8))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.reason.contains(fragment), "\(error.reason)")
        }
    }
}

@Suite struct ImageFileTests {
    @Test func formatsAreToldApartByContentAndDirectoriesSortByName() throws {
        let directory = TestData.temporaryDirectory()
        let image = GreyImage(width: 2, height: 2, pixels: [0, 1, 1, 0])
        try Data(PNGEncoder.encode(image)).write(to: URL(fileURLWithPath: directory + "/b.png"))
        try Data(Array("P2 2 2 1\n0 1 1 0\n".utf8)).write(to: URL(fileURLWithPath: directory + "/a.pgm"))
        try Data(IDXBytes.images(count: 3, height: 2, width: 2, pixels: [0, 255, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8]))
            .write(to: URL(fileURLWithPath: directory + "/c-idx3-ubyte"))
        try Data([0xFF, 0xD8, 0xFF, 0xE0]).write(to: URL(fileURLWithPath: directory + "/d.png"))
        try Data("notes".utf8).write(to: URL(fileURLWithPath: directory + "/readme.txt"))
        let paths = ImageFile.expand([directory]).map { ($0.path as NSString).lastPathComponent }
        #expect(paths == ["a.pgm", "b.png", "c-idx3-ubyte", "d.png"])
        #expect(try ImageFile.read(directory + "/a.pgm").images == [image])
        #expect(try ImageFile.read(directory + "/b.png").format == .png)
        #expect(try ImageFile.read(directory + "/b.png").images == [image])
        #expect(try ImageFile.read(directory + "/c-idx3-ubyte").images.count == 3)
        #expect(throws: DataError.self) { try ImageFile.read(directory + "/d.png") }
        do { _ = try ImageFile.read(directory + "/d.png") } catch { #expect("\(error)".contains("JPEG")) }
        #expect(ImageFile.expand([directory + "/none.png"]).first?.error?.isMissingInput == true)
    }
}

@Suite struct AreaResamplingTests {
    @Test func theSeparableResampleMatchesTheAreaIntegral() {
        var generator = SplitMix64(seed: 3)
        for (w, h, ow, oh) in [(60, 45, 20, 15), (7, 13, 20, 20), (33, 17, 5, 11), (20, 20, 20, 20), (1, 9, 3, 2)] {
            let image = GreyImage(width: w, height: h, pixels: (0 ..< w * h).map { _ in generator.nextUnitFloat() })
            let fast = AreaResampling.resample(image, width: ow, height: oh)
            let reference = AreaResampling.referenceResample(image, width: ow, height: oh)
            let worst = zip(fast.pixels, reference.pixels).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-5, "\(w)×\(h) → \(ow)×\(oh): off by \(worst)")
        }
        // Whole-factor reductions of a block image give the blocks back exactly.
        let blocks = GreyImage(width: 6, height: 3, pixels: [0.5, 0.5, 0.5, 1, 1, 1, 0.5, 0.5, 0.5, 1, 1, 1, 0.5, 0.5, 0.5, 1, 1, 1])
        #expect(AreaResampling.resample(blocks, width: 2, height: 1).pixels == [0.5, 1])
    }
}

/// A digit turned into what users bring (upscaled, inverted, off-centre on a larger canvas)
/// normalises to what the original normalises to, within a stated tolerance.
@Suite struct MNISTNormalizationTests {
    static func digits() throws -> [GreyImage] {
        let (_, test) = try TestData.mnistSample(training: 100, test: 40)
        let bytes = test.images.bytes!
        return (0 ..< test.count).map { i in GreyImage(width: 28, height: 28, pixels: bytes[i * 784 ..< (i + 1) * 784].map { Float($0) / 255 }) }
    }

    /// `image` enlarged `factor` times (each pixel a block), inverted to dark ink on light
    /// paper, placed at (`x`, `y`) on a `width × height` white canvas.
    static func asUsersBringIt(_ image: GreyImage, factor: Int, x: Int, y: Int, width: Int, height: Int) -> GreyImage {
        var canvas = GreyImage(width: width, height: height, pixels: [Float](repeating: 1, count: width * height))
        for py in 0 ..< image.height * factor {
            for px in 0 ..< image.width * factor {
                canvas[x + px, y + py] = 1 - image[px / factor, py / factor]
            }
        }
        return canvas
    }

    @Test func aShiftedScaledInvertedDigitNormalisesLikeTheOriginal() throws {
        let normalization = MNISTNormalization(height: 28, width: 28)
        var worstMean: Float = 0
        for (index, digit) in try Self.digits().enumerated() {
            let (original, _) = try normalization.prepare(digit, mode: .always)
            let factor = 3 + index % 6
            let big = Self.asUsersBringIt(digit, factor: factor, x: 7 + index * 3, y: 11 + index, width: 28 * factor + 150, height: 28 * factor + 90)
            let (seen, decision) = try normalization.prepare(big, mode: .auto)
            #expect(decision == .normalisedInverted)
            let mean = zip(original, seen).map { abs(Float($0) - Float($1)) / 255 }.reduce(0, +) / 784
            worstMean = max(worstMean, mean)
            #expect(mean <= 0.02, "digit \(index) at \(factor)×: mean difference \(mean)")
        }
        print("normalisation: worst mean absolute difference \(worstMean) over 40 digits")
    }

    @Test func autoLeavesMNISTImagesAloneAndNeverRefusesOtherSizes() throws {
        let normalization = MNISTNormalization(height: 28, width: 28)
        let digit = try Self.digits()[0]
        let (bytes, decision) = try normalization.prepare(digit, mode: .auto)
        #expect(decision == .unchanged)
        #expect(bytes == digit.pixels.map { UInt8(($0 * 255).rounded()) })
        #expect(throws: ImageError.self) { try normalization.prepare(GreyImage(width: 5, height: 5, pixels: .init(repeating: 0, count: 25)), mode: .never) }
        let blank = try normalization.prepare(GreyImage(width: 40, height: 30, pixels: .init(repeating: 0.9, count: 1200)), mode: .auto)
        #expect(blank.decision == .blank && blank.bytes.allSatisfy { $0 == 0 })
    }

    @Test func theBoxScalesWithTheModelsSize() throws {
        let digit = try Self.digits()[1]
        let normalization = MNISTNormalization(height: 56, width: 42)
        #expect(normalization.box == (40, 30))
        let (bytes, _) = try normalization.prepare(Self.asUsersBringIt(digit, factor: 4, x: 10, y: 5, width: 200, height: 150), mode: .auto)
        #expect(bytes.count == 56 * 42)
        var (rows, columns) = (Set<Int>(), Set<Int>())
        for (index, value) in bytes.enumerated() where value > 0 { rows.insert(index / 42); columns.insert(index % 42) }
        #expect(rows.count <= 40 && columns.count <= 30 && (rows.count == 40 || columns.count == 30))
    }
}

@Suite struct DeskewTests {
    @Test func aShearedBarDeskewsBackUpright() {
        // A vertical bar 3 pixels wide, then sheared by s = 0.4 about the middle row (14): the deskewed bar is upright again.
        let (width, height) = (28, 28)
        var upright = [UInt8](repeating: 0, count: width * height)
        for y in 4 ..< 24 { for x in 12 ..< 15 { upright[y * width + x] = 255 } }
        var sheared = [UInt8](repeating: 0, count: width * height)
        for y in 4 ..< 24 {
            let shift = Int((0.4 * (Double(y) - 14)).rounded())
            for x in 12 ..< 15 { sheared[y * width + x + shift] = 255 }
        }
        let result = Deskew.apply(ImageSet(height: height, width: width, bytes: sheared), threads: 1).bytes!
        // Each row's ink centre is within half a pixel of the upright bar's (13), and the ink is kept.
        for y in 4 ..< 24 {
            let row = (0 ..< width).map { Double(result[y * width + $0]) }
            let mass = row.reduce(0, +)
            let centre = zip(row, 0...).map { $0 * Double($1) }.reduce(0, +) / mass
            #expect(abs(centre - 13) <= 0.5, "row \(y): centre \(centre)")
            #expect(abs(mass - 3 * 255) <= 3, "row \(y): ink \(mass)")
        }
        let again = Deskew.apply(ImageSet(height: height, width: width, bytes: upright), threads: 1).bytes!
        #expect(again == upright, "an upright image is left as it is")
    }

    @Test func theFastShearMatchesThePlainReferenceAndThreadsDoNotMatter() throws {
        let (training, _) = try TestData.mnistSample(training: 600, test: 1)
        let one = Deskew.apply(training.images, threads: 1), two = Deskew.apply(training.images, threads: 2)
        #expect(one == two)
        let bytes = training.images.bytes!, out = one.bytes!
        var differing = 0
        for image in 0 ..< training.count {
            let reference = Deskew.referenceShear(Array(bytes[image * 784 ..< (image + 1) * 784]), width: 28, height: 28)
            for (a, b) in zip(reference, out[image * 784 ..< (image + 1) * 784]) {
                #expect(abs(Int(a) - Int(b)) <= 1)
                if a != b { differing += 1 }
            }
        }
        #expect(differing < training.count * 784 / 1000, "the fast and reference shears round alike but for rare half levels")
    }
}
