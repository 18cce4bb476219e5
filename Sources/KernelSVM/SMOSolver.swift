/// Sequential minimal optimisation (Platt 1998) with the second-order working-set selection of
/// Fan, Chen and Lin ("Working set selection using second order information for training
/// support vector machines", JMLR 6, 2005), the method of libsvm.
///
/// ## The problem
/// For samples x_1 … x_n with labels y_t = ±1, kernel K and box C, the C-SVC dual is
///
///     minimise  f(α) = ½ Σ_s Σ_t α_s α_t y_s y_t K(x_s, x_t) − Σ_t α_t
///     subject to  0 ≤ α_t ≤ C  and  Σ_t y_t α_t = 0,
///
/// and the classifier is sign(Σ_t y_t α_t K(x_t, x) + b).
///
/// ## The solver's state
/// Besides α, the solver keeps every sample's **residual** r_t = y_t − Σ_s y_s α_s K(x_s, x_t):
/// the label less the current output without bias. (In the papers' terms r_t = −y_t ∇f(α)_t.)
/// A sample may move α_t so that r_t's "side" improves:
/// - I_up  = { t : y_t = +1, α_t < C  or  y_t = −1, α_t > 0 }, where y_t α_t can still grow;
/// - I_low = { t : y_t = +1, α_t > 0  or  y_t = −1, α_t < C }, where y_t α_t can still shrink.
///
/// α is optimal exactly when max_{I_up} r ≤ min_{I_low} r; the solver stops when the gap
/// between the two is below the tolerance ε (libsvm's stopping rule, ε = 10⁻³ by default).
///
/// ## One iteration
/// 1. i = the sample of I_up with the largest residual (the first-order, "maximal violating" choice).
/// 2. j = among the samples t of I_low with r_t < r_i, the one minimising −b²/a, where
///    b = r_i − r_t and a = K_ii + K_tt − 2K_it (or a small τ if a ≤ 0): the pair whose
///    two-variable step decreases f the most, to second order (Fan, Chen and Lin, WSS 2).
/// 3. Move α_i by +y_i·s and α_j by −y_j·s, which keeps Σ y_t α_t = 0. Along this direction f
///    is a parabola whose minimum is at s = b/a; s is clipped so that both α stay in [0, C].
/// 4. Every residual changes by r_t ← r_t − s·(K_it − K_jt): two kernel rows per iteration.
///
/// ## Where this departs from libsvm
/// - The state is the residual r rather than the gradient ∇f; the arithmetic is the same,
///   and the update needs the kernel rows without the labels folded in.
/// - No shrinking: every iteration scans all samples. Scans are cheap next to kernel rows,
///   and the rows are computed in blocks (``KernelRowCache``), so shrinking would mostly save
///   GEMM columns at the cost of a second, harder-to-follow code path.
/// - Kernel rows are float32, as in libsvm; α, residuals and the bias are float64.
public struct SMOSolver: Sendable {
    /// The settings of a solve.
    public struct Configuration: Sendable {
        /// The box: 0 ≤ α_t ≤ C.
        public var C: Double
        /// Stop when max_{I_up} r − min_{I_low} r < tolerance.
        public var tolerance: Double
        /// Stop after this many iterations even if not optimal (reported by the caller).
        public var maxIterations: Int

        public init(C: Double, tolerance: Double = 1e-3, maxIterations: Int = 10_000_000) {
            self.C = C
            self.tolerance = tolerance
            self.maxIterations = maxIterations
        }
    }

    /// y_t = +1 or −1.
    public let labels: [Double]
    public let configuration: Configuration

    public init(labels: [Double], configuration: Configuration) {
        precondition(labels.allSatisfy { $0 == 1 || $0 == -1 }, "SMOSolver: labels must be +1 or -1")
        self.labels = labels
        self.configuration = configuration
    }

    /// libsvm's τ: the curvature used when a = K_ii + K_jj − 2K_ij is not positive.
    public static let tau = 1e-12

    /// The solution, how it was reached, and the bias b.
    public struct Solution: Sendable {
        public var alpha: [Double]
        /// The box the α lie in.
        public var C: Double
        public var bias: Double
        public var iterations: Int
        /// max_{I_up} r − min_{I_low} r when the solver stopped.
        public var gap: Double
        /// True when the solver stopped at ``Configuration/maxIterations`` before reaching the tolerance.
        public var reachedIterationCap: Bool
    }

