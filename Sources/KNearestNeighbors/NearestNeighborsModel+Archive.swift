import BenchCore
import Foundation
import LinearAlgebra

/// What a k-NN model file stores, and how it is read back and checked.
///
/// | name | type | what |
/// |---|---|---|
/// | `labels` | int64 × n | the class of each stored training image |
/// | `activeColumns` | int64 × a | the input pixels used, increasing |
/// | `inputColumns` | int64 × 1 | pixels per input image (height × width) |
/// | `k`, `queryBlock`, `trainingBlock` | int64 × 1 each | the vote's size and the distance blocks |
/// | `images` | uint8 or float32 × n·a | the training images' active pixels, row-major: bytes (value · 255) when every pixel is some byte / 255, as MNIST's are |
/// | `search` | text | `plain` or `bounded` |
/// | `projectionDimensions` | int64 × 1 | bounded only: m, in 1 ..< a |
/// | `projectionBasis` | float32 × a·m | bounded only: U, row-major, orthonormal columns |
/// | `projectionMean` | float32 × a | bounded only: μ |
///
/// The packed operand and the norms are not stored: decoding rebuilds them from these arrays
/// with the fit's own construction.
extension NearestNeighborsModel {
    /// Largest deviation of the stored basis from orthonormal columns (UᵀU = I, or 0 on the
    /// diagonal for a column that vanished) that decoding accepts. Rounding a double-precision
    /// orthonormal basis to float32 moves a dot product by at most 2·2⁻²⁴ ≈ 1.2·10⁻⁷.
    static let orthonormalTolerance = 1e-6

    /// Writes the labels, active columns, input size, k, block sizes, search kind, the
    /// training images (as bytes when exact) and, for the bounded search, the projection.
    public func encode(into archive: inout ModelArchive) {
        archive.put("labels", integers: labels)
        archive.put("activeColumns", integers: activeColumns)
        archive.put("inputColumns", integer: inputColumns)
        archive.put("k", integer: k)
        archive.put("queryBlock", integer: queryBlock)
        archive.put("trainingBlock", integer: trainingBlock)
        archive.put("images", pixels: images.values)
        switch search {
        case .plain:
            archive.put("search", text: "plain")
        case .bounded(let bound):
            archive.put("search", text: "bounded")
            archive.put("projectionDimensions", integer: bound.dimensions)
            archive.put("projectionBasis", floats: bound.basis)
            archive.put("projectionMean", floats: bound.mean)
        }
    }

    /// The model `archive` holds, after checking every value it holds, rebuilt by the fit's
    /// construction on all the machine's cores (the result does not depend on threads).
    /// - Throws: ``ModelArchiveError`` when an array or text is missing or of another type or
    ///   length, or when: the input size or class count is not positive; `inputColumns` is not
    ///   height × width; `k`, `queryBlock` or `trainingBlock` is outside its setting's range, or
    ///   `trainingBlock` is not a multiple of 16; a label is outside `0 ..< classCount`; there
    ///   are fewer stored images than k; an active column is outside the image or the columns
    ///   are not strictly increasing; a pixel, basis or mean value is not finite; `search` is
    ///   neither `plain` nor `bounded`; the projection's dimensions are not in 1 ..< active
    ///   columns; the basis's columns are not orthonormal.
    init(decoding archive: ModelArchive) throws(ModelArchiveError) {
        let (height, width, classCount) = (archive.inputHeight, archive.inputWidth, archive.classCount)
        let inputColumns = try archive.checkedPixelCount(model: "knn")
        let storedColumns = try archive.integer("inputColumns")
        guard storedColumns == inputColumns else {
            throw ModelArchiveError("knn: 'inputColumns' is \(storedColumns), but the input size \(height)×\(width) has \(inputColumns) pixels")
        }
        let k = try archive.integer("k", in: KNearestNeighbors.kRange)
        let queryBlock = try archive.integer("queryBlock", in: KNearestNeighbors.queryBlockRange)
        let trainingBlock = try archive.integer("trainingBlock", in: KNearestNeighbors.trainingBlockRange)
        guard trainingBlock % 16 == 0 else {
            throw ModelArchiveError("knn: 'trainingBlock' is \(trainingBlock); a multiple of 16 expected")
        }
        let labels = try archive.integers("labels", in: 0 ... classCount - 1)
        guard labels.count >= k else {
            throw ModelArchiveError("knn: k = \(k) needs at least \(k) stored training images; the array 'labels' has \(labels.count)")
        }
        let active = try archive.integers("activeColumns", in: 0 ... inputColumns - 1)
        if let index = active.indices.dropFirst().first(where: { active[$0] <= active[$0 - 1] }) {
            throw ModelArchiveError("knn: the array 'activeColumns' is not strictly increasing: \(active[index - 1]) then \(active[index]) at index \(index)")
        }
        let (pixelCount, pixelOverflow) = labels.count.multipliedReportingOverflow(by: active.count)
        guard !pixelOverflow else { throw ModelArchiveError("knn: \(labels.count) images of \(active.count) pixels is too many") }
        let pixels = try archive.pixels("images", count: pixelCount)
        try Self.requireFinite("images", pixels)
        let images = FeatureMatrix(rows: labels.count, columns: active.count, values: pixels)

        let bound: ProjectionBound?
        switch try archive.text("search") {
        case "plain":
            bound = nil
        case "bounded":
            let dimensions = try archive.integer("projectionDimensions")
            // The fit projects only when it leaves out some dimensions: 0 < m < active columns.
            guard dimensions > 0, dimensions < active.count else {
                throw ModelArchiveError("knn: 'projectionDimensions' is \(dimensions); 1 to \(active.count - 1) expected for \(active.count) active columns")
            }
            let mean = try archive.floats("projectionMean", count: active.count)
            try Self.requireFinite("projectionMean", mean)
            let basis = try archive.floats("projectionBasis", count: active.count * dimensions)
            try Self.requireFinite("projectionBasis", basis)
            try Self.requireOrthonormalColumns(basis, rows: active.count, columns: dimensions)
            bound = ProjectionBound(basis: basis, mean: mean, dimensions: dimensions)
        case let other:
            throw ModelArchiveError("knn: the text 'search' is '\(other)'; 'plain' or 'bounded' expected")
        }
        self.init(images: images, bound: bound, activeColumns: active, inputHeight: height, inputWidth: width,
                  labels: labels, classCount: classCount, k: k, queryBlock: queryBlock, trainingBlock: trainingBlock,
                  threads: ProcessInfo.processInfo.activeProcessorCount)
    }

