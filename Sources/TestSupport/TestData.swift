import BenchCore
import Evaluation
import Foundation
import IDXData

/// Data for tests: the MNIST copy shipped in `data/mnist`, and small hand-made IDX files.
/// Tests never touch the network.
public enum TestData {
    /// The package's root directory (found from this file's path, so tests work from any directory).
    public static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// `data/mnist` in the package.
    public static let mnistDirectory = packageRoot + "/data/mnist"

    /// The shipped MNIST, loaded once per test process.
    public static let mnist: Result<IDXDataset, DataError> = Result { () throws(DataError) in
        try IDXDataset.load(directory: mnistDirectory)
    }

    /// A stratified sample of the MNIST training set and the first `testCount` test images.
    public static func mnistSample(training: Int, test testCount: Int, seed: UInt64 = 7) throws -> (LabeledImages, LabeledImages) {
        let data = try mnist.get()
        let indices = stratifiedSubsample(labels: data.training.labels, classCount: data.training.classCount, size: training, seed: seed)
        return (data.training.subset(indices), data.test.subset(Array(0 ..< testCount)))
    }

    /// A fresh empty directory under the system's temporary directory.
    public static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "mnistbench-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Builds IDX files byte by byte, to test the reader on good and damaged input.
public enum IDXBytes {
    /// A header (magic with element `type` and rank, then the dimensions) followed by `payload`.
    public static func file(type: UInt8, dimensions: [UInt32], payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
        for size in dimensions { bytes += [UInt8(size >> 24), UInt8((size >> 16) & 0xFF), UInt8((size >> 8) & 0xFF), UInt8(size & 0xFF)] }
        return bytes + payload
    }

    /// An unsigned-byte image file.
    public static func images(count: Int, height: Int, width: Int, pixels: [UInt8]) -> [UInt8] {
        file(type: 0x08, dimensions: [UInt32(count), UInt32(height), UInt32(width)], payload: pixels)
    }

    /// An unsigned-byte label file.
    public static func labels(_ labels: [UInt8]) -> [UInt8] {
        file(type: 0x08, dimensions: [UInt32(labels.count)], payload: labels)
    }

    /// Writes the four files of a small, learnable two-class set into `directory`: class 0
    /// images are bright on the left half, class 1 on the right half, with seeded noise.
    public static func writeToyDataset(to directory: String, training: Int = 60, test: Int = 20, side: Int = 6, seed: UInt64 = 1) throws {
        var generator = SplitMix64(seed: seed)
        func make(_ count: Int) -> ([UInt8], [UInt8]) {
            var pixels: [UInt8] = []
            var labels: [UInt8] = []
            for i in 0 ..< count {
                let label = UInt8(i % 2)
                labels.append(label)
                for _ in 0 ..< side {
                    for column in 0 ..< side {
                        let lit = (column < side / 2) == (label == 0)
                        pixels.append(UInt8(lit ? 160 + generator.nextInt(below: 96) : generator.nextInt(below: 60)))
                    }
                }
            }
            return (pixels, labels)
        }
        let (trainPixels, trainLabels) = make(training)
        let (testPixels, testLabels) = make(test)
        let files: [(String, [UInt8])] = [
            ("train-images-idx3-ubyte", images(count: training, height: side, width: side, pixels: trainPixels)),
            ("train-labels-idx1-ubyte", labels(trainLabels)),
            ("t10k-images-idx3-ubyte", images(count: test, height: side, width: side, pixels: testPixels)),
            ("t10k-labels-idx1-ubyte", labels(testLabels)),
        ]
        for (name, bytes) in files {
            try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
        }
    }
}
