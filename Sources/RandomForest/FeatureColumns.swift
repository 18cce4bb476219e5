import BenchCore

/// A row-major image matrix copied to feature-major order ("columns"): feature `f` of image `r`
/// at `values[f * rows + r]`.
///
/// A split search reads one candidate feature for all of a node's samples; in feature-major
/// order those reads fall in one contiguous column (60 KB of bytes for MNIST, which stays in
/// cache while the node is swept) instead of one cache line per image.
struct FeatureColumns<Element: Sendable>: Sendable {
    let rows: Int
    let columns: Int
    let values: [Element]

    /// Transposes `rows × columns` row-major `source` in 64 × 64 tiles, bands of features in
    /// parallel.
    /// - Complexity: O(rows · columns).
    init(rowMajor source: [Element], rows: Int, columns: Int, threads: Int) {
        precondition(source.count == rows * columns)
        self.rows = rows
        self.columns = columns
        let tile = 64
        let bands = (columns + tile - 1) / tile
        // (An empty matrix must not reach `Array(unsafeUninitializedCapacity: 0)`, which writes
        // the standard library's shared empty storage: a race between threads.)
        values = rows * columns == 0 ? [] : [Element](unsafeUninitializedCapacity: rows * columns) { output, initialized in
            let writes = DisjointWrites(output)
            source.withUnsafeBufferPointer { input in
                let reads = SharedReads(input)
                // Band b writes features b·64 ..< (b+1)·64 of every image: disjoint output ranges.
                parallelFor(bands, threads: threads) { band in
                    let from = reads.buffer.baseAddress!, to = writes.buffer.baseAddress!
                    let firstFeature = band * tile, lastFeature = min(firstFeature + tile, columns)
                    for firstRow in stride(from: 0, to: rows, by: tile) {
                        let lastRow = min(firstRow + tile, rows)
                        for f in firstFeature ..< lastFeature {
                            let column = to + f * rows
                            for r in firstRow ..< lastRow {
                                (column + r).initialize(to: from[r * columns + f])
                            }
                        }
                    }
                }
            }
            initialized = rows * columns
        }
    }
}
