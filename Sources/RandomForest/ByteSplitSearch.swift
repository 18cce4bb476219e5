/// The split search on pixel bytes. Finds exactly the split CART's sort-and-sweep finds, with
/// less work per sample:
///
/// 1. One branch-free pass over the node's samples packs the nonzero values of the candidate
///    feature, with each sample's index, into 32-bit keys (`value << 24 | index`). Most pixels
///    are 0 (81% on MNIST); a feature with no nonzero value is constant and costs nothing more.
/// 2. The sweep runs from the largest value down, moving samples from the left side to the
///    right, so the samples with value 0 stay on the left throughout and are never counted
///    one by one: their class totals are what remains of the node's.
/// 3. The nonzero values are visited in decreasing order either by sorting the keys (few of
///    them: insertion sort) or through a 255-bin class histogram (many: one pass fills it, and
///    a 256-bit occupancy mask walks its nonempty bins). The histogram's bins are the distinct
///    values in order, so both give the same sequence of candidate splits, with the same
///    integer counts, as sorting everything would.
///
/// Where the values come from: large nodes read the feature-major copy of the whole training
/// set, one contiguous column per feature. Once a node has at most ``defaultBlockLimit``
/// samples, their pixels are copied once into a node-local feature-major block (from the
/// row-major images, each a contiguous read), and the node's whole subtree reads from that
/// block, whose columns are a few kilobytes and stay in cache. Without it, every value read
/// at a mid-sized node is a cache miss somewhere in the 47 MB matrix.
final class ByteSplitSearch: SplitSearch {
    /// Up to this many nonzero values are sorted; more go through the histogram.
    static let defaultSortLimit = 48
    /// Nodes with at most this many samples get a node-local column block.
    static let defaultBlockLimit = 2048

    /// Feature-major pixels of all training images: `fullColumns[f * imageCount + r]`.
    let fullColumns: UnsafePointer<UInt8>
    /// Row-major pixels of all training images: `images[r * featureCount + f]`.
    let images: UnsafePointer<UInt8>
    let imageCount: Int
    let featureCount: Int
    let samples: NodeSamples
    let classCount: Int
    let sortLimit: Int
    let blockLimit: Int
    /// The columns the current node reads, `columns[f * stride + position]`: `fullColumns`, or
    /// `block` for nodes in a block's subtree.
    private var columns: UnsafePointer<UInt8>
    private var stride: Int
    /// `blockLimit × featureCount` bytes; holds one block at a time (depth-first growth
    /// finishes a block's subtree before it reaches any other node).
    private let block: UnsafeMutablePointer<UInt8>
    /// `histogram[v * binStride + c]`: weight of class `c` with value `v` (bin 0 unused).
    /// All zero between sweeps.
    private let histogram: UnsafeMutablePointer<Int32>
    /// Entries per bin: the classes rounded up to a multiple of 16, one `SIMD16` per group
    /// of 16 classes.
    private let binStride: Int
    /// Groups of 16 classes (`binStride / 16`).
    private let groups: Int
    /// The left and right class counts of a grouped walk, `groups` vectors each.
    private let groupCounts: UnsafeMutablePointer<SIMD16<Double>>
    /// Samples with value `v`. All zero between sweeps.
    private let binRows: UnsafeMutablePointer<Int32>
    /// The node's nonzero values and their sample indices, `value << 24 | index`.
    private let keys: UnsafeMutablePointer<UInt32>

    let placeholder: UInt8 = 0

