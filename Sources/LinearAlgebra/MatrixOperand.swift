/// A read-only view of a row-major `Float` matrix, possibly used transposed, as an operand of
/// ``sgemm(_:_:into:alpha:beta:threads:)``.
///
/// The view does not own its memory: the caller keeps the buffer alive during the call.
public struct MatrixOperand: @unchecked Sendable {
    // @unchecked: a raw pointer to memory the caller keeps alive and unchanged during the call.
    /// First element of the stored (untransposed) matrix.
    public let base: UnsafePointer<Float>
    /// Rows of the operand as used (after any transpose).
    public let rows: Int
    /// Columns of the operand as used (after any transpose).
    public let columns: Int
    /// Distance in elements between consecutive stored rows.
    public let leadingDimension: Int
    /// True if the operand is the transpose of the stored matrix.
    public let transposed: Bool

    /// An operand over `base`, a stored matrix with `leadingDimension` elements per row.
    /// - Parameters:
    ///   - rows, columns: The operand's shape as used (for a transposed operand, the stored
    ///     matrix is `columns × rows`).
    public init(_ base: UnsafePointer<Float>, rows: Int, columns: Int, leadingDimension: Int? = nil, transposed: Bool = false) {
        self.base = base
        self.rows = rows
        self.columns = columns
        self.leadingDimension = leadingDimension ?? (transposed ? rows : columns)
        self.transposed = transposed
    }

    /// The element at (`row`, `column`) of the operand as used.
    @inline(__always)
    public func element(_ row: Int, _ column: Int) -> Float {
        transposed ? base[column * leadingDimension + row] : base[row * leadingDimension + column]
    }
}

/// A writable row-major `Float` matrix: the C of C = αAB + βC.
public struct MatrixDestination: @unchecked Sendable {
    // @unchecked: concurrent writers touch disjoint tiles of C.
    public let base: UnsafeMutablePointer<Float>
    public let rows: Int
    public let columns: Int
    public let leadingDimension: Int

    public init(_ base: UnsafeMutablePointer<Float>, rows: Int, columns: Int, leadingDimension: Int? = nil) {
        self.base = base
        self.rows = rows
        self.columns = columns
        self.leadingDimension = leadingDimension ?? columns
    }
}
