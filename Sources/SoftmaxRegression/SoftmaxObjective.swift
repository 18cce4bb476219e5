import BenchCore
import Foundation

/// The training objective of multinomial logistic regression and its gradient:
///
///     L(W, b) = (1/n) Σᵢ [ log Σₖ exp(zᵢₖ) − zᵢ,yᵢ ] + (λ/2) ‖W‖²,   zᵢ = xᵢ W + b
///
/// (Bishop, *Pattern Recognition and Machine Learning*, §4.3.4; the bias is not penalised).
/// The gradient is ∂L/∂W = (1/n) Xᵀ (P − Y) + λW and ∂L/∂b = (1/n) Σᵢ (pᵢ − yᵢ), with P the
/// softmax probabilities and Y the one-hot labels.
///
/// Parameters are one flat vector: W as `features × classes` row-major, then b (`classes`).
///
/// The fast path keeps one image's class scores in a single SIMD vector (10 classes fit a
/// `SIMD16<Float>`; more than 32 classes go in groups of 16, `SoftmaxObjective+Groups.swift`),
/// walks only the nonzero pixels, and splits the images into fixed chunks
/// whose partial sums are added in chunk order, so the value does not depend on the threads.
public struct SoftmaxObjective: Sendable {
    public let data: SparseRows
    public let labels: [Int]
    public let classCount: Int
    public let l2: Double
    public let threads: Int

    /// The objective on `data` (labels in `0 ..< classCount`), evaluated with `threads` threads.
    public init(data: SparseRows, labels: [Int], classCount: Int, l2: Double, threads: Int) {
        self.data = data
        self.labels = labels
        self.classCount = classCount
        self.l2 = l2
        self.threads = threads
    }

    /// Images per chunk: fixed, so the summation order never depends on the thread count.
    public static let chunkSize = 1024

    /// Length of the parameter vector.
    public var parameterCount: Int { (data.columns + 1) * classCount }

    /// The objective at `theta`; writes the gradient into `gradient`.
    public func evaluate(_ theta: [Double], gradient: inout [Double]) -> Double {
        switch classCount {
        case ...8: return evaluate(theta, &gradient, SIMD8<Float>.self)
        case ...16: return evaluate(theta, &gradient, SIMD16<Float>.self)
        case ...32: return evaluate(theta, &gradient, SIMD32<Float>.self)
        default: return evaluateInGroups(theta, &gradient)
        }
    }

    private func evaluate<V: FloatVector>(_ theta: [Double], _ gradient: inout [Double], _: V.Type) -> Double where V.Scalar == Float {
        let d = data.columns, k = classCount
        let weightStorage = Self.allocateRows(d + 1, of: V.self)
        defer { weightStorage.deallocate() }
        Self.pack(theta, features: d, classes: k, into: weightStorage)
        let weights = SharedReads(UnsafeBufferPointer(start: weightStorage, count: d + 1))
        let chunks = (data.rows + Self.chunkSize - 1) / Self.chunkSize
        let partials = parallelMap(chunks, threads: threads) { chunk -> (Double, [V]) in
            let rows = chunk * Self.chunkSize ..< min((chunk + 1) * Self.chunkSize, data.rows)
            let g = Self.allocateRows(d + 1, of: V.self)
            defer { g.deallocate() }
            g.initialize(repeating: V(), count: d + 1)
            let loss = lossAndGradient(rows: rows, weights: weights.buffer, gradient: UnsafeMutableBufferPointer(start: g, count: d + 1))
            return (loss, Array(UnsafeBufferPointer(start: g, count: d + 1)))
        }
        // Combine the chunks in order, in double precision.
        var loss = 0.0
        var sum = [Double](repeating: 0, count: (d + 1) * k)
        for (chunkLoss, chunkGradient) in partials {
            loss += chunkLoss
            for j in 0 ... d {
                for c in 0 ..< k { sum[j * k + c] += Double(chunkGradient[j][c]) }
            }
        }
        return finish(loss: loss, sum: sum, theta: theta, gradient: &gradient)
    }

    /// The objective and its gradient from the sums over all images of the loss and of
    /// xᵀ(p − y) (`sum`, in the layout of `theta`): divided by n, with the L2 penalty added.
    func finish(loss: Double, sum: [Double], theta: [Double], gradient: inout [Double]) -> Double {
        let d = data.columns, k = classCount
        let n = Double(data.rows)
        var penalty = 0.0
        for i in 0 ..< d * k {
            penalty += theta[i] * theta[i]
            gradient[i] = sum[i] / n + l2 * theta[i]
        }
        for i in d * k ..< (d + 1) * k { gradient[i] = sum[i] / n }
        return loss / n + 0.5 * l2 * penalty
    }

