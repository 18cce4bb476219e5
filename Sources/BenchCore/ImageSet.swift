/// A batch of images, kept once, in the form their source held: bytes (0–255) for MNIST's IDX
/// files and decoded image files, floats for anything else.
///
/// Why once: a float copy beside the bytes quadruples the memory of every training set and of
/// every fold cut from it (MNIST's training images are 47 MB as bytes, 188 MB as floats), and
/// most algorithms build their own working form anyway (k-NN and the SVM select the columns
/// with ink, the forest reads bytes, the networks standardise). ``features`` turns bytes into
/// floats when it is read, so an algorithm reads it once per fit or prediction.
public struct ImageSet: Sendable, Equatable {
    /// Image height in pixels.
    public let height: Int
    /// Image width in pixels.
    public let width: Int
    /// Number of images.
    public let count: Int
    private let storage: Storage

    private enum Storage: Sendable, Equatable {
        case bytes([UInt8])
        case floats(FeatureMatrix)
    }

    /// Pixels per image.
    public var pixelCount: Int { height * width }

    /// One row per image, `height * width` columns, pixels scaled to 0–1 (a byte b is b / 255).
    ///
    /// - Complexity: O(count · pixelCount) and a new array of that many floats when the images
    ///   are bytes: read it once, not in a loop.
    public var features: FeatureMatrix {
        switch storage {
        case .floats(let matrix): return matrix
        case .bytes(let bytes): return FeatureMatrix(rows: count, columns: pixelCount, values: bytes.map { Float($0) / 255 })
        }
    }

    /// The pixels as stored in the file (0–255), row-major, or `nil` when the source held
    /// another element type.
    public var bytes: [UInt8]? {
        if case .bytes(let bytes) = storage { return bytes }
        return nil
    }

    /// Images from raw bytes; ``features`` are the bytes divided by 255.
    public init(height: Int, width: Int, bytes: [UInt8]) {
        let pixels = height * width
        precondition(pixels > 0 && bytes.count % pixels == 0, "ImageSet: bytes do not fill whole images")
        self.height = height
        self.width = width
        self.count = bytes.count / pixels
        self.storage = .bytes(bytes)
    }

    /// Images from real-valued features (no byte view).
    public init(height: Int, width: Int, features: FeatureMatrix) {
        precondition(features.columns == height * width, "ImageSet: features do not match the image size")
        self.height = height
        self.width = width
        self.count = features.rows
        self.storage = .floats(features)
    }

    /// The images at `indices`, in that order, in the same form as these.
    public func subset(_ indices: [Int]) -> ImageSet {
        switch storage {
        case .bytes(let bytes): return ImageSet(height: height, width: width, bytes: gatherRows(bytes, pixelCount, indices))
        case .floats(let matrix): return ImageSet(height: height, width: width, features: matrix.rows(at: indices))
        }
    }
}

/// Images with their class labels: what a classifier is fitted on.
public struct LabeledImages: Sendable, Equatable {
    /// The images.
    public let images: ImageSet
    /// One label per image, each in `0 ..< classCount`.
    public let labels: [Int]
    /// Number of classes. Labels are `0 ..< classCount`, even if some class has no image here.
    public let classCount: Int

    /// Pairs `images` with `labels`.
    /// - Precondition: one label per image, every label in `0 ..< classCount`.
    public init(images: ImageSet, labels: [Int], classCount: Int) {
        precondition(images.count == labels.count, "LabeledImages: \(images.count) images but \(labels.count) labels")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classCount }, "LabeledImages: label out of range")
        self.images = images
        self.labels = labels
        self.classCount = classCount
    }

    /// Number of images.
    public var count: Int { labels.count }

    /// The images and labels at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledImages {
        LabeledImages(images: images.subset(indices), labels: indices.map { labels[$0] }, classCount: classCount)
    }

    /// How many images each class has.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }
}
