import Foundation

/// The corrected resampled t-test of Nadeau and Bengio ("Inference for the generalization
/// error", Machine Learning 52(3), 2003) for two classifiers scored on the same J
/// cross-validation folds (k folds, possibly repeated r times: J = k·r).
///
/// With dⱼ the difference of the two accuracies on fold j, d̄ their mean and s² their sample
/// variance (divisor J − 1), the folds' training sets overlap, so the plain t statistic
/// d̄ / √(s²/J) is too large; the correction replaces 1/J by 1/J + n_test/n_train:
///
///     t = d̄ / √((1/J + n_test/n_train) · s²),   J − 1 degrees of freedom, two-sided p.
///
/// When every difference is the same, s² = 0: t is 0 and p is 1 if that difference is 0,
/// else t is ±∞ and p is 0.
public struct CorrectedResampledTTest: Sendable, Equatable {
    public let meanDifference: Double
    public let t: Double
    public let degreesOfFreedom: Int
    public let p: Double

    /// - Parameters:
    ///   - differences: first minus second accuracy, one per fold (at least two).
    ///   - testFraction: n_test / n_train of a fold (1/(k − 1) for k-fold).
    /// - Returns: `nil` for fewer than two folds.
    public init?(differences: [Double], testFraction: Double) {
        let j = differences.count
        guard j >= 2 else { return nil }
        let mean = differences.reduce(0, +) / Double(j)
        let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(j - 1)
        meanDifference = mean
        degreesOfFreedom = j - 1
        if variance == 0 {
            t = mean == 0 ? 0 : (mean > 0 ? .infinity : -.infinity)
            p = mean == 0 ? 1 : 0
        } else {
            t = mean / ((1 / Double(j) + testFraction) * variance).squareRoot()
            p = studentTwoSidedP(t, degreesOfFreedom: Double(j - 1))
        }
    }
}

/// P(|T| ≥ |t|) for Student's t with ν degrees of freedom: I_{ν/(ν+t²)}(ν/2, 1/2).
func studentTwoSidedP(_ t: Double, degreesOfFreedom nu: Double) -> Double {
    guard t.isFinite else { return 0 }
    return min(1, regularizedIncompleteBeta(nu / (nu + t * t), a: nu / 2, b: 0.5))
}

/// The regularized incomplete beta function I_x(a, b), by its continued fraction evaluated
/// with the modified Lentz method (Press et al., Numerical Recipes, 3rd ed., §6.4), using the
/// symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logBeta: Double = Foundation.lgamma(a + b) - Foundation.lgamma(a) - Foundation.lgamma(b)
    let logPowers: Double = a * log(x) + b * log(1 - x)
    let front = exp(logBeta + logPowers)
    if x > (a + 1) / (a + b + 2) { return 1 - front * betaContinuedFraction(1 - x, a: b, b: a) / b }
    return front * betaContinuedFraction(x, a: a, b: b) / a
}

private func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0, d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1 ... 10_000 {
        let m = Double(m)
        // Even step.
        var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1 + numerator * d; if abs(d) < tiny { d = tiny }
        c = 1 + numerator / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        h *= d * c
        // Odd step.
        numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1 + numerator * d; if abs(d) < tiny { d = tiny }
        c = 1 + numerator / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        let step = d * c
        h *= step
        if abs(step - 1) < 1e-15 { break }
    }
    return h
}