    /// - Precondition: the workspace has fewer than 2²⁴ samples (see ``largestExactWeight``).
    init(columns: UnsafePointer<UInt8>, images: UnsafePointer<UInt8>, imageCount: Int, workspace: TreeWorkspace,
         sortLimit: Int = ByteSplitSearch.defaultSortLimit, blockLimit: Int = ByteSplitSearch.defaultBlockLimit) {
        precondition(workspace.sampleCount < 1 << 24)
        fullColumns = columns
        self.images = images
        self.imageCount = imageCount
        featureCount = workspace.featureCount
        samples = workspace.samples
        classCount = workspace.classCount
        self.sortLimit = max(sortLimit, 0)
        self.blockLimit = max(blockLimit, 0)
        self.columns = columns
        stride = imageCount
        block = .allocate(capacity: max(self.blockLimit * featureCount, 1))
        groups = max(1, (classCount + 15) / 16)
        binStride = 16 * groups
        groupCounts = .allocate(capacity: 2 * groups)
        groupCounts.initialize(repeating: SIMD16(), count: 2 * groups)
        histogram = .allocate(capacity: 256 * binStride)
        histogram.initialize(repeating: 0, count: 256 * binStride)
        binRows = .allocate(capacity: 256)
        binRows.initialize(repeating: 0, count: 256)
        keys = .allocate(capacity: max(workspace.sampleCount, 1))
    }

    deinit {
        block.deallocate()
        histogram.deallocate()
        groupCounts.deallocate()
        binRows.deallocate()
        keys.deallocate()
    }

    func enterBlock(_ start: Int, _ end: Int) {
        let count = end - start
        precondition(count <= blockLimit, "ByteSplitSearch: a block of \(count) samples exceeds \(blockLimit)")
        for i in 0 ..< count { samples.positions[start + i] = Int32(i) }
        copyFeatureMajor(images: images, featureCount: featureCount, rows: samples.rows + start, count: count, into: block)
        columns = UnsafePointer(block)
        stride = count
    }

    func leaveBlock() {
        columns = fullColumns
        stride = imageCount
    }

    /// Compares each candidate's column in the block with its first byte, 32 bytes at a time.
    /// - Complexity: O(count · (end − start)) byte comparisons, vectorised.
    func findConstantFeatures(_ start: Int, _ end: Int, features: UnsafePointer<Int32>, count: Int,
                              into constant: UnsafeMutablePointer<Bool>) {
        precondition(columns == UnsafePointer(block) && stride == end - start, "ByteSplitSearch: not at a block's root")
        let size = stride, wide = size & ~31
        for k in 0 ..< count {
            let column = columns + Int(features[k]) * size
            let first = column[0]
            let pattern = SIMD4<UInt64>(repeating: UInt64(first) &* 0x0101_0101_0101_0101)
            var difference = SIMD4<UInt64>()
            var i = 0
            while i < wide {
                difference |= UnsafeRawPointer(column + i).loadUnaligned(as: SIMD4<UInt64>.self) ^ pattern
                i += 32
            }
            var same = (difference[0] | difference[1] | difference[2] | difference[3]) == 0
            while same && i < size {
                same = column[i] == first
                i += 1
            }
            constant[k] = same
        }
    }

    func sweep(feature: Int, _ start: Int, _ end: Int, node: NodeStatistics, sweep: inout GiniSweep,
               best: inout SplitCandidate<UInt8>, minSamplesLeaf: Int) -> Bool {
        let column = columns + feature * stride, positions = samples.positions + start
        let count = end - start
        var nonzero = 0
        for k in 0 ..< count {
            let value = UInt32(column[Int(positions[k])])
            keys[nonzero] = value << 24 | UInt32(truncatingIfNeeded: k)
            // + 1 exactly when value > 0, without a branch (which would mispredict often).
            nonzero &+= Int(truncatingIfNeeded: (value &+ 255) >> 8)
        }
        if nonzero == 0 { return false }
        sweep.resetAllLeft(node)
        let lowest: UInt8
        if nonzero <= sortLimit {
            guard let smallest = sortedSweep(feature, start, nonzero, node, &sweep, &best, minSamplesLeaf) else { return false }
            lowest = smallest
        } else {
            guard let smallest = histogramSweep(feature, start, nonzero, node, &sweep, &best, minSamplesLeaf) else { return false }
            lowest = smallest
        }
        // The split between the zeros (still on the left) and the smallest nonzero value.
        if nonzero < count {
            best.consider(sweep, feature: feature, leftValue: 0, rightValue: lowest, minSamplesLeaf: minSamplesLeaf,
                          descending: true)
        }
        return true
    }

