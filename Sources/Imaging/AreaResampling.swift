/// Resizing by area averaging: each output pixel is the mean of the source over the rectangle
/// it covers, partly covered source pixels weighted by the part covered. This is the
/// anti-aliased reduction MNIST's digits went through (a box filter), and it is separable:
/// the area of a rectangle's overlap with a pixel is the product of the overlaps of their
/// column and row intervals, so resampling the rows and then the columns gives the exact
/// area mean. ``referenceResample(_:width:height:)`` integrates in two dimensions directly.
public enum AreaResampling {
    /// For each of `outputs` intervals of the source's `inputs` pixels, the covered source
    /// pixels and how much of each (weights summing to 1).
    static func weights(inputs: Int, outputs: Int) -> [[(index: Int, weight: Float)]] {
        let scale = Double(inputs) / Double(outputs)
        return (0 ..< outputs).map { o in
            let start = Double(o) * scale, end = Double(o + 1) * scale
            var entries: [(Int, Float)] = []
            var i = Int(start.rounded(.down))
            while Double(i) < end && i < inputs {
                let overlap = min(end, Double(i + 1)) - max(start, Double(i))
                if overlap > 0 { entries.append((i, Float(overlap / scale))) }
                i += 1
            }
            return entries
        }
    }

    /// `image` resized to `width × height` by area averaging (separable: rows, then columns).
    public static func resample(_ image: GreyImage, width: Int, height: Int) -> GreyImage {
        let across = weights(inputs: image.width, outputs: width), down = weights(inputs: image.height, outputs: height)
        // Rows first: height_in × width.
        var rows = [Float](repeating: 0, count: image.height * width)
        image.pixels.withUnsafeBufferPointer { source in
            for y in 0 ..< image.height {
                let row = source.baseAddress! + y * image.width
                for (x, entries) in across.enumerated() {
                    var sum: Float = 0
                    for (index, weight) in entries { sum += weight * row[index] }
                    rows[y * width + x] = sum
                }
            }
        }
        var output = [Float](repeating: 0, count: height * width)
        for (y, entries) in down.enumerated() {
            for (index, weight) in entries {
                for x in 0 ..< width { output[y * width + x] += weight * rows[index * width + x] }
            }
        }
        return GreyImage(width: width, height: height, pixels: output)
    }

    /// The plain reference: each output pixel integrates the source over its rectangle, pixel
    /// by pixel, in double precision.
    public static func referenceResample(_ image: GreyImage, width: Int, height: Int) -> GreyImage {
        let sx = Double(image.width) / Double(width), sy = Double(image.height) / Double(height)
        var output = [Float](repeating: 0, count: width * height)
        for oy in 0 ..< height {
            for ox in 0 ..< width {
                let (x0, x1, y0, y1) = (Double(ox) * sx, Double(ox + 1) * sx, Double(oy) * sy, Double(oy + 1) * sy)
                var sum = 0.0
                for y in 0 ..< image.height {
                    let dy = min(y1, Double(y + 1)) - max(y0, Double(y))
                    guard dy > 0 else { continue }
                    for x in 0 ..< image.width {
                        let dx = min(x1, Double(x + 1)) - max(x0, Double(x))
                        if dx > 0 { sum += dx * dy * Double(image[x, y]) }
                    }
                }
                output[oy * width + ox] = Float(sum / (sx * sy))
            }
        }
        return GreyImage(width: width, height: height, pixels: output)
    }
}
