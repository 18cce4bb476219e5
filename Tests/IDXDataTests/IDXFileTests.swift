import IDXData
import TestSupport
import Testing

@Suite struct IDXFileTests {
    @Test func parsesAWellFormedImageFile() throws {
        let bytes = IDXBytes.images(count: 2, height: 2, width: 3, pixels: Array(0 ..< 12))
        let file = try IDXFile(parsing: bytes, expectedRank: 3)
        #expect(file.elementType == .unsignedByte)
        #expect(file.dimensions == [2, 2, 3])
        #expect(Array(file.payload) == Array(0 ..< 12))
    }

    @Test func readsBigEndianIntegerLabels() throws {
        let payload: [UInt8] = [0, 0, 0, 7, 0xFF, 0xFF, 0xFF, 0xFF]
        let file = try IDXFile(parsing: IDXBytes.file(type: 0x0C, dimensions: [2], payload: payload), expectedRank: 1)
        #expect(file.integers() == [7, -1])
    }

    @Test func rejectsAWrongMagicNumber() {
        var bytes = IDXBytes.labels([1, 2, 3])
        bytes[0] = 0x1F
        #expect(throws: IDXFormatError.self) { try IDXFile(parsing: bytes, expectedRank: 1) }
        bytes = IDXBytes.file(type: 0x07, dimensions: [3], payload: [1, 2, 3])
        #expect(throws: IDXFormatError.self) { try IDXFile(parsing: bytes, expectedRank: 1) }
    }

    @Test func rejectsTheWrongRank() {
        #expect(throws: IDXFormatError.self) { try IDXFile(parsing: IDXBytes.labels([1, 2]), expectedRank: 3) }
    }

    @Test func rejectsTruncatedAndOverlongFiles() {
        let good = IDXBytes.images(count: 3, height: 2, width: 2, pixels: [UInt8](repeating: 9, count: 12))
        for cut in [0, 3, 10, 16, good.count - 1] {
            #expect(throws: IDXFormatError.self, "cut at \(cut)") { try IDXFile(parsing: Array(good.prefix(cut)), expectedRank: 3) }
        }
        #expect(throws: IDXFormatError.self) { try IDXFile(parsing: good + [0], expectedRank: 3) }
    }

    @Test func aHeaderClaimingBillionsOfImagesIsAnErrorNotAnAllocation() {
        // 4,294,967,295 images of 28x28 claimed, 10 bytes present.
        let bytes = IDXBytes.file(type: 0x08, dimensions: [UInt32.max, 28, 28], payload: [UInt8](repeating: 0, count: 10))
        do {
            _ = try IDXFile(parsing: bytes, expectedRank: 3)
            Issue.record("accepted a header that claims billions of images")
        } catch {
            #expect(error.reason.contains("4294967295 x 28 x 28"))
        }
        let overflowing = IDXBytes.file(type: 0x0E, dimensions: [UInt32.max, UInt32.max, UInt32.max], payload: [])
        #expect(throws: IDXFormatError.self) { try IDXFile(parsing: overflowing, expectedRank: 3) }
    }
}
