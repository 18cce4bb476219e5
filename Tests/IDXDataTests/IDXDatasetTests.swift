import BenchCore
import Foundation
import IDXData
import TestSupport
import Testing

@Suite struct IDXDatasetTests {
    @Test func loadsTheShippedMNISTWithVerifiedChecksums() throws {
        let data = try TestData.mnist.get()
        #expect(data.training.count == 60_000)
        #expect(data.test.count == 10_000)
        #expect(data.training.images.height == 28 && data.training.images.width == 28)
        #expect(data.files.allSatisfy { $0.verified })
        // Sanity figures published with the data (shared/mnist/README.md).
        #expect(data.training.classCounts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        #expect(data.test.classCounts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        let bytes = try #require(data.training.images.bytes)
        let features = data.training.images.features
        #expect(features.values.count == bytes.count)
        let mean = features.values.reduce(0.0) { $0 + Double($1) } / Double(features.values.count)
        #expect(abs(mean - 0.1307) < 0.0001)
    }

    @Test func readsRawFilesFromAnyDirectory() throws {
        let directory = TestData.temporaryDirectory()
        try IDXBytes.writeToyDataset(to: directory, training: 10, test: 4, side: 5)
        let data = try IDXDataset.load(directory: directory)
        #expect(data.training.count == 10 && data.test.count == 4)
        #expect(data.training.images.height == 5)
        #expect(data.training.classCount == 2)
        #expect(!data.files.contains { $0.verified })
    }

    @Test func aMissingDirectoryOrFileIsAMissingInput() throws {
        do {
            _ = try IDXDataset.load(directory: "/nonexistent/mnist")
            Issue.record("loaded a directory that does not exist")
        } catch {
            #expect(error.isMissingInput)
        }
        let directory = TestData.temporaryDirectory()
        try IDXBytes.writeToyDataset(to: directory)
        try FileManager.default.removeItem(atPath: directory + "/t10k-labels-idx1-ubyte")
        do {
            _ = try IDXDataset.load(directory: directory)
            Issue.record("loaded a directory without test labels")
        } catch {
            #expect(error.isMissingInput)
            #expect(error.description.contains("t10k-labels-idx1-ubyte"))
        }
    }

    @Test func countMismatchNamesBothFiles() throws {
        let directory = TestData.temporaryDirectory()
        try IDXBytes.writeToyDataset(to: directory, training: 10, test: 4)
        try Data(IDXBytes.labels([0, 1, 0])).write(to: URL(fileURLWithPath: directory + "/t10k-labels-idx1-ubyte"))
        expectDamaged(directory, mentioning: ["t10k-labels-idx1-ubyte", "3 labels", "4 images"])
    }

    @Test func labelsOutOfRangeAreRejected() throws {
        let directory = TestData.temporaryDirectory()
        try IDXBytes.writeToyDataset(to: directory, training: 4, test: 2)
        let labels = IDXBytes.file(type: 0x0C, dimensions: [4], payload: [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 44, 0, 0, 0, 1])
        try Data(labels).write(to: URL(fileURLWithPath: directory + "/train-labels-idx1-ubyte"))
        expectDamaged(directory, mentioning: ["train-labels-idx1-ubyte", "label 300 at index 2"])
        // A test label that is not a class of the training set.
        try IDXBytes.writeToyDataset(to: directory, training: 4, test: 2)
        try Data(IDXBytes.labels([1, 7])).write(to: URL(fileURLWithPath: directory + "/t10k-labels-idx1-ubyte"))
        expectDamaged(directory, mentioning: ["label 7 at index 1"])
    }

    @Test func truncatedAndCorruptGzipFilesAreRejected() throws {
        let directory = TestData.temporaryDirectory()
        for name in IDXDataset.stems {
            try FileManager.default.copyItem(atPath: "\(TestData.mnistDirectory)/\(name).gz", toPath: "\(directory)/\(name).gz")
        }
        let path = "\(directory)/t10k-labels-idx1-ubyte.gz"
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        try Data(original.prefix(original.count / 2)).write(to: URL(fileURLWithPath: path))
        expectDamaged(directory, mentioning: ["t10k-labels-idx1-ubyte.gz", "truncated"])
        var corrupt = original
        corrupt[original.count / 2] ^= 0x5A
        try Data(corrupt).write(to: URL(fileURLWithPath: path))
        expectDamaged(directory, mentioning: ["t10k-labels-idx1-ubyte.gz"])
    }