    /// Sorts the `nonzero` keys and moves them right from the largest value down, offering
    /// the split below each value.
    /// - Returns: The smallest nonzero value, or `nil` if every sample has the same nonzero value.
    /// - Complexity: O(nonzero²), for few keys.
    @inline(__always)
    private func sortedSweep(_ feature: Int, _ start: Int, _ nonzero: Int, _ node: NodeStatistics,
                             _ sweep: inout GiniSweep, _ best: inout SplitCandidate<UInt8>, _ minSamplesLeaf: Int) -> UInt8? {
        for k in 1 ..< nonzero {
            let key = keys[k]
            var j = k
            while j > 0 && keys[j - 1] > key {
                keys[j] = keys[j - 1]
                j -= 1
            }
            keys[j] = key
        }
        let labels = samples.labels + start, weights = samples.weights + start
        let lowest = UInt8(truncatingIfNeeded: keys[0] >> 24)
        var previous = UInt8(truncatingIfNeeded: keys[nonzero - 1] >> 24)
        if lowest == previous && nonzero == node.rows { return nil }
        var k = nonzero - 1
        while k >= 0 {
            let key = keys[k]
            let value = UInt8(truncatingIfNeeded: key >> 24)
            if value != previous {
                best.consider(sweep, feature: feature, leftValue: value, rightValue: previous, minSamplesLeaf: minSamplesLeaf,
                              descending: true)
                previous = value
            }
            let i = Int(key & 0xFF_FFFF)
            sweep.moveRight(class: Int(labels[i]), weight: Int64(weights[i]))
            sweep.leftRows &-= 1
            sweep.rightRows &+= 1
            k -= 1
        }
        return lowest
    }

    /// Counts the `nonzero` keys into the histogram, then moves its bins right from the
    /// largest value down, offering the split below each, and empties them.
    /// - Returns: The smallest nonzero value, or `nil` if every sample has the same nonzero value.
    /// - Complexity: O(nonzero + 256 + distinct values × c), c the classes present or, for a
    ///   grouped walk, 16 × groups.
    @inline(__always)
    private func histogramSweep(_ feature: Int, _ start: Int, _ nonzero: Int, _ node: NodeStatistics,
                                _ sweep: inout GiniSweep, _ best: inout SplitCandidate<UInt8>, _ minSamplesLeaf: Int) -> UInt8? {
        let stride = binStride, labels = samples.labels + start, weights = samples.weights + start
        for k in 0 ..< nonzero {
            let key = keys[k]
            let value = Int(key >> 24), i = Int(key & 0xFF_FFFF)
            histogram[value &* stride &+ Int(labels[i])] &+= weights[i]
            binRows[value] &+= 1
        }
        // The nonempty bins as a 256-bit mask, so that the walk below jumps from one to the
        // next instead of testing (and mispredicting) every bin.
        var occupied: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for word in 0 ..< 4 {
            var bits: UInt64 = 0
            let counts = binRows + word * 64
            for b in 0 ..< 64 { bits |= (counts[b] != 0 ? 1 : 0) << UInt64(b) }
            switch word {
            case 0: occupied.0 = bits
            case 1: occupied.1 = bits
            case 2: occupied.2 = bits
            default: occupied.3 = bits
            }
        }
        let lowest = occupied.0 != 0 ? occupied.0.trailingZeroBitCount
            : occupied.1 != 0 ? 64 + occupied.1.trailingZeroBitCount
            : occupied.2 != 0 ? 128 + occupied.2.trailingZeroBitCount : 192 + occupied.3.trailingZeroBitCount
        let distinct = occupied.0.nonzeroBitCount + occupied.1.nonzeroBitCount
            + occupied.2.nonzeroBitCount + occupied.3.nonzeroBitCount
        if distinct == 1 && nonzero == node.rows {
            // One value for every sample: constant. Empty its bin.
            binRows[lowest] = 0
            for c in 0 ..< stride { histogram[lowest &* stride &+ c] = 0 }
            return nil
        }
        if groups == 1 {
            walkVectorised(occupied, feature, node, &sweep, &best, minSamplesLeaf)
        } else if node.presentCount > groups {
            walkGrouped(occupied, feature, node, &sweep, &best, minSamplesLeaf)
        } else {
            // No more classes present than groups (deep nodes of a many-class tree): class by class.
            walk(occupied, feature, node, &sweep, &best, minSamplesLeaf)
        }
        return UInt8(lowest)
    }

