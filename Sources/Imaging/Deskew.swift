import BenchCore

/// Deskewing: each image is sheared horizontally so that its principal axis is vertical, the
/// preprocessing LeCun et al.'s MNIST table reports for linear, k-NN and SVM classifiers.
///
/// From the image's intensity moments about its centre of mass (x̄, ȳ), the skew is
/// s = μ₁₁ / μ₀₂ = Σ (x − x̄)(y − ȳ) v / Σ (y − ȳ)² v, and the shear x′ = x − s (y − c) about
/// the middle row c = height / 2 makes the axis vertical. This is the moment-based shear of
/// OpenCV's digits sample, the one the issue specifies and the project's deskewed twins use
/// (`../shared/tools/peer_twins.py`, `deskew`), including its rule that an image whose
/// μ₀₂ / Σv is below 0.01 (ink in about one row) is left as it is. Each output row is its
/// input row shifted by s (y − c) pixels, sampled with linear interpolation (zero outside the
/// image) and rounded to a byte. A few operations per pixel; images run in parallel.
public enum Deskew {
    /// The skew s of one image of bytes (`height` rows of `width`); 0 for an image with no
    /// ink or whose ink lies in about one row.
    ///
    /// One pass of exact integer sums: per row Σv and Σxv, from which Σyv, Σxyv and Σy²v
    /// follow, and the central moments μ₁₁ = Σxyv − Σxv·Σyv/Σv, μ₀₂ = Σy²v − (Σyv)²/Σv.
    /// (Sums stay far below 2⁶³ for any image ``ImageLimits`` allows.)
    static func skew(_ pixels: UnsafePointer<UInt8>, width: Int, height: Int) -> Float {
        var mass = 0, sumX = 0, sumY = 0, sumXY = 0, sumYY = 0
        for y in 0 ..< height {
            let row = pixels + y * width
            var rowMass = 0, rowX = 0
            for x in 0 ..< width {
                let v = Int(row[x])
                rowMass &+= v
                rowX &+= x &* v
            }
            mass &+= rowMass
            sumX &+= rowX
            sumY &+= y &* rowMass
            sumXY &+= y &* rowX
            sumYY &+= y &* y &* rowMass
        }
        guard mass > 0 else { return 0 }
        let m = Double(mass)
        let mu11 = Double(sumXY) - Double(sumX) * Double(sumY) / m
        let mu02 = Double(sumYY) - Double(sumY) * Double(sumY) / m
        return mu02 / m < 0.01 ? 0 : Float(mu11 / mu02)
    }

    /// Shears one image of bytes into `output`: row y is sampled at x + s (y − c), c = height / 2,
    /// linearly interpolated, zero outside the row. The columns whose two samples both lie inside the
    /// row are computed without bounds checks; the few at either end with them.
    static func shear(_ input: UnsafePointer<UInt8>, into output: UnsafeMutablePointer<UInt8>, width: Int, height: Int) {
        let s = skew(input, width: width, height: height), c = Float(height) / 2
        for y in 0 ..< height {
            let shift = s * (Float(y) - c)
            let whole = Int(shift.rounded(.down)), b = shift - Float(whole), a = 1 - b
            let row = input + y * width, out = output + y * width
            // x0 = x + whole and x0 + 1 both in 0 ..< width for x in inner.
            let inner = max(0, -whole) ..< max(max(0, -whole), min(width, width - 1 - whole))
            for x in 0 ..< width where !inner.contains(x) {
                let x0 = x + whole
                let left: Float = x0 >= 0 && x0 < width ? Float(row[x0]) : 0
                let right: Float = x0 + 1 >= 0 && x0 + 1 < width ? Float(row[x0 + 1]) : 0
                out[x] = UInt8(min(255, a * left + b * right + 0.5))
            }
            for x in inner {
                // + 0.5 then truncation: rounding half up, as `rounded()` does for values ≥ 0, without its libm call.
                out[x] = UInt8(min(255, a * Float(row[x + whole]) + b * Float(row[x + whole + 1]) + 0.5))
            }
        }
    }

    /// `count` images of bytes deskewed into `output`, in blocks on `threads` threads.
    public static func apply(bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, count: Int,
                             width: Int, height: Int, threads: Int) {
        let pixels = width * height, chunk = 512
        let (input, out) = (SharedReads(bytes), DisjointWrites(output))
        parallelFor((count + chunk - 1) / chunk, threads: threads) { block in
            for image in block * chunk ..< min(count, (block + 1) * chunk) {
                shear(input.buffer.baseAddress! + image * pixels, into: out.buffer.baseAddress! + image * pixels, width: width, height: height)
            }
        }
    }

    /// Every image of `images` deskewed, as bytes (values are rounded to 256 levels, as the
    /// pixel files are, so the byte-based searches of the forest stay available).
    public static func apply(_ images: ImageSet, threads: Int) -> ImageSet {
        let bytes = images.bytes ?? images.features.values.map { UInt8((min(1, max(0, $0)) * 255).rounded()) }
        var output = [UInt8](repeating: 0, count: bytes.count)
        bytes.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                apply(bytes: source, into: destination, count: images.count, width: images.width, height: images.height, threads: threads)
            }
        }
        return ImageSet(height: images.height, width: images.width, bytes: output)
    }

    /// The plain reference for one image: every output pixel computed on its own from the
    /// definition, the input sampled at (x + s (y − c), y) by linear interpolation.
    public static func referenceShear(_ input: [UInt8], width: Int, height: Int) -> [UInt8] {
        // The moments from their definition, in double precision.
        var mass = 0.0, sumX = 0.0, sumY = 0.0
        for (index, v) in input.enumerated() {
            mass += Double(v); sumX += Double(index % width) * Double(v); sumY += Double(index / width) * Double(v)
        }
        var s: Float = 0
        let c = Float(height) / 2
        if mass > 0 {
            let (mx, my) = (sumX / mass, sumY / mass)
            var mu11 = 0.0, mu02 = 0.0
            for (index, v) in input.enumerated() {
                let dy = Double(index / width) - my
                mu11 += (Double(index % width) - mx) * dy * Double(v)
                mu02 += dy * dy * Double(v)
            }
            s = mu02 / mass < 0.01 ? 0 : Float(mu11 / mu02)
        }
        func value(_ x: Int, _ y: Int) -> Float { x >= 0 && x < width ? Float(input[y * width + x]) : 0 }
        return (0 ..< width * height).map { index in
            let (x, y) = (index % width, index / width)
            let source = Float(x) + s * (Float(y) - c)
            let left = source.rounded(.down), t = source - left
            return UInt8(min(255, ((1 - t) * value(Int(left), y) + t * value(Int(left) + 1, y)).rounded()))
        }
    }
}
