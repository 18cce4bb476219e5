/// A SIMD vector of `Float`s with the bit-level operation the vector exponential needs.
///
/// The standard library's SIMD types have no transcendental functions; ``exponential(_:)``
/// builds one from arithmetic that every SIMD type has, plus this one conversion.
public protocol FloatVector: SIMD, Sendable where Scalar == Float {
    /// 2ⁿ for each lane, whose values must be whole numbers in −126...127.
    ///
    /// Built without a float-to-integer conversion: n + 2²³ + 127 is a float in [2²³, 2²⁴)
    /// whose low mantissa bits hold the integer n + 127; shifting the bits left by 23 puts
    /// that integer in the exponent field (and shifts the rest out), which is 2ⁿ.
    static func powerOfTwo(_ n: Self) -> Self

    /// |x| for each lane, by clearing the sign bit.
    static func magnitude(_ x: Self) -> Self

    /// The largest lane. Unspecified when a lane is NaN (a NaN score has spoiled the loss anyway).
    ///
    /// The standard library's `max()` goes lane by lane through NaN checks, about 50 cycles
    /// for 16 lanes; this halves the vector at each step with ``lanewiseMaximum(_:_:)``.
    static func largestLane(_ x: Self) -> Float
}

/// The larger of `a` and `b` in each lane (`a` where either is NaN).
///
/// Written as a blend on `a .< b` for one concrete type, which compiles to one `vmaxps`; the
/// standard library's `pointwiseMax`, and the same blend written generically, compile to
/// lane-by-lane loops.
@inlinable @inline(__always)
public func lanewiseMaximum(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    a.replacing(with: b, where: a .< b)
}

@inlinable @inline(__always)
public func lanewiseMaximum(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> {
    a.replacing(with: b, where: a .< b)
}

@inlinable @inline(__always)
func largestLaneOfQuad(_ x: SIMD4<Float>) -> Float {
    let pair = lanewiseMaximum(x, SIMD4(x[2], x[3], x[0], x[1]))
    return Swift.max(pair[0], pair[1])
}

extension SIMD8: FloatVector where Scalar == Float {
    @inlinable @inline(__always)
    public static func powerOfTwo(_ n: Self) -> Self {
        unsafeBitCast(unsafeBitCast(n + 8_388_735, to: SIMD8<UInt32>.self) &<< 23, to: Self.self)
    }

    @inlinable @inline(__always)
    public static func magnitude(_ x: Self) -> Self {
        unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: Self.self)
    }

    @inlinable @inline(__always)
    public static func largestLane(_ x: Self) -> Float { largestLaneOfQuad(lanewiseMaximum(x.lowHalf, x.highHalf)) }
}

extension SIMD16: FloatVector where Scalar == Float {
    @inlinable @inline(__always)
    public static func powerOfTwo(_ n: Self) -> Self {
        unsafeBitCast(unsafeBitCast(n + 8_388_735, to: SIMD16<UInt32>.self) &<< 23, to: Self.self)
    }

    @inlinable @inline(__always)
    public static func magnitude(_ x: Self) -> Self {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: Self.self)
    }

    @inlinable @inline(__always)
    public static func largestLane(_ x: Self) -> Float {
        SIMD8<Float>.largestLane(lanewiseMaximum(x.lowHalf, x.highHalf))
    }
}

extension SIMD32: FloatVector where Scalar == Float {
    @inlinable @inline(__always)
    public static func powerOfTwo(_ n: Self) -> Self {
        unsafeBitCast(unsafeBitCast(n + 8_388_735, to: SIMD32<UInt32>.self) &<< 23, to: Self.self)
    }

    @inlinable @inline(__always)
    public static func magnitude(_ x: Self) -> Self {
        unsafeBitCast(unsafeBitCast(x, to: SIMD32<UInt32>.self) & 0x7FFF_FFFF, to: Self.self)
    }

    @inlinable @inline(__always)
    public static func largestLane(_ x: Self) -> Float {
        let (a, b) = (x.lowHalf, x.highHalf)
        return SIMD16<Float>.largestLane(SIMD16(lowHalf: lanewiseMaximum(a.lowHalf, b.lowHalf), highHalf: lanewiseMaximum(a.highHalf, b.highHalf)))
    }
}

extension SIMD64: FloatVector where Scalar == Float {
    @inlinable @inline(__always)
    public static func powerOfTwo(_ n: Self) -> Self {
        unsafeBitCast(unsafeBitCast(n + 8_388_735, to: SIMD64<UInt32>.self) &<< 23, to: Self.self)
    }

    @inlinable @inline(__always)
    public static func magnitude(_ x: Self) -> Self {
        unsafeBitCast(unsafeBitCast(x, to: SIMD64<UInt32>.self) & 0x7FFF_FFFF, to: Self.self)
    }

    @inlinable @inline(__always)
    public static func largestLane(_ x: Self) -> Float {
        let (a, b) = (x.lowHalf, x.highHalf)
        return SIMD32<Float>.largestLane(SIMD32(lowHalf: SIMD16(lowHalf: lanewiseMaximum(a.lowHalf.lowHalf, b.lowHalf.lowHalf),
                                                                highHalf: lanewiseMaximum(a.lowHalf.highHalf, b.lowHalf.highHalf)),
                                                highHalf: SIMD16(lowHalf: lanewiseMaximum(a.highHalf.lowHalf, b.highHalf.lowHalf),
                                                                 highHalf: lanewiseMaximum(a.highHalf.highHalf, b.highHalf.highHalf))))
    }
}

/// eˣ for every lane, to within about one unit in the last place for x in [−87.3, 88];
/// outside that range the result is clamped (about 8e-39 below, 2.4e38 above), never 0 or ∞.
///
/// The method of Cephes' `expf` (S. L. Moshier, *Methods and Programs for Mathematical
/// Functions*, 1989): write x = n·ln 2 + r with n whole and |r| ≤ ln 2 / 2, take eʳ from a
/// degree-6 polynomial, and scale by 2ⁿ built directly in the exponent bits. Calling the C
/// library's `expf` once per lane costs a function call and a store-to-load stall per lane;
/// this keeps the whole vector in registers.
///
/// Where it departs from Cephes: instead of clamping x (which needs comparisons, and the
/// standard library's SIMD comparisons go lane by lane), it clamps n to the normal exponents
/// −126...127, which is exact on whole numbers, and r to ±0.3466, which changes an in-range r
/// by less than an ulp. Out-of-range inputs then land on the clamped values above.
@inlinable @inline(__always)
public func exponential<V: FloatVector>(_ x: V) -> V {
    var n = (x * 1.442_695_04).rounded(.toNearestOrEven)
    n = V(repeating: -126) + rectified(n + 126)
    n = V(repeating: 127) - rectified(127 - n)
    // ln 2 split in two so that n · ln 2 is subtracted without rounding error.
    var r = x - n * 0.693_359_375
    r = r - n * -2.121_944_40e-4
    r = V(repeating: -0.3466) + rectified(r + 0.3466)
    r = V(repeating: 0.3466) - rectified(0.3466 - r)
    let r2 = r * r
    var p = V(repeating: 1.987_569_150_0e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * r2 + r + 1
    return p * V.powerOfTwo(n)
}

/// max(x, 0) for every lane, as x/2 + |x|/2: free of comparisons, and exact for every
/// finite x whose half is not subnormal (halving first keeps the largest floats finite).
@inlinable @inline(__always)
public func rectified<V: FloatVector>(_ x: V) -> V {
    x * 0.5 + V.magnitude(x) * 0.5
}
