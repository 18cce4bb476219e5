/// A translation of an image by whole pixels: `dx` to the right, `dy` down (negative values
/// move left and up). Pixels moved in from outside the image are 0 (background).
public struct PixelShift: Sendable, Hashable, CustomStringConvertible {
    public let dx: Int
    public let dy: Int

    public init(dx: Int, dy: Int) {
        self.dx = dx
        self.dy = dy
    }

    /// No movement.
    public static let none = PixelShift(dx: 0, dy: 0)

    /// The four shifts by `distance` pixels: right, left, down, up (the "virtual example"
    /// translations of Schölkopf, Burges and Vapnik 1996 and DeCoste and Schölkopf 2002).
    public static func fourWays(_ distance: Int) -> [PixelShift] {
        [PixelShift(dx: distance, dy: 0), PixelShift(dx: -distance, dy: 0),
         PixelShift(dx: 0, dy: distance), PixelShift(dx: 0, dy: -distance)]
    }

    public var description: String { "(\(dx), \(dy))" }
}

extension ImageSet {
    /// The images at `indices`, each moved by every shift in `shifts`: `shifts.count ×
    /// indices.count` images, shift-major (all of `indices` moved by `shifts[0]`, then by
    /// `shifts[1]`, ...), in the same form as these (bytes stay bytes). Used to make virtual
    /// training examples, which teach a classifier that a digit moved by a pixel is the same digit.
    ///
    /// - Complexity: O(shifts.count · indices.count · pixelCount).
    public func translated(_ indices: [Int], by shifts: [PixelShift]) -> ImageSet {
        let total = shifts.count * indices.count * pixelCount
        if let bytes {
            return ImageSet(height: height, width: width, bytes: translate(bytes, indices, shifts, total, zero: 0))
        }
        let values = translate(features.values, indices, shifts, total, zero: Float(0))
        return ImageSet(height: height, width: width,
                        features: FeatureMatrix(rows: shifts.count * indices.count, columns: pixelCount, values: values))
    }

    /// The shared body of ``translated(_:by:)`` for bytes and floats: each output row starts as
    /// background and receives the overlap of its source row, one image row at a time.
    private func translate<T>(_ source: [T], _ indices: [Int], _ shifts: [PixelShift], _ total: Int, zero: T) -> [T] {
        var result = [T](repeating: zero, count: total)
        var out = 0
        for shift in shifts {
            // Output pixel (y, x) receives source pixel (y - dy, x - dx): the valid y and x are
            // those with both in range, none when the shift is the image's size or more.
            let firstX = max(0, shift.dx), endX = min(width, width + shift.dx)
            let firstY = max(0, shift.dy), endY = min(height, height + shift.dy)
            for index in indices {
                let image = index * pixelCount
                if firstX < endX && firstY < endY {
                    for y in firstY ..< endY {
                        let from = image + (y - shift.dy) * width - shift.dx, to = out + y * width
                        for x in firstX ..< endX { result[to + x] = source[from + x] }
                    }
                }
                out += pixelCount
            }
        }
        return result
    }
}