    /// Solves the dual for the kernel rows `kernel` gives, starting from α = 0.
    public func solve(_ kernel: some KernelRowSource) -> Solution {
        let n = labels.count
        let diagonal = kernel.diagonal
        let C = configuration.C, tolerance = configuration.tolerance
        var alpha = [Double](repeating: 0, count: n)
        var residual = labels   // α = 0: every output is 0
        // Membership of I_up and I_low, kept in step with α.
        var up = labels.map { $0 > 0 }
        var low = labels.map { $0 < 0 }
        var iterations = 0, gap = Double.infinity, capped = false

        // The same, as the scans' additive masks (``SMOScans``): 0 in the set, ∓∞ outside.
        var upMask = up.map { $0 ? 0 : -Double.infinity }
        var lowMask = low.map { $0 ? 0 : Double.infinity }

        func updateMembership(_ t: Int) {
            up[t] = labels[t] > 0 ? alpha[t] < C : alpha[t] > 0
            low[t] = labels[t] > 0 ? alpha[t] > 0 : alpha[t] < C
            upMask[t] = up[t] ? 0 : -.infinity
            lowMask[t] = low[t] ? 0 : .infinity
        }

        /// The first `limit` of the samples most likely to be chosen next, for the cache to
        /// compute ahead: the largest residuals in I_up and the smallest in I_low, alternately.
        /// A free sample (0 < α < C) is in both sets and may be listed twice. Only the first
        /// `limit` of each set are put in order (``firstInOrder(_:of:by:)``): the cache
        /// usually needs a few dozen, and sorting all n at every cache miss took 5% of a fit.
        func priorities(limit: Int) -> [Int] {
            let ups = firstInOrder(limit, of: (0 ..< n).filter { up[$0] }) { (residual[$0], -$0) > (residual[$1], -$1) }
            let lows = firstInOrder(limit, of: (0 ..< n).filter { low[$0] }) { (residual[$0], $0) < (residual[$1], $1) }
            var merged = [Int]()
            merged.reserveCapacity(ups.count + lows.count)
            for k in 0 ..< max(ups.count, lows.count) {
                if k < ups.count { merged.append(ups[k]) }
                if k < lows.count { merged.append(lows[k]) }
            }
            return Array(merged.prefix(limit))
        }

        // The scans run eight samples at a time (``SMOScans``, each beside its plain loop), and
        // step 4's pass also finds the next iteration's i.
        var nextI: Int? = nil
        while true {
            kernel.beginIteration()
            // 1. The most violating sample of I_up.
            let i = nextI ?? residual.withUnsafeBufferPointer { r in upMask.withUnsafeBufferPointer { SMOScans.largestResidual(r, upMask: $0) } }
            guard i >= 0 else { gap = 0; break }
            let rMax = residual[i]
            let rowI = kernel.row(i, priorities: priorities)

            // 2. The partner giving the largest second-order decrease; also min_{I_low} r.
            let kii = Double(diagonal[i])
            let (j, rMin) = residual.withUnsafeBufferPointer { r in
                lowMask.withUnsafeBufferPointer { lowMask in
                    diagonal.withUnsafeBufferPointer { d in
                        SMOScans.partner(rMax: rMax, kii: kii, tau: Self.tau, residual: r, lowMask: lowMask, diagonal: d.baseAddress!, row: rowI)
                    }
                }
            }
            gap = rMax - rMin
            if gap < tolerance || j < 0 { break }
            if iterations == configuration.maxIterations {
                capped = true
                break
            }
            iterations += 1
            let rowJ = kernel.row(j, priorities: priorities)

            // 3. The step along (+y_i, −y_j), clipped to the box.
            let a = kii + Double(diagonal[j]) - 2 * Double(rowI[j])
            let roomI = labels[i] > 0 ? C - alpha[i] : alpha[i]
            let roomJ = labels[j] > 0 ? alpha[j] : C - alpha[j]
            let step = min((rMax - residual[j]) / (a > 0 ? a : Self.tau), roomI, roomJ)
            // A clipped variable lands exactly on its bound, not a rounding error away from it.
            // An unclipped one stays inside it (rounding could otherwise push it just past).
            alpha[i] = step == roomI ? (labels[i] > 0 ? C : 0) : min(C, max(0, alpha[i] + labels[i] * step))
            alpha[j] = step == roomJ ? (labels[j] > 0 ? 0 : C) : min(C, max(0, alpha[j] - labels[j] * step))
            updateMembership(i)
            updateMembership(j)

            // 4. Every residual, from the two rows; and the next iteration's i.
            nextI = residual.withUnsafeMutableBufferPointer { r in
                upMask.withUnsafeBufferPointer { SMOScans.update(r, step: step, rowI: rowI, rowJ: rowJ, upMask: $0) }
            }
        }
        return Solution(alpha: alpha, C: C, bias: bias(alpha: alpha, residual: residual), iterations: iterations,
                        gap: gap, reachedIterationCap: capped)
    }

    /// b from the optimality conditions: for a free sample (0 < α_t < C), b = r_t exactly, so
    /// b is their mean. With none free, the samples at a bound only bound b from one side
    /// (y_t(f_t + b) ≥ 1 at α_t = 0, ≤ 1 at α_t = C), and b is the middle of that interval.
    public func bias(alpha: [Double], residual: [Double]) -> Double {
        var freeSum = 0.0, freeCount = 0
        var lower = -Double.infinity, upper = Double.infinity
        for t in labels.indices {
            if alpha[t] > 0 && alpha[t] < configuration.C {
                freeSum += residual[t]
                freeCount += 1
            } else if (labels[t] > 0) == (alpha[t] == 0) {
                lower = max(lower, residual[t])   // y = +1 at 0, or y = −1 at C: b ≥ r_t
            } else {
                upper = min(upper, residual[t])   // y = +1 at C, or y = −1 at 0: b ≤ r_t
            }
        }
        if freeCount > 0 { return freeSum / Double(freeCount) }
        if lower.isFinite && upper.isFinite { return (lower + upper) / 2 }
        return lower.isFinite ? lower : (upper.isFinite ? upper : 0)
    }
}
