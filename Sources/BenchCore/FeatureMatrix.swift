/// A dense, row-major matrix of `Float` features: one row per image, one column per pixel.
///
/// Every classifier reads its input through this type. Pixels are scaled to 0–1 by the loader;
/// the raw bytes, when the source file held bytes, travel beside it in ``ImageSet/bytes`` for
/// the algorithms that work on them exactly (the random forest's histograms, k-NN's integers).
public struct FeatureMatrix: Sendable, Equatable {
    /// Number of rows (samples).
    public let rows: Int
    /// Number of columns (features per sample).
    public let columns: Int
    /// `rows * columns` values, row after row.
    public private(set) var values: [Float]

    /// Wraps `values` as a `rows × columns` matrix.
    /// - Precondition: `values.count == rows * columns`.
    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "FeatureMatrix: \(values.count) values do not fill \(rows) x \(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A `rows × columns` matrix of zeros.
    public init(zeros rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: 0, count: rows * columns))
    }

    /// The value at (`row`, `column`).
    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// A copy of one row.
    public func row(_ index: Int) -> ArraySlice<Float> {
        values[index * columns ..< (index + 1) * columns]
    }

    /// The rows at `indices`, in that order.
    public func rows(at indices: [Int]) -> FeatureMatrix {
        FeatureMatrix(rows: indices.count, columns: columns, values: gatherRows(values, columns, indices))
    }
}

/// Copies whole rows of a row-major buffer, in the order of `indices`.
@usableFromInline
func gatherRows<T>(_ source: [T], _ width: Int, _ indices: [Int]) -> [T] {
    var result = [T]()
    result.reserveCapacity(indices.count * width)
    for index in indices {
        result.append(contentsOf: source[index * width ..< (index + 1) * width])
    }
    return result
}
