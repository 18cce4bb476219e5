/// A single-channel image as decoded from a file: `height` rows of `width` grey levels, row
/// after row, from 0 (black) to 1 (white). Colour and transparency are already reduced to
/// grey (``ImageDecoding``); MNIST's form (white ink on black) comes later, in
/// ``MNISTNormalization``.
public struct GreyImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `height * width` values in 0...1, row-major.
    public var pixels: [Float]

    /// - Precondition: `pixels.count == width * height` (decoders check sizes before calling).
    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height, "GreyImage: pixels do not fill the image")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The value at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> Float {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }
}

/// Why an image file cannot be used: the reason, for a message that names the file.
public struct ImageError: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Limits on what an image file may ask for, checked against its header before anything is
/// allocated (docs/predict.md).
public enum ImageLimits {
    /// The most pixels one image may have: 64 megapixels (a 8,000 × 8,000 scan).
    public static let pixels = 1 << 26
    /// The most images one IDX file may hold for `bench predict`.
    public static let idxImages = 10_000_000
}
