import BenchCore
import Foundation

/// The objective for many classes: each image's class scores in groups of 16 (one
/// `SIMD16<Float>` each, `⌈k/16⌉` of them), where the single-vector path keeps them in one
/// vector of 8, 16 or 32 lanes. One vector of 64 lanes would pad 47 classes (EMNIST's
/// balanced set) to 64, a third of the work wasted, and past 64 there is no vector type at all;
/// groups pad to the next multiple of 16 only (47 → 48), so the cost follows the classes.
/// The same formulas as ``lossAndGradient`` (whose rounding can differ: it sums a row's
/// pixels in four interleaved partial sums), the same fixed chunks added in the same order,
/// so the value does not depend on the threads either.
extension SoftmaxObjective {
    /// Classes per group.
    typealias Group = SIMD16<Float>

    func evaluateInGroups(_ theta: [Double], _ gradient: inout [Double]) -> Double {
        let d = data.columns, k = classCount, groups = (k + Group.scalarCount - 1) / Group.scalarCount
        let width = (d + 1) * groups
        let weightStorage = Self.allocateRows(width, of: Group.self)
        defer { weightStorage.deallocate() }
        for j in 0 ... d {
            for g in 0 ..< groups {
                var row = Group()
                for lane in 0 ..< Group.scalarCount where g * Group.scalarCount + lane < k {
                    row[lane] = Float(theta[j * k + g * Group.scalarCount + lane])
                }
                (weightStorage + j * groups + g).initialize(to: row)
            }
        }
        let weights = SharedReads(UnsafeBufferPointer(start: weightStorage, count: width))
        let chunks = (data.rows + Self.chunkSize - 1) / Self.chunkSize
        let partials = parallelMap(chunks, threads: threads) { chunk -> (Double, [Group]) in
            let rows = chunk * Self.chunkSize ..< min((chunk + 1) * Self.chunkSize, data.rows)
            let g = Self.allocateRows(width, of: Group.self)
            defer { g.deallocate() }
            g.initialize(repeating: Group(), count: width)
            let loss = lossAndGradientInGroups(rows: rows, groups: groups, weights: weights.buffer,
                                               gradient: UnsafeMutableBufferPointer(start: g, count: width))
            return (loss, Array(UnsafeBufferPointer(start: g, count: width)))
        }
        var loss = 0.0
        var sum = [Double](repeating: 0, count: (d + 1) * k)
        for (chunkLoss, chunkGradient) in partials {
            loss += chunkLoss
            for j in 0 ... d {
                for c in 0 ..< k { sum[j * k + c] += Double(chunkGradient[j * groups + c / Group.scalarCount][c % Group.scalarCount]) }
            }
        }
        return finish(loss: loss, sum: sum, theta: theta, gradient: &gradient)
    }

    /// Loss summed over `rows`, gradient sums added into `gradient` (`groups` vectors per
    /// weight row, d rows, then the bias's).
    private func lossAndGradientInGroups(rows: Range<Int>, groups: Int, weights: UnsafeBufferPointer<Group>,
                                         gradient: UnsafeMutableBufferPointer<Group>) -> Double {
        let d = data.columns, k = classCount, lanes = Group.scalarCount
        // Lanes of classes ≥ k are spare: `valid` zeroes them, `spareOffset` keeps them out of the maximum.
        var valid = [Group](repeating: Group(), count: groups), spareOffset = [Group](repeating: Group(repeating: -1e30), count: groups)
        for c in 0 ..< k {
            valid[c / lanes][c % lanes] = 1
            spareOffset[c / lanes][c % lanes] = 0
        }
        let scores = UnsafeMutablePointer<Group>.allocate(capacity: groups)
        defer { scores.deallocate() }
        let w = weights.baseAddress!, gradientRows = gradient.baseAddress!
        var loss = 0.0
        data.rowStart.withUnsafeBufferPointer { rowStart in
            data.columnIndex.withUnsafeBufferPointer { columnIndex in
                data.value.withUnsafeBufferPointer { value in
                    for r in rows {
                        let entries = rowStart[r] ..< rowStart[r + 1]
                        // Forward: z = x W + b, group by group.
                        scores.update(from: w + d * groups, count: groups)
                        for e in entries {
                            let x = value[e], row = w + Int(columnIndex[e]) * groups
                            for g in 0 ..< groups { scores[g].addProduct(x, row[g]) }
                        }
                        var largest = -Float.infinity
                        for g in 0 ..< groups { largest = Swift.max(largest, Group.largestLane(scores[g] + spareOffset[g])) }
                        let label = labels[r]
                        let labelScore = scores[label / lanes][label % lanes]
                        var total: Float = 0
                        for g in 0 ..< groups {
                            scores[g] = exponential(scores[g] - largest) * valid[g]
                            total += scores[g].sum()
                        }
                        loss += Double(Foundation.log(total) - (labelScore - largest))
                        // Backward: the residual p − y, then ∂/∂W += xᵀ (p − y), ∂/∂b += (p − y).
                        let inverse = 1 / total
                        for g in 0 ..< groups { scores[g] *= inverse }
                        scores[label / lanes][label % lanes] -= 1
                        for e in entries {
                            let x = value[e], row = gradientRows + Int(columnIndex[e]) * groups
                            for g in 0 ..< groups { row[g].addProduct(x, scores[g]) }
                        }
                        for g in 0 ..< groups { gradientRows[d * groups + g] += scores[g] }
                    }
                }
            }
        }
        return loss
    }
}
