/// A batch of images as features, with their raw bytes when the source held bytes.
public struct ImageSet: Sendable, Equatable {
    /// Image height in pixels.
    public let height: Int
    /// Image width in pixels.
    public let width: Int
    /// One row per image, `height * width` columns, pixels scaled to 0–1.
    public let features: FeatureMatrix
    /// The same pixels as stored in the file (0–255), row-major, or `nil` when the file
    /// held another element type.
    public let bytes: [UInt8]?

    /// Number of images.
    public var count: Int { features.rows }
    /// Pixels per image.
    public var pixelCount: Int { height * width }

    /// Images from raw bytes; features are the bytes divided by 255.
    public init(height: Int, width: Int, bytes: [UInt8]) {
        let pixels = height * width
        precondition(pixels > 0 && bytes.count % pixels == 0, "ImageSet: bytes do not fill whole images")
        self.height = height
        self.width = width
        self.bytes = bytes
        self.features = FeatureMatrix(
            rows: bytes.count / pixels, columns: pixels, values: bytes.map { Float($0) / 255 })
    }

    /// Images from real-valued features (no byte view).
    public init(height: Int, width: Int, features: FeatureMatrix) {
        precondition(features.columns == height * width, "ImageSet: features do not match the image size")
        self.height = height
        self.width = width
        self.bytes = nil
        self.features = features
    }

    private init(height: Int, width: Int, features: FeatureMatrix, bytes: [UInt8]?) {
        self.height = height
        self.width = width
        self.features = features
        self.bytes = bytes
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ImageSet {
        ImageSet(height: height, width: width, features: features.rows(at: indices),
                 bytes: bytes.map { gatherRows($0, pixelCount, indices) })
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
