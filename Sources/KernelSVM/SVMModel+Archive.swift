import BenchCore

/// An SVM in a model archive: the kernel, the class pairs, the pixels used, and the support
/// vectors with everything prediction computes from them.
///
/// | name | type | values |
/// |---|---|---|
/// | `kernel` | text | `rbf`, `linear` or `polynomial` |
/// | `gamma`, `coef0` | float32 | the kernel's parameters as it evaluates them (0 where unused) |
/// | `degree` | int64 | the polynomial kernel's degree (0 for the others) |
/// | `pairPositive`, `pairNegative` | int64 | pairs: the classes of each binary problem |
/// | `activeColumns` | int64 | the input pixels used, increasing |
/// | `inputColumns` | int64 | pixels per input image |
/// | `supportVectors` | uint8 or float32 | support vectors × active pixels (bytes when every value is byte / 255) |
/// | `supportNorms` | float32 | support vectors: ‖x‖² as the kernel uses it |
/// | `coefficients` | float32 | support vectors × pairs: y_t α_t, or 0 |
/// | `biases` | float32 | pairs: b |
extension SVMModel {
    public func encode(into archive: inout ModelArchive) {
        let (kind, gamma, coef0, degree): (String, Float, Float, Int) = switch kernel {
        case .rbf(let gamma): ("rbf", gamma, 0, 0)
        case .linear: ("linear", 0, 0, 0)
        case .polynomial(let gamma, let coef0, let degree): ("polynomial", gamma, coef0, degree)
        }
        archive.put("kernel", text: kind)
        archive.put("gamma", float: gamma)
        archive.put("coef0", float: coef0)
        archive.put("degree", integer: degree)
        archive.put("pairPositive", integers: pairs.map(\.positive))
        archive.put("pairNegative", integers: pairs.map(\.negative))
        archive.put("activeColumns", integers: activeColumns)
        archive.put("inputColumns", integer: inputHeight * inputWidth)
        archive.put("supportVectors", pixels: supportVectors.values)
        archive.put("supportNorms", floats: supportNorms)
        archive.put("coefficients", floats: coefficients)
        archive.put("biases", floats: biases)
    }

    /// The model `archive` holds, checked before use: every pair names two different classes
    /// of the model, every support vector's coefficients agree on its class, the active columns
    /// are increasing pixels of the image, every array has the length the others imply, and
    /// every number is finite. The packed support vectors are made
    /// by the same code as after a fit, so the model predicts exactly what the encoded one did.
    /// - Throws: ``ModelArchiveError`` naming the array at fault.
    init(decoding archive: ModelArchive) throws(ModelArchiveError) {
        let classCount = archive.classCount
        let pixels = try archive.checkedPixelCount(model: "an SVM", minimumClasses: 2)

        let gamma = try archive.float("gamma"), coef0 = try archive.float("coef0")
        let degree = try archive.integer("degree")
        guard gamma.isFinite, coef0.isFinite else {
            throw ModelArchiveError("the kernel's parameters must be finite; the archive has gamma \(gamma) and coef0 \(coef0)")
        }
        let kernel: KernelFunction
        switch try archive.text("kernel") {
        case "rbf": kernel = .rbf(gamma: gamma)
        case "linear": kernel = .linear
        case "polynomial":
            guard KernelSVM.degrees.contains(degree) else {
                throw ModelArchiveError("the array 'degree' holds \(degree), outside \(KernelSVM.degrees.lowerBound)...\(KernelSVM.degrees.upperBound)")
            }
            kernel = .polynomial(gamma: gamma, coef0: coef0, degree: degree)
        case let other: throw ModelArchiveError("the text 'kernel' is '\(other)'; rbf, linear or polynomial expected")
        }

        let inputColumns = try archive.integer("inputColumns")
        guard inputColumns == pixels else {
            throw ModelArchiveError("the array 'inputColumns' holds \(inputColumns); the archive's images have \(pixels) pixels")
        }
        let positives = try archive.integers("pairPositive", in: 0 ... classCount - 1)
        guard !positives.isEmpty else { throw ModelArchiveError("the array 'pairPositive' is empty: an SVM has at least one class pair") }
        let negatives = try archive.integers("pairNegative", count: positives.count, in: 0 ... classCount - 1)
        if let bad = positives.indices.first(where: { positives[$0] == negatives[$0] }) {
            throw ModelArchiveError("pair \(bad) sets class \(positives[bad]) against itself")
        }
        let activeColumns = try archive.integers("activeColumns", in: 0 ... pixels - 1)
        guard !activeColumns.isEmpty else { throw ModelArchiveError("the array 'activeColumns' is empty: the model uses no pixel") }
        if let bad = activeColumns.indices.dropFirst().first(where: { activeColumns[$0] <= activeColumns[$0 - 1] }) {
            throw ModelArchiveError("the array 'activeColumns' is not strictly increasing at \(bad) "
                                    + "(\(activeColumns[bad - 1]), then \(activeColumns[bad]))")
        }

        let supportNorms = try finite(archive.floats("supportNorms"), "supportNorms")
        guard !supportNorms.isEmpty else { throw ModelArchiveError("the array 'supportNorms' is empty: an SVM has support vectors") }
        let count = supportNorms.count, depth = activeColumns.count, pairCount = positives.count
        let (vectorValues, vectorOverflow) = count.multipliedReportingOverflow(by: depth)
        let (coefficientValues, coefficientOverflow) = count.multipliedReportingOverflow(by: pairCount)
        guard !vectorOverflow, !coefficientOverflow else {
            throw ModelArchiveError("the arrays 'supportNorms', 'activeColumns' and 'pairPositive' imply more values than can exist")
        }
        let vectors = try finite(archive.pixels("supportVectors", count: vectorValues), "supportVectors")
        let coefficients = try finite(archive.floats("coefficients", count: coefficientValues), "coefficients")
        let biases = try finite(archive.floats("biases", count: pairCount), "biases")
        let pairs = zip(positives, negatives).map { (positive: $0, negative: $1) }
        if case .failure(let conflict) = ClassCoefficients.classes(coefficients: coefficients, pairs: pairs, count: count) {
            throw ModelArchiveError("the array 'coefficients' gives support vector \(conflict.vector) to class \(conflict.first) "
                                    + "in one pair and to class \(conflict.second) in another; a support vector has one class")
        }

        self.init(kernel: kernel, classCount: classCount, inputHeight: archive.inputHeight, inputWidth: archive.inputWidth,
                  pairs: pairs, activeColumns: activeColumns,
                  supportVectors: FeatureMatrix(rows: count, columns: depth, values: vectors), supportNorms: supportNorms,
                  coefficients: coefficients, biases: biases)
    }
}

/// `values`, after checking that each is finite.
/// - Throws: ``ModelArchiveError`` naming the array `name` and the first value that is not.
private func finite(_ values: [Float], _ name: String) throws(ModelArchiveError) -> [Float] {
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
        throw ModelArchiveError("the array '\(name)' holds \(values[bad]) at \(bad); its values must be finite")
    }
    return values
}
