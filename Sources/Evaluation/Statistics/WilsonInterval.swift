import Foundation

/// The Wilson score interval for a binomial proportion (E. B. Wilson, "Probable inference, the
/// law of succession, and statistical inference", JASA 22(158), 1927; recommended over the
/// normal "Wald" interval by Brown, Cai and DasGupta, Statistical Science 16(2), 2001):
///
///     centre = (p̂ + z²/2n) / (1 + z²/n),   half-width = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²)
///
/// with p̂ = successes / n and z the standard normal quantile (1.959964 for 95%). It stays
/// inside 0…1 and is sensible at p̂ = 0 and p̂ = 1, where the Wald interval collapses. The
/// same as statsmodels' `proportion_confint(count, nobs, alpha=0.05, method="wilson")`.
/// docs/statistics.md states it with the other tests.
public struct WilsonInterval: Sendable, Equatable {
    public let low: Double
    public let high: Double

    /// z for a two-sided 95% interval: Φ⁻¹(0.975).
    public static let z95 = 1.959963984540054

    /// The interval for `successes` of `trials`; (0, 1) when there are no trials.
    public init(successes: Int, trials: Int, z: Double = WilsonInterval.z95) {
        guard trials > 0 else { (low, high) = (0, 1); return }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        // At p̂ = 0 and p̂ = 1 the interval reaches the bound exactly (centre ∓ half-width is 0 or
        // 1 in exact arithmetic); say so rather than leave the rounding.
        low = successes <= 0 ? 0 : max(0, centre - half)
        high = successes >= trials ? 1 : min(1, centre + half)
    }
}
