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

    /// Rows per block when building: each block is counted, then filled, on its own thread.
    static let blockRows = 4096

    /// The nonzeros of `images`' features, read from their bytes when they have them (a
    /// quarter of the memory to scan; the values are the same, byte / 255). The result does
    /// not depend on `threads`.
    public init(_ images: ImageSet, threads: Int = 1) {
        if let bytes = images.bytes {
            self = bytes.withUnsafeBufferPointer { bytes in
                SparseRows(rows: images.count, columns: images.pixelCount, entries: SharedReads(bytes), threads: threads)
            }
        } else {
            self.init(images.features, threads: threads)
        }
    }

    /// The nonzeros of `matrix`. The result does not depend on `threads`.
    public init(_ matrix: FeatureMatrix, threads: Int = 1) {
        self = matrix.values.withUnsafeBufferPointer { values in
            SparseRows(rows: matrix.rows, columns: matrix.columns, entries: SharedReads(values), threads: threads)
        }
    }

    /// The nonzeros of the dense row-major `entries`: counted row by row, then written, each
    /// block of rows into its own part of the arrays.
    private init<Entry: DenseEntry>(rows n: Int, columns d: Int, entries: SharedReads<Entry>, threads: Int) {
        let blocks = (n + Self.blockRows - 1) / Self.blockRows
        @Sendable func blockRows(_ block: Int) -> Range<Int> { block * Self.blockRows ..< min((block + 1) * Self.blockRows, n) }
        // Pass 1: nonzeros per row.
        let counts = parallelMap(blocks, threads: threads) { block -> [Int] in
            blockRows(block).map { r in
                var count = 0
                for c in 0 ..< d where entries.buffer[r * d + c] != .zero { count += 1 }
                return count
            }
        }
        var rowStart = [Int](repeating: 0, count: n + 1)
        for (r, count) in counts.joined().enumerated() { rowStart[r + 1] = rowStart[r] + count }
        // Pass 2: each block writes its own disjoint range of entries.
        let total = rowStart[n], starts = rowStart
        var value: [Float] = []
        // No entries (all-blank images): `Array(unsafeUninitializedCapacity: 0)` writes the
        // standard library's shared empty storage, a race between threads (docs/hardening.md).
        let columnIndex = total == 0 ? [] : [Int32](unsafeUninitializedCapacity: total) { indexBuffer, written in
            value = [Float](unsafeUninitializedCapacity: total) { valueBuffer, valuesWritten in
                let (indexOut, valueOut) = (DisjointWrites(indexBuffer), DisjointWrites(valueBuffer))
                parallelFor(blocks, threads: threads) { block in
                    for r in blockRows(block) {
                        var e = starts[r]
                        for c in 0 ..< d where entries.buffer[r * d + c] != .zero {
                            indexOut.buffer[e] = Int32(c)
                            valueOut.buffer[e] = entries.buffer[r * d + c].feature
                            e += 1
                        }
                    }
                }
                valuesWritten = total
            }
            written = total
        }
        self.rows = n
        self.columns = d
        self.rowStart = rowStart
        self.columnIndex = columnIndex
        self.value = value
    }
}

/// An element type of a dense matrix that ``SparseRows`` reads: compared with zero, converted
/// to a feature value. (A protocol rather than closures, so that the scan is specialised.)
protocol DenseEntry: Sendable, Equatable, AdditiveArithmetic {
    var feature: Float { get }
}

extension UInt8: DenseEntry {
    /// A pixel byte as a feature: byte / 255, as in `ImageSet.features`.
    var feature: Float { Float(self) / 255 }
}

extension Float: DenseEntry {
    var feature: Float { self }
}
