import BenchCore
import KernelSVM
import TestSupport
import Testing

@Suite struct SMOSolverTests {
    /// ½αᵀQα − Σα with Q_st = y_s y_t K_st, in double precision.
    func objective(_ alpha: [Double], _ labels: [Double], _ kernel: PrecomputedKernel) -> Double {
        var quadratic = 0.0
        for s in alpha.indices {
            for t in alpha.indices { quadratic += alpha[s] * alpha[t] * labels[s] * labels[t] * Double(kernel[s, t]) }
        }
        return quadratic / 2 - alpha.reduce(0, +)
    }

    /// r_t = y_t − Σ_s y_s α_s K_st, recomputed from scratch in double precision.
    func residuals(_ alpha: [Double], _ labels: [Double], _ kernel: PrecomputedKernel) -> [Double] {
        labels.indices.map { t in labels[t] - alpha.indices.reduce(0.0) { $0 + labels[$1] * alpha[$1] * Double(kernel[$1, t]) } }
    }

    /// The dual's minimum by brute force: every way of putting each α at 0, at C or free; for
    /// each, the free α (and the multiplier of Σ yα = 0) solve the stationarity equations, a
    /// linear system; the best candidate that lies in the box is the optimum.
    func bruteForce(_ labels: [Double], _ kernel: PrecomputedKernel, C: Double) -> (alpha: [Double], objective: Double) {
        let n = labels.count
        var best: (alpha: [Double], objective: Double) = ([], .infinity)
        var patterns = 1
        for _ in 0 ..< n { patterns *= 3 }
        for code in 0 ..< patterns {
            var status = [Int](), rest = code
            for _ in 0 ..< n { status.append(rest % 3); rest /= 3 }
            var alpha = status.map { $0 == 1 ? C : 0 }
            let free = (0 ..< n).filter { status[$0] == 2 }
            // Unknowns: α_F and ν. Rows: (Qα)_s − 1 + ν y_s = 0 for s in F, and Σ y_t α_t = 0.
            let m = free.count + 1
            var system = [[Double]](repeating: [Double](repeating: 0, count: m + 1), count: m)
            for (r, s) in free.enumerated() {
                for (c, t) in free.enumerated() { system[r][c] = labels[s] * labels[t] * Double(kernel[s, t]) }
                system[r][m - 1] = labels[s]
                system[r][m] = 1 - (0 ..< n).filter { status[$0] == 1 }.reduce(0.0) { $0 + labels[s] * labels[$1] * Double(kernel[s, $1]) * C }
            }
            for (c, t) in free.enumerated() { system[m - 1][c] = labels[t] }
            system[m - 1][m] = -(0 ..< n).filter { status[$0] == 1 }.reduce(0.0) { $0 + labels[$1] * C }
            guard let solution = solve(system) else { continue }
            for (c, t) in free.enumerated() { alpha[t] = solution[c] }
            guard alpha.allSatisfy({ $0 >= -1e-12 && $0 <= C + 1e-12 }) else { continue }
            guard abs(zip(alpha, labels).reduce(0) { $0 + $1.0 * $1.1 }) < 1e-9 else { continue }
            let value = objective(alpha, labels, kernel)
            if value < best.objective { best = (alpha, value) }
        }
        return best
    }

    /// Gaussian elimination with partial pivoting on an augmented matrix; nil if singular.
    func solve(_ augmented: [[Double]]) -> [Double]? {
        var a = augmented
        let m = a.count
        for col in 0 ..< m {
            let pivot = (col ..< m).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            guard abs(a[pivot][col]) > 1e-12 else { return nil }
            a.swapAt(col, pivot)
            for row in 0 ..< m where row != col {
                let factor = a[row][col] / a[col][col]
                for k in col ... m { a[row][k] -= factor * a[col][k] }
            }
        }
        return (0 ..< m).map { a[$0][m] / a[$0][$0] }
    }

    func randomProblem(_ n: Int, seed: UInt64) -> (points: [[Float]], labels: [Double]) {
        var generator = SplitMix64(seed: seed)
        let points = (0 ..< n).map { _ in [generator.nextUnitFloat() * 4 - 2, generator.nextUnitFloat() * 4 - 2] }
        // Labels from a noisy circle, so that some points sit on the wrong side (α = C).
        var labels = points.map { p in p[0] * p[0] + p[1] * p[1] + (generator.nextUnitFloat() - 0.5) * 2 < 2 ? 1.0 : -1.0 }
        labels[0] = 1
        labels[1] = -1
        return (points, labels)
    }

    @Test(arguments: [(UInt64(1), 0.5), (2, 1), (3, 10), (4, 100), (5, 3)])
    func smoFindsTheBruteForceOptimum(seed: UInt64, C: Double) {
        let (points, labels) = randomProblem(8, seed: seed)
        let kernel = PrecomputedKernel(.rbf(gamma: 0.7), features: points)
        let exact = bruteForce(labels, kernel, C: C)
        let solution = SMOSolver(labels: labels, configuration: .init(C: C, tolerance: 1e-7)).solve(kernel)
        #expect(!solution.reachedIterationCap)
        #expect(abs(objective(solution.alpha, labels, kernel) - exact.objective) < 1e-6, "seed \(seed)")
        for t in labels.indices {
            #expect(abs(solution.alpha[t] - exact.alpha[t]) < 1e-4 * max(1, C), "seed \(seed), α_\(t)")
        }
    }

