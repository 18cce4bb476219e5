import BenchCore
import Testing

@Suite struct ImageSetTests {
    @Test func bytesBecomeUnitScaledFeatures() {
        let images = ImageSet(height: 1, width: 2, bytes: [0, 255, 51, 102])
        #expect(images.count == 2)
        #expect(images.features.values == [0, 1, 0.2, 0.4])
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
}
