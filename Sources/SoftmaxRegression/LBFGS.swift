/// Limited-memory BFGS (Liu and Nocedal, "On the limited memory BFGS method for large scale
/// optimization", Math. Programming 45, 1989; Nocedal and Wright, *Numerical Optimization*,
/// 2nd ed., Algorithm 7.4 for the two-loop recursion).
///
/// Minimises a smooth function from its value and gradient. The line search is a plain
/// backtracking search on the Armijo condition (Nocedal and Wright, Algorithm 3.1) starting
/// from the unit step; where it departs from the textbook's Wolfe search, a curvature pair
/// with sᵀy ≤ 0 is skipped rather than used, which keeps the implicit Hessian positive definite.
public struct LBFGS: Sendable {
    /// Correction pairs kept (the "m" of the paper).
    public var memory = 10
    /// Most iterations; reaching it is reported in the result, not an error.
    public var maxIterations = 100
    /// Stop when the largest absolute gradient component falls below this.
    public var gradientTolerance = 1e-6
    /// Stop when an iteration lowers the objective by less than this fraction of its value.
    public var relativeDecreaseTolerance = 1e-10

    public init() {}

    /// Why the minimiser stopped.
    public enum Stop: String, Sendable {
        case gradientSmall = "gradient below tolerance"
        case decreaseSmall = "relative decrease below tolerance"
        case iterationCap = "iteration cap reached"
        case lineSearchFailed = "line search found no decrease"
    }

    /// The minimiser's result.
    public struct Result: Sendable {
        public let x: [Double]
        public let value: Double
        public let gradientMaxNorm: Double
        public let iterations: Int
        public let evaluations: Int
        public let stop: Stop
    }

    /// Minimises `objective` from `start`.
    /// - Parameters:
    ///   - objective: Returns the value at a point and writes the gradient into its second argument.
    ///   - onIteration: Called after each iteration with (iteration, value, gradient max-norm).
    public func minimize(from start: [Double], objective: (_ x: [Double], _ gradient: inout [Double]) -> Double,
                         onIteration: (Int, Double, Double) -> Void = { _, _, _ in }) -> Result {
        let n = start.count
        var x = start
        var gradient = [Double](repeating: 0, count: n)
        var value = objective(x, &gradient)
        var evaluations = 1
        var steps: [[Double]] = []      // s_k = x_{k+1} - x_k
        var changes: [[Double]] = []    // y_k = g_{k+1} - g_k
        var curvatures: [Double] = []   // 1 / (y_kᵀ s_k)
        var direction = [Double](repeating: 0, count: n)
        var candidate = [Double](repeating: 0, count: n)
        var candidateGradient = [Double](repeating: 0, count: n)
        var iteration = 0
        var stop = Stop.iterationCap

        while iteration < maxIterations {
            if maxNorm(gradient) < gradientTolerance { stop = .gradientSmall; break }
            // Two-loop recursion: direction = -H g.
            direction = gradient
            var alphas = [Double](repeating: 0, count: steps.count)
            for k in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[k] = curvatures[k] * dot(steps[k], direction)
                axpy(-alphas[k], changes[k], &direction)
            }
            if let lastStep = steps.last, let lastChange = changes.last {
                scale(&direction, dot(lastStep, lastChange) / dot(lastChange, lastChange))
            } else {
                scale(&direction, 1 / max(norm(gradient), 1e-12))
            }
            for k in 0 ..< steps.count {
                let beta = curvatures[k] * dot(changes[k], direction)
                axpy(alphas[k] - beta, steps[k], &direction)
            }
            scale(&direction, -1)
            var slope = dot(gradient, direction)
            if slope >= 0 {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                steps.removeAll(); changes.removeAll(); curvatures.removeAll()
                direction = gradient.map { -$0 / max(norm(gradient), 1e-12) }
                slope = dot(gradient, direction)
            }
            // Backtracking on the Armijo condition f(x + t d) <= f(x) + c1 t gᵀd.
            var stepLength = 1.0
            var accepted = false
            var candidateValue = value
            for _ in 0 ..< 30 {
                for i in 0 ..< n { candidate[i] = x[i] + stepLength * direction[i] }
                candidateValue = objective(candidate, &candidateGradient)
                evaluations += 1
                if candidateValue <= value + 1e-4 * stepLength * slope { accepted = true; break }
                stepLength *= 0.5
            }
            guard accepted else { stop = .lineSearchFailed; break }
            var step = [Double](repeating: 0, count: n)
            var change = [Double](repeating: 0, count: n)
            for i in 0 ..< n {
                step[i] = candidate[i] - x[i]
                change[i] = candidateGradient[i] - gradient[i]
            }
            let curvature = dot(step, change)
            if curvature > 1e-10 * norm(step) * norm(change) {
                if steps.count == memory { steps.removeFirst(); changes.removeFirst(); curvatures.removeFirst() }
                steps.append(step); changes.append(change); curvatures.append(1 / curvature)
            }
            let decrease = value - candidateValue
            swap(&x, &candidate)
            swap(&gradient, &candidateGradient)
            value = candidateValue
            iteration += 1
            onIteration(iteration, value, maxNorm(gradient))
            if decrease <= relativeDecreaseTolerance * max(abs(value), 1) { stop = .decreaseSmall; break }
        }
        if iteration == maxIterations && maxNorm(gradient) < gradientTolerance { stop = .gradientSmall }
        return Result(x: x, value: value, gradientMaxNorm: maxNorm(gradient), iterations: iteration,
                      evaluations: evaluations, stop: stop)
    }
}

private func dot(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for i in a.indices { sum += a[i] * b[i] }
    return sum
}

private func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

private func maxNorm(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }

private func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    for i in y.indices { y[i] += alpha * x[i] }
}

private func scale(_ a: inout [Double], _ factor: Double) {
    for i in a.indices { a[i] *= factor }
}