    @Test func separableToySetHasTheKnownMargin() {
        // Classes either side of x = 0; the nearest points sit at x = ±1, so the widest margin
        // is the line x = 0 with w = (1, 0), b = 0 and functional margin 1 at x = ±1.
        let points: [[Float]] = [[-3, 0], [-1, 1], [-1, -1], [-2, 2], [1, 1], [1, -1], [2, 0], [3, -2]]
        let labels: [Double] = [-1, -1, -1, -1, 1, 1, 1, 1]
        let kernel = PrecomputedKernel(.linear, features: points)
        let solution = SMOSolver(labels: labels, configuration: .init(C: 1000, tolerance: 1e-6)).solve(kernel)
        let w = (0 ..< 2).map { d in labels.indices.reduce(0.0) { $0 + labels[$1] * solution.alpha[$1] * Double(points[$1][d]) } }
        #expect(abs(w[0] - 1) < 1e-5 && abs(w[1]) < 1e-5, "w = \(w)")
        #expect(abs(solution.bias) < 1e-5)
        for t in [0, 3, 6, 7] { #expect(solution.alpha[t] == 0, "point \(t) is not on the margin") }
        for t in labels.indices {
            let margin = labels[t] * (zip(w, points[t]).reduce(0) { $0 + $1.0 * Double($1.1) } + solution.bias)
            #expect(margin > 1 - 1e-5, "point \(t)")
        }
    }

    @Test func solutionOnAnMNISTPairMeetsTheKKTConditions() throws {
        let (sample, _) = try TestData.mnistSample(training: 3000, test: 0)
        let chosen = sample.labels.indices.filter { sample.labels[$0] == 4 || sample.labels[$0] == 9 }
        let all = sample.images.features
        let features = chosen.map { Array(all.row($0)) }
        let labels = chosen.map { sample.labels[$0] == 4 ? 1.0 : -1.0 }
        let kernel = PrecomputedKernel(.rbf(gamma: 0.05), features: features)
        let C = 5.0, tolerance = 1e-3
        let solution = SMOSolver(labels: labels, configuration: .init(C: C, tolerance: tolerance)).solve(kernel)
        #expect(!solution.reachedIterationCap && solution.gap < tolerance)
        // Feasible: inside the box, and Σ y_t α_t = 0.
        #expect(solution.alpha.allSatisfy { $0 >= 0 && $0 <= C })
        #expect(abs(zip(solution.alpha, labels).reduce(0) { $0 + $1.0 * $1.1 }) < 1e-9 * Double(labels.count) * C)
        // Optimal to within the tolerance: no sample of I_up has a residual more than ε above
        // any sample of I_low, and every free α sits on the margin, y_t f(x_t) = 1.
        let r = residuals(solution.alpha, labels, kernel)
        let up = labels.indices.filter { labels[$0] > 0 ? solution.alpha[$0] < C : solution.alpha[$0] > 0 }
        let low = labels.indices.filter { labels[$0] > 0 ? solution.alpha[$0] > 0 : solution.alpha[$0] < C }
        let slack = 1e-4   // float32 kernel rows, accumulated over the iterations
        #expect(up.map { r[$0] }.max()! - low.map { r[$0] }.min()! < tolerance + slack)
        for t in labels.indices where solution.alpha[t] > 0 && solution.alpha[t] < C {
            #expect(abs(r[t] - solution.bias) < tolerance + slack, "free sample \(t)")
        }
        let supportVectors = solution.alpha.count { $0 > 0 }
        #expect(supportVectors > 10 && supportVectors < labels.count)
    }

    @Test func iterationCapIsReported() {
        let (points, labels) = randomProblem(40, seed: 9)
        let solution = SMOSolver(labels: labels, configuration: .init(C: 10, tolerance: 1e-9, maxIterations: 3))
            .solve(PrecomputedKernel(.rbf(gamma: 0.5), features: points))
        #expect(solution.reachedIterationCap && solution.iterations == 3 && solution.gap > 1e-9)
    }

    /// The selection the row cache's prefetch list uses, against sorting everything: items
    /// with many equal keys (ties broken by index, as the solver's order does), counts from
    /// none to all, on both sides of the point where it sorts instead of selecting.
    @Test(arguments: [UInt64(1), 2, 3])
    func firstInOrderIsTheSortedPrefix(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        for n in [0, 1, 7, 100, 1000] {
            let keys = (0 ..< n).map { _ in Double(generator.next() % 13) }   // few distinct values: many ties
            let items = (0 ..< n).filter { _ in generator.next() % 4 != 0 }.shuffled(using: &generator)
            let precedes = { (s: Int, t: Int) in (keys[s], -s) > (keys[t], -t) }
            for count in Set([0, 1, 2, items.count / 4 - 1, items.count / 4, items.count / 2, items.count, items.count + 3]) where count >= 0 {
                let expected = Array(items.sorted(by: precedes).prefix(count))
                #expect(firstInOrder(count, of: items, by: precedes) == expected, "n \(n), count \(count)")
            }
        }
    }
}
