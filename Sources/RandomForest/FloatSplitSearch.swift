/// The split search on real-valued features (images without a byte view): gather the
/// candidate feature's values at the node, sort them, and sweep in increasing order — CART's
/// exhaustive search. It offers the same splits in the same order as ``ByteSplitSearch`` does
/// on the corresponding bytes, so on byte data the two grow identical trees.
final class FloatSplitSearch: SplitSearch {
    /// Feature-major features: feature `f` of training image `r` is `columns[f * imageCount + r]`.
    let columns: UnsafePointer<Float>
    let imageCount: Int
    let samples: NodeSamples
    /// Sort keys: the value's order-preserving bits << 32 | position in the node.
    private let keys: UnsafeMutablePointer<UInt64>
    /// The gathered values, by position in the node.
    private let values: UnsafeMutablePointer<Float>

    let placeholder: Float = 0

    /// - Precondition: every feature value is finite.
    init(columns: UnsafePointer<Float>, imageCount: Int, workspace: TreeWorkspace) {
        self.columns = columns
        self.imageCount = imageCount
        samples = workspace.samples
        keys = .allocate(capacity: max(workspace.sampleCount, 1))
        values = .allocate(capacity: max(workspace.sampleCount, 1))
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Bits of a finite float that sort as unsigned integers in the float's order.
    @inline(__always)
    static func orderedBits(_ value: Float) -> UInt32 {
        let bits = value.bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    /// Always reads the full feature-major matrix (positions are training images).
    func enterBlock(_ start: Int, _ end: Int) {}

    func leaveBlock() {}

    /// - Complexity: O(count · (end − start)).
    func findConstantFeatures(_ start: Int, _ end: Int, features: UnsafePointer<Int32>, count: Int,
                              into constant: UnsafeMutablePointer<Bool>) {
        let positions = samples.positions
        for k in 0 ..< count {
            let column = columns + Int(features[k]) * imageCount
            let first = column[Int(positions[start])]
            var same = true
            for i in start + 1 ..< end where column[Int(positions[i])] != first {
                same = false
                break
            }
            constant[k] = same
        }
    }

    /// - Complexity: O(samples · log samples).
    func sweep(feature: Int, _ start: Int, _ end: Int, node: NodeStatistics, sweep: inout GiniSweep,
               best: inout SplitCandidate<Float>, minSamplesLeaf: Int) -> Bool {
        let column = columns + feature * imageCount
        let count = end - start, positions = samples.positions, labels = samples.labels, weights = samples.weights
        var lowest = Float.infinity, highest = -Float.infinity
        for k in 0 ..< count {
            // + 0 turns −0 into +0, so that equal values have equal keys.
            let value = column[Int(positions[start + k])] + 0
            values[k] = value
            lowest = min(lowest, value)
            highest = max(highest, value)
            keys[k] = UInt64(FloatSplitSearch.orderedBits(value)) << 32 | UInt64(k)
        }
        if lowest == highest { return false }
        var sorted = UnsafeMutableBufferPointer(start: keys, count: count)
        sorted.sort()
        sweep.reset(node)
        var previous = lowest
        for k in 0 ..< count {
            let position = Int(keys[k] & 0xFFFF_FFFF)
            let value = values[position]
            if value != previous {
                best.consider(sweep, feature: feature, leftValue: previous, rightValue: value, minSamplesLeaf: minSamplesLeaf)
                previous = value
            }
            let i = start + position
            sweep.move(class: Int(labels[i]), weight: Int64(weights[i]))
            sweep.leftRows &+= 1
            sweep.rightRows &-= 1
        }
        return true
    }

    func partition(_ start: Int, _ end: Int, by best: SplitCandidate<Float>) -> Int {
        let column = columns + best.feature * imageCount
        let bound = best.leftValue
        return samples.partition(start, end) { column[$0] <= bound }
    }

    func thresholds(of best: SplitCandidate<Float>) -> (threshold: Float, byteThreshold: UInt8) {
        (splitThreshold(best.leftValue, best.rightValue), 0)
    }
}
