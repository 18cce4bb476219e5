import BenchCore
import Testing

@Suite struct ImageSetTests {
    @Test func bytesBecomeUnitScaledFeatures() {
        let images = ImageSet(height: 1, width: 2, bytes: [0, 255, 51, 102])
        #expect(images.count == 2)
        #expect(images.features.values == [0, 1, 0.2, 0.4])
    }

    /// A batch written from bytes (sixteen values at a time, then one by one) holds exactly
    /// (v / 255 − shift) · scale, the scalar formula, for every value; and with the defaults
    /// exactly the float view's values, as from a set held as floats.
    @Test func copiedFeaturesAreTheFormulaBitForBit() {
        var generator = SplitMix64(seed: 11)
        // 9 images of 5 × 7: 35 values each, so a batch ends in every position of a vector.
        let bytes = (0 ..< 9 * 35).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let images = ImageSet(height: 5, width: 7, bytes: bytes)
        let floats = ImageSet(height: 5, width: 7, features: images.features)
        let (shift, scale): (Float, Float) = (0.1307, 1 / 0.3081)
        for range in [0 ..< 9, 2 ..< 6, 4 ..< 5, 3 ..< 3] {
            let count = range.count * 35
            var copied = [Float](repeating: .nan, count: max(count, 1)), plain = copied
            copied.withUnsafeMutableBufferPointer { images.copyFeatures(range, into: $0.baseAddress!, shift: shift, scale: scale) }
            let expected = (0 ..< count).map { (Float(bytes[range.lowerBound * 35 + $0]) / 255 - shift) * scale }
            #expect(copied.prefix(count).map(\.bitPattern) == expected.map(\.bitPattern), "images \(range)")
            copied.withUnsafeMutableBufferPointer { images.copyFeatures(range, into: $0.baseAddress!) }
            plain.withUnsafeMutableBufferPointer { floats.copyFeatures(range, into: $0.baseAddress!) }
            #expect(copied.prefix(count).map(\.bitPattern) == plain.prefix(count).map(\.bitPattern), "images \(range)")
            #expect(Array(copied.prefix(count)) == Array(images.features.values[range.lowerBound * 35 ..< range.upperBound * 35]))
        }
    }

    @Test func subsetsKeepRowsLabelsAndBytesTogether() {
        let images = ImageSet(height: 1, width: 2, bytes: [1, 2, 3, 4, 5, 6])
        let data = LabeledImages(images: images, labels: [0, 1, 2], classCount: 3)
        let subset = data.subset([2, 0])
        #expect(subset.labels == [2, 0])
        #expect(subset.images.bytes == [5, 6, 1, 2])
        #expect(subset.images.features.row(0).map { $0 } == [Float(5) / 255, Float(6) / 255])
        #expect(subset.classCounts == [1, 0, 1])
    }

    /// The selections made from bytes must equal the same selections made from the float
    /// view, bit for bit: k-NN and the SVM use them, and their models must not change.
    @Test func selectionsFromBytesEqualThoseFromFeatures() {
        var generator = SplitMix64(seed: 7)
        // 40 images of 5×6 with some pixels dark in every image (columns 0, 7 and 29).
        var bytes = (0 ..< 40 * 30).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for image in 0 ..< 40 { for j in [0, 7, 29] { bytes[image * 30 + j] = 0 } }
        let images = ImageSet(height: 5, width: 6, bytes: bytes)
        let floats = ImageSet(height: 5, width: 6, features: images.features)
        #expect(floats.bytes == nil)
        #expect(images.activeColumns() == images.features.activeColumns())
        #expect(!images.activeColumns().contains(7) && images.activeColumns().count == 27)
        let active = images.activeColumns(), rows = [39, 3, 3, 0, 17]
        #expect(images.features(columns: active) == images.features.selecting(columns: active))
        #expect(images.features(rows: rows, columns: active) == images.features.rows(at: rows).selecting(columns: active))
        #expect(floats.features(rows: rows, columns: active) == images.features(rows: rows, columns: active))
        #expect(images.squaredNorms() == images.features.squaredRowNorms())
        #expect(floats.squaredNorms() == images.squaredNorms())
        // A subset keeps the form of its source: bytes stay bytes, floats stay floats.
        #expect(images.subset(rows).bytes != nil && floats.subset(rows).bytes == nil)
        #expect(images.subset(rows).features == floats.subset(rows).features)
    }

    /// Every output pixel is the source pixel `shift` away, or 0 where that falls outside the
    /// image; bytes stay bytes, floats stay floats, and both give the same values.
    @Test(arguments: [[PixelShift.none], PixelShift.fourWays(1), PixelShift.fourWays(2),
                      [PixelShift(dx: 3, dy: -1), PixelShift(dx: -6, dy: 0), PixelShift(dx: 0, dy: 9)]])
    func translationsMoveEveryPixelByTheShift(shifts: [PixelShift]) {
        var generator = SplitMix64(seed: 11)
        let (height, width) = (5, 6)
        let bytes = (0 ..< 7 * height * width).map { _ in UInt8(truncatingIfNeeded: generator.next() | 1) }
        let images = ImageSet(height: height, width: width, bytes: bytes)
        let floats = ImageSet(height: height, width: width, features: images.features)
        let indices = [6, 0, 3, 3]
        let moved = images.translated(indices, by: shifts)
        #expect(moved.count == shifts.count * indices.count && moved.height == height && moved.width == width)
        let movedBytes = moved.bytes ?? []
        #expect(movedBytes.count == moved.count * height * width)
        for (s, shift) in shifts.enumerated() {
            for (k, index) in indices.enumerated() {
                for y in 0 ..< height {
                    for x in 0 ..< width {
                        let (sy, sx) = (y - shift.dy, x - shift.dx)
                        let expected = sy >= 0 && sy < height && sx >= 0 && sx < width ? bytes[(index * height + sy) * width + sx] : 0
                        let got = movedBytes[((s * indices.count + k) * height + y) * width + x]
                        #expect(got == expected, "shift \(shift), image \(index), (\(y), \(x))")
                    }
                }
            }
        }
        let movedFloats = floats.translated(indices, by: shifts)
        #expect(movedFloats.bytes == nil)
        #expect(movedFloats.features == moved.features)
    }
}
