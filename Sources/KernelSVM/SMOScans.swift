/// The three passes over all n samples that every iteration of ``SMOSolver`` makes, eight
/// samples at a time, each with its plain loop beside it as the reference.
///
/// As scalar loops over the pair's samples (about 12,000 on MNIST), branching on each sample's
/// sets, they were 14% of a full-MNIST fit in `perf` (the kernel rows' GEMM is most of the
/// rest); as these vector loops, with the residual update and the next choice of i in one
/// pass, 7% (measured on a 20,000-image fit). Each vector version
/// returns exactly what its reference returns: every value is computed by the same operations
/// in the same order, only eight lanes at once; each lane keeps the first of its samples on
/// ties, and the lanes' results are combined by value and then by the smallest index, which is
/// the first in scan order. The fit's model is unchanged, bit for bit.
///
/// Membership of I_up and I_low comes as an additive mask per sample, 0 for a member and −∞
/// (I_up) or +∞ (I_low) for the others: r_t + mask_t is r_t itself for a member and can never
/// be chosen otherwise, in one vector addition (a Bool per sample turned into a lane mask took
/// a loop per vector). Adding 0 changes no residual but −0, which becomes +0: it compares
/// equal to −0 everywhere, and the solver reads the chosen residual back from its array. The
/// one value that can differ is the sign of a zero min over I_low (+0 where the plain loop
/// keeps −0); it enters only the gap, whose test against the tolerance is the same.
public enum SMOScans {
    typealias Values = SIMD8<Double>
    typealias Indices = SIMD8<Int64>

    @inline(__always)
    static func lanes(from t: Int) -> Indices { Indices(0, 1, 2, 3, 4, 5, 6, 7) &+ Int64(t) }

    @inline(__always)
    static func load(_ values: UnsafePointer<Double>, _ t: Int) -> Values {
        UnsafeRawPointer(values + t).loadUnaligned(as: Values.self)
    }

    @inline(__always)
    static func load(_ values: UnsafePointer<Float>, _ t: Int) -> Values {
        Values(UnsafeRawPointer(values + t).loadUnaligned(as: SIMD8<Float>.self))
    }

    /// The smallest of `indices`' lanes where `mask` holds.
    @inline(__always)
    static func firstLane(_ indices: Indices, where mask: SIMDMask<Indices>) -> Int {
        Int(Indices(repeating: .max).replacing(with: indices, where: mask).min())
    }

    // MARK: The most violating sample of I_up

    /// The sample of I_up (`upMask[t]` = 0; −∞ for the others) with the largest residual, the
    /// first on ties; −1 if I_up is empty.
    public static func largestResidual(_ residual: UnsafeBufferPointer<Double>, upMask: UnsafeBufferPointer<Double>) -> Int {
        let n = residual.count, r = residual.baseAddress!, mask = upMask.baseAddress!
        var best = Values(repeating: -.infinity), bestIndex = Indices(repeating: -1)
        var t = 0
        while t + 8 <= n {
            keepLarger(load(r, t) + load(mask, t), at: t, best: &best, index: &bestIndex)
            t += 8
        }
        return finishLargest(best, bestIndex, from: t, residual: r, upMask: mask, count: n)
    }

    /// Each lane keeps the larger of its best and `candidate` (samples t … t + 7), the earlier on ties.
    @inline(__always)
    static func keepLarger(_ candidate: Values, at t: Int, best: inout Values, index: inout Indices) {
        let better = candidate .> best
        best.replace(with: candidate, where: better)
        index.replace(with: lanes(from: t), where: better)
    }

    /// Combines the lanes and scans the last n mod 8 samples, which come after every lane's.
    @inline(__always)
    static func finishLargest(_ best: Values, _ bestIndex: Indices, from start: Int, residual r: UnsafePointer<Double>,
                              upMask mask: UnsafePointer<Double>, count n: Int) -> Int {
        var rMax = best.max()
        var i = rMax > -.infinity ? firstLane(bestIndex, where: best .== rMax) : -1
        for t in start ..< n where mask[t] == 0 && r[t] > rMax {
            i = t
            rMax = r[t]
        }
        return i
    }

    /// ``largestResidual(_:upMask:)`` as the plain loop.
    public static func largestResidualReference(_ residual: UnsafeBufferPointer<Double>, upMask: UnsafeBufferPointer<Double>) -> Int {
        var i = -1, rMax = -Double.infinity
        for t in residual.indices where upMask[t] == 0 && residual[t] > rMax {
            i = t
            rMax = residual[t]
        }
        return i
    }

    // MARK: The partner j, and min over I_low

