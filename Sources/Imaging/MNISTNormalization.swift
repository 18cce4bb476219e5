/// Turns a digit as people bring it (dark ink on light paper, any size, anywhere on its
/// canvas) into what an MNIST model was fitted on, by the procedure LeCun, Cortes and Burges
/// describe for MNIST itself: "the images were size normalized to fit in a 20x20 pixel box
/// while preserving their aspect ratio ... anti-aliasing ... centered in a 28x28 image by
/// computing the center of mass of the pixels, and translating the image so as to position
/// this point at the center of the 28x28 field" (yann.lecun.com/exdb/mnist).
///
/// Steps (docs/predict.md says the same):
/// 1. grey comes from the decoder (luma, transparency over the background);
/// 2. polarity from the border: if the outermost ring of pixels is light on average (> 0.5),
///    the image is dark ink on light paper and is inverted, so that ink is high as in MNIST;
/// 3. the background level (the median of the ring) is removed: values are mapped so that
///    the background plus a tenth of the ink's range becomes 0 and the brightest ink 1;
/// 4. crop to the bounding box of what is left above 0;
/// 5. scale to fit a 20×20 box (for a model of another size, a box of 20/28 of each side),
///    keeping the aspect ratio, by area averaging (``AreaResampling``);
/// 6. place it in the model's input so that its centre of mass is at the centre (column and
///    row index W/2 and H/2, 14 for 28, where MNIST's digits have theirs), shifted by whole
///    pixels (no resampling blur), and round to 256 levels as MNIST's bytes are.
public struct MNISTNormalization: Sendable {
    /// What `--normalize` asks for.
    public enum Mode: String, CaseIterable, Sendable {
        /// Normalise unless the image already has the model's size and a dark background.
        case auto
        /// Always normalise.
        case always
        /// Never: the image must have the model's size and is used as it is.
        case never
    }

    /// What was done to one image, for the progress line and `--save-normalized`.
    public enum Decision: String, Sendable {
        case unchanged = "used as it is"
        case normalised = "normalised"
        case normalisedInverted = "inverted (dark ink on light paper) and normalised"
        case blank = "no ink found: a blank image"
    }

    /// The model's input size.
    public let height: Int
    public let width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// The box the digit is fitted in: 20×20 for 28×28, in proportion for other sizes.
    public var box: (height: Int, width: Int) {
        (max(1, Int((Double(height) * 20 / 28).rounded())), max(1, Int((Double(width) * 20 / 28).rounded())))
    }

    /// `image` as the model sees it, `height × width` bytes (0 background, 255 ink), and what was done.
    ///
    /// `.auto` uses an image as it is when it has the model's size and either comes from an
    /// IDX file (the training data's own format, whatever its polarity) or has a dark border
    /// (MNIST's polarity); it normalises every other image.
    /// - Throws: ``ImageError`` with `.never` for an image of another size than the model's.
    public func prepare(_ image: GreyImage, mode: Mode, fromIDX: Bool = false) throws(ImageError) -> (bytes: [UInt8], decision: Decision) {
        let matchesSize = image.width == width && image.height == height
        switch mode {
        case .never:
            guard matchesSize else {
                throw ImageError("is \(image.width)×\(image.height); the model takes \(width)×\(height) images (use --normalize auto or always)")
            }
            return (quantised(image.pixels), .unchanged)
        case .auto where matchesSize && (fromIDX || Self.borderMean(image) <= 0.5):
            return (quantised(image.pixels), .unchanged)
        default:
            return normalise(image)
        }
    }

    /// Values in 0...1 as bytes, rounded to the nearest level.
    func quantised(_ values: [Float]) -> [UInt8] {
        values.map { UInt8((min(1, max(0, $0)) * 255).rounded()) }
    }

    /// The values of the outermost ring of pixels.
    static func border(_ image: GreyImage) -> [Float] {
        var ring: [Float] = []
        for x in 0 ..< image.width {
            ring.append(image[x, 0])
            if image.height > 1 { ring.append(image[x, image.height - 1]) }
        }
        if image.height > 2 {
            for y in 1 ..< image.height - 1 {
                ring.append(image[0, y])
                if image.width > 1 { ring.append(image[image.width - 1, y]) }
            }
        }
        return ring
    }

    static func borderMean(_ image: GreyImage) -> Float {
        let ring = border(image)
        return ring.reduce(0, +) / Float(max(ring.count, 1))
    }

    /// Steps 2 to 6.
    func normalise(_ image: GreyImage) -> (bytes: [UInt8], decision: Decision) {
        let blank = ([UInt8](repeating: 0, count: width * height), Decision.blank)
        guard image.width > 0, image.height > 0 else { return blank }
        // 2. Polarity.
        let inverted = Self.borderMean(image) > 0.5
        var ink = inverted ? image.pixels.map { 1 - $0 } : image.pixels
        // 3. Background.
        var ring = Self.border(GreyImage(width: image.width, height: image.height, pixels: ink))
        ring.sort()
        let background = ring[ring.count / 2], peak = ink.max() ?? 0
        guard peak - background >= 0.05 else { return blank }
        let floor = background + 0.1 * (peak - background), range = peak - floor
        for i in ink.indices { ink[i] = min(1, max(0, (ink[i] - floor) / range)) }
        // 4. Crop to the ink.
        var (left, right, top, bottom) = (image.width, -1, image.height, -1)
        for y in 0 ..< image.height {
            for x in 0 ..< image.width where ink[y * image.width + x] > 0 {
                left = min(left, x); right = max(right, x); top = min(top, y); bottom = max(bottom, y)
            }
        }
        guard right >= left else { return blank }
        let cropWidth = right - left + 1, cropHeight = bottom - top + 1
        var crop = [Float](repeating: 0, count: cropWidth * cropHeight)
        for y in 0 ..< cropHeight {
            for x in 0 ..< cropWidth { crop[y * cropWidth + x] = ink[(top + y) * image.width + left + x] }
        }
        // 5. Fit the box, keeping the aspect ratio.
        let scale = min(Double(box.height) / Double(cropHeight), Double(box.width) / Double(cropWidth))
        let fittedWidth = max(1, min(box.width, Int((Double(cropWidth) * scale).rounded())))
        let fittedHeight = max(1, min(box.height, Int((Double(cropHeight) * scale).rounded())))
        let fitted = AreaResampling.resample(GreyImage(width: cropWidth, height: cropHeight, pixels: crop),
                                             width: fittedWidth, height: fittedHeight)
        // 6. Centre of mass to the centre, by whole pixels. "The centre" is index W/2 (14 of
        // 0...27): where MNIST's digits have it (the training images' mean centre of mass is
        // at column 14.01, row 14.00, standard deviation 0.29).
        var mass = 0.0, sumX = 0.0, sumY = 0.0
        for y in 0 ..< fittedHeight {
            for x in 0 ..< fittedWidth {
                let v = Double(fitted[x, y])
                mass += v; sumX += v * Double(x); sumY += v * Double(y)
            }
        }
        guard mass > 0 else { return blank }
        let offsetX = Int((Double(width) / 2 - sumX / mass).rounded())
        let offsetY = Int((Double(height) / 2 - sumY / mass).rounded())
        var placed = [Float](repeating: 0, count: width * height)
        for y in 0 ..< fittedHeight where (0 ..< height).contains(y + offsetY) {
            for x in 0 ..< fittedWidth where (0 ..< width).contains(x + offsetX) {
                placed[(y + offsetY) * width + x + offsetX] = fitted[x, y]
            }
        }
        return (quantised(placed), inverted ? .normalisedInverted : .normalised)
    }
}
