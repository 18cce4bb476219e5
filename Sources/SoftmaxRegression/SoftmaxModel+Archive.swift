import BenchCore

/// What a softmax model file stores, and how it is read back and checked: one array,
/// `theta` (float64 × (pixels + 1) · classes), the weights row-major by pixel then the biases,
/// exactly as fitted. Prediction rounds them to float32 the same way for a decoded model as
/// for the fitted one, so both give the same labels and scores, bit for bit.
extension SoftmaxModel {
    /// The model `archive` holds, after checking every value it needs.
    /// - Throws: ``ModelArchiveError`` when the input size or class count is not positive, or
    ///   `theta` is missing, not float64, not (pixels + 1) × classes long, or not finite.
    init(decoding archive: ModelArchive) throws(ModelArchiveError) {
        let pixels = try archive.checkedPixelCount(model: "softmax")
        let (rows, overflowRows) = pixels.addingReportingOverflow(1)
        let (count, overflowCount) = rows.multipliedReportingOverflow(by: archive.classCount)
        guard !overflowRows, !overflowCount else {
            throw ModelArchiveError("softmax: the input size \(archive.inputHeight)×\(archive.inputWidth) with \(archive.classCount) classes is too large")
        }
        let theta = try archive.doubles("theta", count: count)
        if let index = theta.firstIndex(where: { !$0.isFinite }) {
            throw ModelArchiveError("softmax: the array 'theta' holds \(theta[index]) at index \(index); parameters must be finite")
        }
        self.init(theta: theta, inputHeight: archive.inputHeight, inputWidth: archive.inputWidth, classCount: archive.classCount)
    }

    /// Writes `theta` (float64): every parameter, exactly.
    public func encode(into archive: inout ModelArchive) {
        archive.put("theta", doubles: theta)
    }
}