    /// Loss summed over `rows`, gradient sums added into `gradient` (d weight rows, then the bias).
    private func lossAndGradient<V: FloatVector>(rows: Range<Int>, weights: UnsafeBufferPointer<V>,
                                          gradient: UnsafeMutableBufferPointer<V>) -> Double where V.Scalar == Float {
        let d = data.columns, k = classCount
        // Lanes ≥ k are spare: `valid` zeroes them, `spareOffset` keeps them out of the maximum.
        var valid = V(), spareOffset = V(repeating: -1e30)
        for c in 0 ..< k { valid[c] = 1; spareOffset[c] = 0 }
        let oneHot = (0 ..< k).map { c -> V in
            var vector = V()
            vector[c] = 1
            return vector
        }
        var loss = 0.0
        data.rowStart.withUnsafeBufferPointer { rowStart in
            data.columnIndex.withUnsafeBufferPointer { columnIndex in
                data.value.withUnsafeBufferPointer { value in
                    for r in rows {
                        let entries = rowStart[r] ..< rowStart[r + 1]
                        // Forward: class scores z = x W + b. Four independent partial sums, so
                        // consecutive fused multiply-adds do not wait on each other's latency.
                        var z0 = V(), z1 = V(), z2 = V(), z3 = V()
                        var e = entries.lowerBound
                        while e + 4 <= entries.upperBound {
                            z0.addProduct(value[e], weights[Int(columnIndex[e])])
                            z1.addProduct(value[e + 1], weights[Int(columnIndex[e + 1])])
                            z2.addProduct(value[e + 2], weights[Int(columnIndex[e + 2])])
                            z3.addProduct(value[e + 3], weights[Int(columnIndex[e + 3])])
                            e += 4
                        }
                        while e < entries.upperBound {
                            z0.addProduct(value[e], weights[Int(columnIndex[e])])
                            e += 1
                        }
                        let z = weights[d] + ((z0 + z1) + (z2 + z3))
                        // Softmax and cross-entropy, shifted by the largest score for stability;
                        // spare lanes (classes ≥ k) are masked out.
                        let largest = V.largestLane(z + spareOffset)
                        let exponentials = exponential(z - largest) * valid
                        let total = exponentials.sum()
                        let label = labels[r]
                        loss += Double(Foundation.log(total) - (z[label] - largest))
                        let residual = exponentials * (1 / total) - oneHot[label]
                        // Backward: ∂/∂W += xᵀ (p − y), ∂/∂b += (p − y).
                        for e in entries { gradient[Int(columnIndex[e])].addProduct(value[e], residual) }
                        gradient[d] += residual
                    }
                }
            }
        }
        return loss
    }

    /// Writes `theta` as `features + 1` SIMD vectors (the last is the bias), classes in the low
    /// lanes, into uninitialised `rows`.
    static func pack<V: FloatVector>(_ theta: [Double], features d: Int, classes k: Int, into rows: UnsafeMutablePointer<V>) where V.Scalar == Float {
        for j in 0 ... d {
            var row = V()
            for c in 0 ..< k { row[c] = Float(theta[j * k + c]) }
            (rows + j).initialize(to: row)
        }
    }

    /// Uninitialised memory for `count` vectors, aligned to 64 bytes: a `SIMD16<Float>` weight or
    /// gradient row then sits on one cache line instead of straddling two (Swift arrays align
    /// it to 16). Measured: 11.8 → 11.3 ms per evaluation on MNIST.
    static func allocateRows<V: FloatVector>(_ count: Int, of _: V.Type) -> UnsafeMutablePointer<V> {
        UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<V>.stride, alignment: 64).bindMemory(to: V.self, capacity: count)
    }

    /// The same objective written plainly, in double precision on dense features: the
    /// reference the fast path is tested against.
    public static func reference(features: FeatureMatrix, labels: [Int], classCount k: Int, l2: Double,
                          theta: [Double], gradient: inout [Double]) -> Double {
        let n = features.rows, d = features.columns
        for i in gradient.indices { gradient[i] = 0 }
        var loss = 0.0
        for r in 0 ..< n {
            var scores = [Double](repeating: 0, count: k)
            for c in 0 ..< k {
                var s = theta[d * k + c]
                for j in 0 ..< d { s += Double(features[r, j]) * theta[j * k + c] }
                scores[c] = s
            }
            let largest = scores.max()!
            let total = scores.reduce(0) { $0 + Foundation.exp($1 - largest) }
            loss += Foundation.log(total) + largest - scores[labels[r]]
            for c in 0 ..< k {
                let residual = Foundation.exp(scores[c] - largest) / total - (c == labels[r] ? 1 : 0)
                for j in 0 ..< d { gradient[j * k + c] += Double(features[r, j]) * residual / Double(n) }
                gradient[d * k + c] += residual / Double(n)
            }
        }
        var penalty = 0.0
        for i in 0 ..< d * k {
            penalty += theta[i] * theta[i]
            gradient[i] += l2 * theta[i]
        }
        return loss / Double(n) + 0.5 * l2 * penalty
    }
}
