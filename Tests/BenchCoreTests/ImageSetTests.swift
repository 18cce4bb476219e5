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
}
