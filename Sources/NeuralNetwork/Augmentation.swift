import BenchCore
import Foundation

/// Random shifts and small rotations of single-channel images, the classic augmentation for
/// digits (Simard, Steinkraus and Platt, "Best practices for convolutional neural networks
/// applied to visual document analysis", ICDAR 2003, used elastic distortions; this is the
/// affine part of that idea).
public struct Augmentation: Sendable {
    /// Largest shift in pixels, each direction.
    public var maximumShift: Float = 2
    /// Largest rotation in degrees, either way.
    public var maximumRotation: Float = 10

    public init() {}

    /// Writes a randomly shifted and rotated copy of `image` (height × width, one channel)
    /// into `output`, sampling bilinearly; pixels from outside the image take `background`.
    public func apply(_ image: UnsafePointer<Float>, height: Int, width: Int, background: Float,
                      into output: UnsafeMutablePointer<Float>, using generator: inout SplitMix64) {
        let angle = (2 * generator.nextUnitFloat() - 1) * maximumRotation * .pi / 180
        let shiftX = (2 * generator.nextUnitFloat() - 1) * maximumShift
        let shiftY = (2 * generator.nextUnitFloat() - 1) * maximumShift
        let (cosine, sine) = (Foundation.cos(angle), Foundation.sin(angle))
        let (cx, cy) = (Float(width - 1) / 2, Float(height - 1) / 2)
        func pixel(_ y: Int, _ x: Int) -> Float {
            y >= 0 && y < height && x >= 0 && x < width ? image[y * width + x] : background
        }
        for y in 0 ..< height {
            for x in 0 ..< width {
                // Where this output pixel comes from: the inverse rotation of the shifted point.
                let (dx, dy) = (Float(x) - cx - shiftX, Float(y) - cy - shiftY)
                let sourceX = cosine * dx + sine * dy + cx, sourceY = -sine * dx + cosine * dy + cy
                let (x0, y0) = (Int(sourceX.rounded(.down)), Int(sourceY.rounded(.down)))
                let (fx, fy) = (sourceX - Float(x0), sourceY - Float(y0))
                let top = pixel(y0, x0) * (1 - fx) + pixel(y0, x0 + 1) * fx
                let bottom = pixel(y0 + 1, x0) * (1 - fx) + pixel(y0 + 1, x0 + 1) * fx
                output[y * width + x] = top * (1 - fy) + bottom * fy
            }
        }
    }
}
