/// A tree's samples in four parallel arrays. A node owns a contiguous range of them; splitting
/// it partitions that range in place, left samples first, stably, so every node keeps its
/// samples in increasing order of training image (and of position in the current column
/// block): the gathers of a sweep then walk each column forwards.
struct NodeSamples {
    /// Number of samples (distinct training images drawn).
    let count: Int
    /// Training image of each sample.
    let rows: UnsafeMutablePointer<Int32>
    /// Where the sample's values sit in the column block its node reads from: the training
    /// image for the full feature-major matrix, or the sample's index in a node-local copy
    /// (see ``ByteSplitSearch``).
    let positions: UnsafeMutablePointer<Int32>
    /// Class of each sample.
    let labels: UnsafeMutablePointer<Int32>
    /// Times each sample was drawn (1 without bootstrap).
    let weights: UnsafeMutablePointer<Int32>
    /// Scratch for the right side of a stable partition: four arrays of `count`.
    private let spare: UnsafeMutablePointer<Int32>

    /// Allocates room for `count` samples (uninitialised); free with ``deallocate()``.
    init(count: Int) {
        self.count = count
        let capacity = max(count, 1)
        rows = .allocate(capacity: capacity)
        positions = .allocate(capacity: capacity)
        labels = .allocate(capacity: capacity)
        weights = .allocate(capacity: capacity)
        spare = .allocate(capacity: 4 * capacity)
    }

    func deallocate() {
        rows.deallocate()
        positions.deallocate()
        labels.deallocate()
        weights.deallocate()
        spare.deallocate()
    }

    /// Reorders samples `start ..< end` so that those whose position satisfies `goesLeft`
    /// come first, each side keeping its order, and returns where the right side begins.
    /// - Complexity: O(end − start).
    @inline(__always)
    func partition(_ start: Int, _ end: Int, goesLeft: (Int) -> Bool) -> Int {
        let capacity = max(count, 1)
        let spareRows = spare, sparePositions = spare + capacity
        let spareLabels = spare + 2 * capacity, spareWeights = spare + 3 * capacity
        var left = start, right = 0
        for i in start ..< end {
            let position = positions[i]
            if goesLeft(Int(position)) {
                rows[left] = rows[i]
                positions[left] = position
                labels[left] = labels[i]
                weights[left] = weights[i]
                left += 1
            } else {
                spareRows[right] = rows[i]
                sparePositions[right] = position
                spareLabels[right] = labels[i]
                spareWeights[right] = weights[i]
                right += 1
            }
        }
        (rows + left).update(from: spareRows, count: right)
        (positions + left).update(from: sparePositions, count: right)
        (labels + left).update(from: spareLabels, count: right)
        (weights + left).update(from: spareWeights, count: right)
        return left
    }
}
