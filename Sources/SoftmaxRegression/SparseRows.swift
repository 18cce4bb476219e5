import BenchCore

/// The nonzero entries of a feature matrix, row by row (compressed sparse rows).
///
/// About 81% of MNIST's pixels are zero, so a pass over the nonzeros does a fifth of the
/// dense work. Dense data works too; it just gains nothing.
public struct SparseRows: Sendable {
    public let rows: Int
    public let columns: Int
    /// Row `r`'s entries are `rowStart[r] ..< rowStart[r + 1]`.
    public let rowStart: [Int]
    public let columnIndex: [Int32]
    public let value: [Float]

    /// The nonzeros of `matrix`.
    public init(_ matrix: FeatureMatrix) {
        var rowStart = [0]
        var columnIndex: [Int32] = []
        var value: [Float] = []
        rowStart.reserveCapacity(matrix.rows + 1)
        matrix.values.withUnsafeBufferPointer { values in
            for r in 0 ..< matrix.rows {
                let base = r * matrix.columns
                for c in 0 ..< matrix.columns where values[base + c] != 0 {
                    columnIndex.append(Int32(c))
                    value.append(values[base + c])
                }
                rowStart.append(value.count)
            }
        }
        self.rows = matrix.rows
        self.columns = matrix.columns
        self.rowStart = rowStart
        self.columnIndex = columnIndex
        self.value = value
    }
}
