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
        let values = data.training.images.features.values
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
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