    @Test func aChecksumMismatchIsRejected() throws {
        let directory = TestData.temporaryDirectory()
        try IDXBytes.writeToyDataset(to: directory, training: 4, test: 2)
        let sums = "0000000000000000000000000000000000000000000000000000000000000000  train-images-idx3-ubyte\n"
        try sums.write(toFile: directory + "/SHA256SUMS", atomically: true, encoding: .utf8)
        expectDamaged(directory, mentioning: ["train-images-idx3-ubyte", "SHA-256"])
    }

    @Test func gzipRoundTripsTheShippedLabels() throws {
        let compressed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(TestData.mnistDirectory)/t10k-labels-idx1-ubyte.gz")))
        #expect(Gzip.isCompressed(compressed))
        let raw = try Gzip.decompress(compressed)
        #expect(raw.count == 10_008)
        #expect(SHA256.hexDigest(raw) == "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")
        #expect(throws: GzipError.self) { try Gzip.decompress(compressed, limit: 5_000) }
    }

    @Test func imagesFromBytesAreTheImagesOfTheFile() throws {
        let file = IDXBytes.images(count: 2, height: 2, width: 3, pixels: Array(0 ..< 12))
        let path = TestData.temporaryDirectory() + "/images-idx3-ubyte"
        try Data(file).write(to: URL(fileURLWithPath: path))
        let images = try IDXDataset.readImages(bytes: file, path: "x")
        #expect(images == (try IDXDataset.readImages(path: path)))
        #expect(images.count == 2 && images.bytes == Array(0 ..< 12))
        #expect(throws: DataError.damaged(path: "x", reason: "has 1 dimensions, expected 3 (images: count, rows, columns)")) {
            try IDXDataset.readImages(bytes: IDXBytes.labels([1, 2]), path: "x")
        }
    }

    /// Found by the gzip fuzz target (docs/hardening.md): the size in the trailer sized the
    /// first allocation, so these 97 bytes (the gzip of an 80-byte IDX file, with a trailer
    /// claiming 4 GiB) allocated 4 GiB before zlib found the length wrong.
    @Test func aTrailerClaimingGigabytesIsNotTrustedWithMemory() throws {
        let bytes: [UInt8] = [
            0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63, 0x60, 0xE0, 0x60, 0x66, 0x60, 0x60, 0x60, 0x81, 0xE1,
            0x8D, 0x2F, 0xCC, 0x8C, 0x57, 0x1C, 0x60, 0x97, 0xBF, 0x79, 0x47, 0x53, 0x62, 0xD7, 0x1A, 0x79, 0x46, 0x4B, 0xD3, 0x8B,
            0xD7, 0xD5, 0x0C, 0x16, 0xFC, 0x94, 0x11, 0xFC, 0xB3, 0x57, 0x95, 0xED, 0xC4, 0xE2, 0x45, 0x8B, 0x35, 0x95, 0x16, 0x5E,
            0xD0, 0xE6, 0xBD, 0xF6, 0x87, 0x51, 0x71, 0xCF, 0x0D, 0x79, 0x65, 0x3E, 0xB1, 0xBD, 0xDF, 0xF8, 0x0C, 0x6E, 0x1D, 0xB5,
            0x66, 0xBC, 0xFA, 0xDC, 0x5A, 0x73, 0xCD, 0x76, 0x00, 0xD9, 0x13, 0x2B, 0x0D, 0xFF, 0xFF, 0xFF, 0xFF,
        ]
        let before = peakResidentBytes()
        #expect(throws: GzipError.self) { try Gzip.decompress(bytes) }
        // 4 GiB would show in the peak whatever else runs beside this test.
        #expect(peakResidentBytes() - before < 2 << 30)
        // With its true size, the same stream inflates to the 80-byte file.
        let honest = Array(bytes.dropLast(4)) + [80, 0, 0, 0]
        #expect(try Gzip.decompress(honest).count == 80)
    }

    private func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    private func expectDamaged(_ directory: String, mentioning parts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try IDXDataset.load(directory: directory)
            Issue.record("loaded damaged data", sourceLocation: sourceLocation)
        } catch {
            #expect(!error.isMissingInput, sourceLocation: sourceLocation)
            for part in parts {
                #expect(error.description.contains(part), "\(error.description) should mention \(part)", sourceLocation: sourceLocation)
            }
        }
    }
}