    /// Among the samples t of I_low (`lowMask[t]` = 0; +∞ for the others) with r_t < `rMax`,
    /// the one minimising −b²/a with b = rMax − r_t and a = K_ii + K_tt − 2K_it (τ when
    /// a ≤ 0), the first on ties (−1 if none); and the smallest residual in I_low (+∞ if none).
    public static func partner(rMax: Double, kii: Double, tau: Double, residual: UnsafeBufferPointer<Double>,
                               lowMask: UnsafeBufferPointer<Double>, diagonal: UnsafePointer<Float>, row: UnsafePointer<Float>)
        -> (j: Int, rMin: Double) {
        let n = residual.count, r = residual.baseAddress!, mask = lowMask.baseAddress!
        let rMaxV = Values(repeating: rMax), kiiV = Values(repeating: kii), tauV = Values(repeating: tau)
        var best = Values(repeating: .infinity), bestIndex = Indices(repeating: -1), rMinV = Values(repeating: .infinity)
        var t = 0
        while t + 8 <= n {
            // +∞ outside I_low: never below rMin, and b = −∞ there.
            let residuals = load(r, t) + load(mask, t)
            rMinV.replace(with: residuals, where: residuals .< rMinV)
            let b = rMaxV - residuals
            let a = kiiV + load(diagonal, t) - 2 * load(row, t)
            let decrease = -b * b / tauV.replacing(with: a, where: a .> 0)
            let better = (b .> 0) .& (decrease .< best)
            best.replace(with: decrease, where: better)
            bestIndex.replace(with: lanes(from: t), where: better)
            t += 8
        }
        var value = best.min(), rMin = rMinV.min()
        var j = value < .infinity ? firstLane(bestIndex, where: best .== value) : -1
        for t in t ..< n where mask[t] == 0 {
            rMin = min(rMin, r[t])
            let b = rMax - r[t]
            if b > 0 {
                let a = kii + Double(diagonal[t]) - 2 * Double(row[t])
                let decrease = -b * b / (a > 0 ? a : tau)
                if decrease < value {
                    value = decrease
                    j = t
                }
            }
        }
        return (j, rMin)
    }

    /// ``partner(rMax:kii:tau:residual:lowMask:diagonal:row:)`` as the plain loop.
    public static func partnerReference(rMax: Double, kii: Double, tau: Double, residual: UnsafeBufferPointer<Double>,
                                        lowMask: UnsafeBufferPointer<Double>, diagonal: UnsafePointer<Float>, row: UnsafePointer<Float>)
        -> (j: Int, rMin: Double) {
        var j = -1, best = Double.infinity, rMin = Double.infinity
        for t in residual.indices where lowMask[t] == 0 {
            let r = residual[t]
            rMin = min(rMin, r)
            let b = rMax - r
            if b > 0 {
                let a = kii + Double(diagonal[t]) - 2 * Double(row[t])
                let decrease = -b * b / (a > 0 ? a : tau)
                if decrease < best {
                    best = decrease
                    j = t
                }
            }
        }
        return (j, rMin)
    }

    // MARK: The residuals' update, with the next iteration's i

    /// r_t ← r_t − step·(K_it − K_jt) for every t, and then, in the same pass, the next
    /// iteration's ``largestResidual(_:upMask:)`` (I_up already updated for the step).
    public static func update(_ residual: UnsafeMutableBufferPointer<Double>, step: Double, rowI: UnsafePointer<Float>,
                              rowJ: UnsafePointer<Float>, upMask: UnsafeBufferPointer<Double>) -> Int {
        let n = residual.count, r = residual.baseAddress!, mask = upMask.baseAddress!
        let stepV = Values(repeating: step)
        var best = Values(repeating: -.infinity), bestIndex = Indices(repeating: -1)
        var t = 0
        while t + 8 <= n {
            let updated = load(r, t) - stepV * (load(rowI, t) - load(rowJ, t))
            UnsafeMutableRawPointer(r + t).storeBytes(of: updated, as: Values.self)
            keepLarger(updated + load(mask, t), at: t, best: &best, index: &bestIndex)
            t += 8
        }
        for t in t ..< n { r[t] -= step * (Double(rowI[t]) - Double(rowJ[t])) }
        return finishLargest(best, bestIndex, from: t, residual: UnsafePointer(r), upMask: mask, count: n)
    }

    /// ``update(_:step:rowI:rowJ:upMask:)`` as the plain loops.
    public static func updateReference(_ residual: UnsafeMutableBufferPointer<Double>, step: Double, rowI: UnsafePointer<Float>,
                                       rowJ: UnsafePointer<Float>, upMask: UnsafeBufferPointer<Double>) -> Int {
        for t in residual.indices { residual[t] -= step * (Double(rowI[t]) - Double(rowJ[t])) }
        return largestResidualReference(UnsafeBufferPointer(residual), upMask: upMask)
    }
}
