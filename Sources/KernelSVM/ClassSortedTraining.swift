import BenchCore
import LinearAlgebra

/// The training images of one fit, grouped by class and packed once for the GEMM.
///
/// Every one of the 45 binary problems reads its kernel rows from this one copy: the images of
/// class c are columns `columnStart[c] ..< columnStart[c] + count[c]` of ``packed``, each class
/// starting on a 16-column boundary (the GEMM's panel width) so that a pair's kernel rows are two
/// GEMM calls on column ranges of the same packed matrix, with no per-pair copy. Pixels that are
/// zero in every training image are left out (exact for every kernel here: they add nothing to
/// a dot product or a norm).
struct ClassSortedTraining: Sendable {
    /// Training-set index of each sorted image: class 0's images first, each class in input order.
    let order: [Int]
    /// Class of each sorted image.
    let labels: [Int]
    /// Where each class starts in ``order`` (one more entry than classes, ending at the count).
    let classStart: [Int]
    /// Active pixels of every sorted image, row after row (`count × depth`).
    let features: FeatureMatrix
    /// ‖x‖² of every sorted image.
    let squaredNorms: [Float]
    /// The input pixels kept, and how many the input had.
    let activeColumns: [Int]
    let inputColumns: Int
    /// The images as the GEMM's right-hand operand (`depth × paddedColumns`), classes padded.
    let packed: PackedRightOperand
    /// Column of ``packed`` where each class starts (a multiple of 16).
    let columnStart: [Int]

    init(_ training: LabeledImages, threads: Int) {
        let classes = training.classCount
        order = training.labels.indices.sorted { (training.labels[$0], $0) < (training.labels[$1], $1) }
        labels = order.map { training.labels[$0] }
        var starts = [0]
        for c in 0 ..< classes { starts.append(starts[c] + labels.count { $0 == c }) }
        classStart = starts
        activeColumns = training.images.activeColumns()
        inputColumns = training.images.pixelCount
        features = training.images.features(rows: order, columns: activeColumns)
        squaredNorms = features.squaredRowNorms()

        // Columns of the packed operand: each class's images, then zeros up to a multiple of 16.
        let nr = GEMMBlocking.nr
        var columnStarts = [0]
        for c in 0 ..< classes { columnStarts.append(columnStarts[c] + (starts[c + 1] - starts[c] + nr - 1) / nr * nr) }
        columnStart = columnStarts
        let depth = features.columns, columns = columnStarts[classes]
        // One row per packed column (zero rows for the padding), read by the GEMM as Bᵀ.
        var padded = [Float](repeating: 0, count: max(1, columns * depth))
        features.values.withUnsafeBufferPointer { rows in
            for c in 0 ..< classes {
                let count = (starts[c + 1] - starts[c]) * depth
                padded.withUnsafeMutableBufferPointer {
                    ($0.baseAddress! + columnStarts[c] * depth).update(from: rows.baseAddress! + starts[c] * depth, count: count)
                }
            }
        }
        packed = padded.withUnsafeBufferPointer {
            PackedRightOperand(MatrixOperand($0.baseAddress!, rows: depth, columns: columns, transposed: true), threads: threads)
        }
    }

    var count: Int { order.count }
    var depth: Int { features.columns }
    /// Number of images of class `c`.
    func count(of c: Int) -> Int { classStart[c + 1] - classStart[c] }
}