    /// The nonempty bins of `occupied`, largest value first.
    @inline(__always)
    private func forEachBinDescending(_ occupied: (UInt64, UInt64, UInt64, UInt64), _ body: (Int) -> Void) {
        for word in (0 ..< 4).reversed() {
            var bits: UInt64
            switch word {
            case 0: bits = occupied.0
            case 1: bits = occupied.1
            case 2: bits = occupied.2
            default: bits = occupied.3
            }
            while bits != 0 {
                let high = 63 - bits.leadingZeroBitCount
                bits &= ~(1 << UInt64(high))
                body(word * 64 + high)
            }
        }
    }

    /// Moves the histogram's bins right, largest value first, offering the split below each.
    /// Per class, through ``GiniSweep/moveRight(class:weight:)``.
    @inline(__always)
    private func walk(_ occupied: (UInt64, UInt64, UInt64, UInt64), _ feature: Int, _ node: NodeStatistics,
                      _ sweep: inout GiniSweep, _ best: inout SplitCandidate<UInt8>, _ minSamplesLeaf: Int) {
        let stride = binStride, present = node.present, presentCount = node.presentCount
        var previous = -1
        forEachBinDescending(occupied) { value in
            if previous >= 0 {
                best.consider(sweep, feature: feature, leftValue: UInt8(value), rightValue: UInt8(previous),
                              minSamplesLeaf: minSamplesLeaf, descending: true)
            }
            // Every present class, without testing for zero: moving 0 changes nothing.
            let bin = histogram + value &* stride
            for k in 0 ..< presentCount {
                let c = Int(present[k])
                sweep.moveRight(class: c, weight: Int64(bin[c]))
                bin[c] = 0
            }
            let rows = Int(binRows[value])
            binRows[value] = 0
            sweep.leftRows &-= rows
            sweep.rightRows &+= rows
            previous = value
        }
    }

    /// ``walk(_:_:_:_:_:_:)`` for at most 16 classes: the class counts of both sides live in
    /// `SIMD16<Double>` registers and the sums of squares are recomputed per bin, instead of
    /// updating counters in memory class by class. Every quantity is an integer below 2⁵³, so
    /// the arithmetic is exact and the scores are the same integers as the other sweeps'.
    @inline(__always)
    private func walkVectorised(_ occupied: (UInt64, UInt64, UInt64, UInt64), _ feature: Int, _ node: NodeStatistics,
                                _ sweep: inout GiniSweep, _ best: inout SplitCandidate<UInt8>, _ minSamplesLeaf: Int) {
        var left = SIMD16<Double>(), right = SIMD16<Double>()
        for k in 0 ..< node.presentCount {
            let c = Int(node.present[k])
            left[c] = Double(node.totals[c])
        }
        var previous = -1
        forEachBinDescending(occupied) { value in
            if previous >= 0 {
                best.consider(sweep, feature: feature, leftValue: UInt8(value), rightValue: UInt8(previous),
                              minSamplesLeaf: minSamplesLeaf, descending: true)
            }
            let bin = UnsafeMutableRawPointer(histogram + value &* 16)
            let moved = SIMD16<Double>(bin.loadUnaligned(as: SIMD16<Int32>.self))
            bin.storeBytes(of: SIMD16<Int32>(), as: SIMD16<Int32>.self)
            left -= moved
            right += moved
            let weight = Int64(pairwiseSum(moved))
            sweep.leftSquares = Int64(pairwiseSum(left * left))
            sweep.rightSquares = Int64(pairwiseSum(right * right))
            sweep.leftWeight &-= weight
            sweep.rightWeight &+= weight
            let rows = Int(binRows[value])
            binRows[value] = 0
            sweep.leftRows &-= rows
            sweep.rightRows &+= rows
            previous = value
        }
    }