    private static func requireFinite(_ name: String, _ values: [Float]) throws(ModelArchiveError) {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw ModelArchiveError("knn: the array '\(name)' holds \(values[index]) at index \(index); finite values expected")
        }
    }

    /// Checks that the columns of a row-major `rows × columns` matrix are orthonormal (a zero
    /// column allowed), which the lower bound relies on.
    private static func requireOrthonormalColumns(_ basis: [Float], rows: Int, columns: Int) throws(ModelArchiveError) {
        // Column after column, in double precision (products of floats are exact there).
        var transposed = [Double](repeating: 0, count: basis.count)
        for r in 0 ..< rows { for c in 0 ..< columns { transposed[c * rows + r] = Double(basis[r * columns + c]) } }
        for a in 0 ..< columns {
            for b in a ..< columns {
                var dot = 0.0
                for r in 0 ..< rows { dot += transposed[a * rows + r] * transposed[b * rows + r] }
                let fits = a == b ? abs(dot - 1) <= orthonormalTolerance || abs(dot) <= orthonormalTolerance
                                  : abs(dot) <= orthonormalTolerance
                guard fits else {
                    throw ModelArchiveError("knn: the columns of 'projectionBasis' are not orthonormal: columns \(a) and \(b) have dot product \(dot)")
                }
            }
        }
    }

    /// What the model stores and what it costs, for the fit's diagnostics.
    var storageDiagnostics: Diagnostics {
        var diagnostics = Diagnostics()
        diagnostics.fact("k", String(k))
        var memory = packed.byteCount + packedNorms.count * 4 + images.values.count * 4 + labels.count * 8
        switch search {
        case .plain:
            diagnostics.fact("search", "every distance from the GEMM over all pixels")
        case .bounded(let bound):
            memory += (bound.basis.count + bound.mean.count) * 4
            diagnostics.fact("search", "lower bounds from \(bound.dimensions) principal directions; exact distances where a bound beats the k-th nearest (counted in each prediction's diagnostics)")
        }
        diagnostics.fact("training images stored", String(images.rows))
        diagnostics.fact("pixels used", "\(activeColumns.count) of \(inputColumns) (the rest are zero in every training image)")
        // The size of the saved file is in the report's "Saved model" section.
        diagnostics.fact("model size", "\(memory) bytes in memory (images, packed operand, norms, labels)")
        diagnostics.fact("distance blocks", "\(queryBlock) test × \(trainingBlock) training images (\(queryBlock * trainingBlock * 4 / 1_048_576) MB per thread)")
        return diagnostics
    }
}
