import Foundation

/// SplitMix64, the seeding generator of Steele, Lea and Flood, "Fast splittable pseudorandom
/// number generators" (OOPSLA 2014).
///
/// Every random choice in the package comes from a generator of this type made from the run's
/// `--seed`, so a run is reproducible from its seed alone. Independent streams (one per fold,
/// per tree, per class pair) come from ``init(seed:stream:)``, never from a shared generator,
/// which is what keeps results independent of how work is spread over threads.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for substream `stream` of `seed`: distinct streams are decorrelated by
    /// passing both through the SplitMix64 finaliser.
    public init(seed: UInt64, stream: UInt64) {
        state = SplitMix64.mix(SplitMix64.mix(seed) ^ SplitMix64.mix(stream &+ 0x632B_E59B_D9B4_E019))
    }

    /// A seed for substream `stream` of `seed`, for handing to code that takes a seed.
    public static func derive(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: seed, stream: stream)
        return generator.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// A uniform `Float` in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform integer in `0 ..< bound` (Lemire's nearly divisionless method via the
    /// standard library).
    public mutating func nextInt(below bound: Int) -> Int {
        Int.random(in: 0 ..< bound, using: &self)
    }

    /// A standard normal sample (Box–Muller).
    public mutating func nextGaussian() -> Double {
        let u1 = Double(next() >> 11) * 0x1.0p-53
        let u2 = Double(next() >> 11) * 0x1.0p-53
        let radius = (-2 * log(max(u1, 0x1.0p-60))).squareRoot()
        return radius * cos(2 * Double.pi * u2)
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