    /// ``walkVectorised(_:_:_:_:_:_:)`` for more than 16 classes: the class counts of each side
    /// in one `SIMD16<Double>` per group of 16 classes, the sums of squares recomputed per bin
    /// group by group. Without it, a walk moved every present class of every bin one at a time
    /// through memory, and a forest of 47 classes cost almost twice as much per unit of work
    /// as MNIST's (docs/scaling.md). Exact, as the other sweeps: every quantity is an integer
    /// below 2⁵³.
    @inline(__always)
    private func walkGrouped(_ occupied: (UInt64, UInt64, UInt64, UInt64), _ feature: Int, _ node: NodeStatistics,
                             _ sweep: inout GiniSweep, _ best: inout SplitCandidate<UInt8>, _ minSamplesLeaf: Int) {
        let groups = self.groups, left = groupCounts, right = groupCounts + groups
        for g in 0 ..< 2 * groups { groupCounts[g] = SIMD16() }
        for k in 0 ..< node.presentCount {
            let c = Int(node.present[k])
            left[c >> 4][c & 15] = Double(node.totals[c])
        }
        var previous = -1
        forEachBinDescending(occupied) { value in
            if previous >= 0 {
                best.consider(sweep, feature: feature, leftValue: UInt8(value), rightValue: UInt8(previous),
                              minSamplesLeaf: minSamplesLeaf, descending: true)
            }
            let bin = UnsafeMutableRawPointer(histogram + value &* binStride)
            var weight = 0.0, leftSquares = 0.0, rightSquares = 0.0
            for g in 0 ..< groups {
                let slot = bin + g &* 64
                let moved = SIMD16<Double>(slot.loadUnaligned(as: SIMD16<Int32>.self))
                slot.storeBytes(of: SIMD16<Int32>(), as: SIMD16<Int32>.self)
                let l = left[g] - moved, r = right[g] + moved
                left[g] = l
                right[g] = r
                weight += pairwiseSum(moved)
                leftSquares += pairwiseSum(l * l)
                rightSquares += pairwiseSum(r * r)
            }
            sweep.leftSquares = Int64(leftSquares)
            sweep.rightSquares = Int64(rightSquares)
            sweep.leftWeight &-= Int64(weight)
            sweep.rightWeight &+= Int64(weight)
            let rows = Int(binRows[value])
            binRows[value] = 0
            sweep.leftRows &-= rows
            sweep.rightRows &+= rows
            previous = value
        }
    }

    func partition(_ start: Int, _ end: Int, by best: SplitCandidate<UInt8>) -> Int {
        let column = columns + best.feature * stride
        let bound = best.leftValue
        return samples.partition(start, end) { column[$0] <= bound }
    }

    func thresholds(of best: SplitCandidate<UInt8>) -> (threshold: Float, byteThreshold: UInt8) {
        byteThresholds(best.leftValue, best.rightValue)
    }
}

/// The sum of the lanes by halving (8 + 4 + 2 + 1 vector additions), where `sum()` adds the
/// 16 lanes one after another. Exact here: every lane is an integer and so is every sum.
@inline(__always)
private func pairwiseSum(_ v: SIMD16<Double>) -> Double {
    let eight = v.lowHalf + v.highHalf
    let four = eight.lowHalf + eight.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}
