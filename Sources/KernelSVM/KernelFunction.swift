import BenchCore
import Foundation

/// The kernel K(x, z) of the support vector machine, evaluated from the dot product x·z and
/// the squared norms ‖x‖², ‖z‖².
///
/// Every kernel here is a function of those three numbers, so a block of kernel values costs one
/// matrix product (the GEMM computes all the dot products at once) and one cheap pass over the
/// result. The RBF kernel uses ‖x − z‖² = ‖x‖² − 2x·z + ‖z‖².
public enum KernelFunction: Sendable, Equatable, CustomStringConvertible {
    /// exp(−γ‖x − z‖²), the Gaussian radial basis function.
    case rbf(gamma: Float)
    /// x·z.
    case linear
    /// (γ x·z + c₀)^degree.
    case polynomial(gamma: Float, coef0: Float, degree: Int)

    public var description: String {
        switch self {
        case .rbf(let gamma): "exp(-\(gamma)·‖x − z‖²)"
        case .linear: "x·z"
        case .polynomial(let gamma, let coef0, let degree): "(\(gamma)·x·z + \(coef0))^\(degree)"
        }
    }

    /// K(x, z) from x·z, ‖x‖² and ‖z‖²: the plain reference the vector code is tested against.
    public func value(dot: Float, squaredNorm x: Float, _ z: Float) -> Float {
        switch self {
        case .rbf(let gamma):
            // Rounding can make the expanded distance of near-equal images slightly negative.
            return exp(-gamma * max(0, x + z - 2 * dot))
        case .linear:
            return dot
        case .polynomial(let gamma, let coef0, let degree):
            return power(gamma * dot + coef0, degree)
        }
    }

    /// Turns `count` dot products x·z_t, in place, into K(x, z_t), given ‖x‖² and every ‖z_t‖².
    public func apply(to dots: UnsafeMutablePointer<Float>, count: Int, squaredNorm x: Float, _ z: UnsafePointer<Float>) {
        typealias V = SIMD8<Float>
        let lanes = V.scalarCount
        let whole = count / lanes * lanes
        switch self {
        case .rbf(let gamma):
            // exp(−γ·max(0, x + z − 2d)) = exp(min(0, 2γd − γ(x + z))).
            let g = V(repeating: gamma), twoG = V(repeating: 2 * gamma), xv = V(repeating: x)
            var t = 0
            while t < whole {
                let d = UnsafeRawPointer(dots + t).loadUnaligned(as: V.self)
                let zv = UnsafeRawPointer(z + t).loadUnaligned(as: V.self)
                let exponent = twoG * d - g * (xv + zv)
                UnsafeMutableRawPointer(dots + t).storeBytes(of: exponential(-rectified(-exponent)), as: V.self)
                t += lanes
            }
            for t in whole ..< count { dots[t] = value(dot: dots[t], squaredNorm: x, z[t]) }
        case .linear:
            return
        case .polynomial(let gamma, let coef0, let degree):
            let g = V(repeating: gamma), c = V(repeating: coef0)
            var t = 0
            while t < whole {
                let d = UnsafeRawPointer(dots + t).loadUnaligned(as: V.self)
                UnsafeMutableRawPointer(dots + t).storeBytes(of: power(g * d + c, degree), as: V.self)
                t += lanes
            }
            for t in whole ..< count { dots[t] = value(dot: dots[t], squaredNorm: x, z[t]) }
        }
    }
}

/// xⁿ by repeated squaring, for vectors or scalars.
@inline(__always)
private func power<V: FloatingPointLike>(_ x: V, _ n: Int) -> V {
    var result = V.one, base = x, n = n
    while n > 0 {
        if n & 1 == 1 { result = result * base }
        base = base * base
        n >>= 1
    }
    return result
}

/// What ``power(_:_:)`` needs: a one and a multiplication.
private protocol FloatingPointLike {
    static var one: Self { get }
    static func * (lhs: Self, rhs: Self) -> Self
}

extension Float: FloatingPointLike {
    static var one: Float { 1 }
}

extension SIMD8: FloatingPointLike where Scalar == Float {
    static var one: SIMD8<Float> { SIMD8(repeating: 1) }
}
