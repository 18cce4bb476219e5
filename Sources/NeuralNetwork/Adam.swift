import BenchCore
import Foundation

/// Adam (Kingma and Ba, "Adam: a method for stochastic optimization", ICLR 2015), with
/// optional decoupled weight decay (Loshchilov and Hutter, "Decoupled weight decay
/// regularization", ICLR 2019), over one flat parameter buffer.
public struct Adam: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float = 1e-8
    public var weightDecay: Float
    private var firstMoment: [Float]
    private var secondMoment: [Float]
    private var step = 0

    public init(parameterCount: Int, learningRate: Float, beta1: Float, beta2: Float, weightDecay: Float) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.weightDecay = weightDecay
        firstMoment = [Float](repeating: 0, count: parameterCount)
        secondMoment = [Float](repeating: 0, count: parameterCount)
    }

    /// One update of `parameters` from `gradient`.
    public mutating func update(_ parameters: inout [Float], gradient: [Float]) {
        gradient.withUnsafeBufferPointer { g in
            update(&parameters, gradientParts: [g.baseAddress!], threads: 1)
        }
    }

    /// One update from the gradient Σ `gradientParts` (summed in the order given), on up to
    /// `threads` threads. The work is split into fixed ranges of parameters and every element
    /// is computed the same way, so the result does not depend on `threads`.
    public mutating func update(_ parameters: inout [Float], gradientParts: [UnsafePointer<Float>], threads: Int) {
        update(&parameters, gradientParts: gradientParts, threads: threads) { parallelFor($0, threads: $1, $2) }
    }

    /// The same update on the threads of `team` (the trainer's, awake between its loops).
    public mutating func update(_ parameters: inout [Float], gradientParts: [UnsafePointer<Float>], team: ThreadTeam) {
        update(&parameters, gradientParts: gradientParts, threads: team.size) { team.parallelFor($0, threads: $1, $2) }
    }

    private mutating func update(_ parameters: inout [Float], gradientParts: [UnsafePointer<Float>], threads: Int,
                                 loop: (_ count: Int, _ threads: Int, _ body: @Sendable (Int) -> Void) -> Void) {
        step += 1
        // Bias corrections as factors, so each element costs one division and one square root.
        let scale1 = 1 / (1 - Float(Foundation.pow(Double(beta1), Double(step))))
        let scale2 = 1 / (1 - Float(Foundation.pow(Double(beta2), Double(step))))
        let (b1, b2, rate, decay, eps) = (beta1, beta2, learningRate, weightDecay, epsilon)
        let count = parameters.count, piece = 16_384
        gradientParts.withUnsafeBufferPointer { partPointers in
        // The parts as one buffer of pointers, read in the loop without touching an array
        // (an array or slice there costs a retain and release per vector).
        let parts = SharedReads(partPointers), partCount = partPointers.count
        parameters.withUnsafeMutableBufferPointer { pBuffer in
            firstMoment.withUnsafeMutableBufferPointer { mBuffer in
                secondMoment.withUnsafeMutableBufferPointer { vBuffer in
                    let (p, m, v) = (DisjointWrites(pBuffer), DisjointWrites(mBuffer), DisjointWrites(vBuffer))
                    loop((count + piece - 1) / piece, count < 4 * piece ? 1 : threads) { index in
                        let lower = index * piece, upper = min(lower + piece, count)
                        var i = lower
                        @inline(__always) func gradient8(_ i: Int) -> SIMD8<Float> {
                            var sum = UnsafeRawPointer(parts.buffer[0] + i).loadUnaligned(as: SIMD8<Float>.self)
                            var part = 1
                            while part < partCount {
                                sum += UnsafeRawPointer(parts.buffer[part] + i).loadUnaligned(as: SIMD8<Float>.self)
                                part += 1
                            }
                            return sum
                        }
                        while i + 8 <= upper {
                            let g = gradient8(i)
                            let mp = UnsafeMutableRawPointer(m.buffer.baseAddress! + i), vp = UnsafeMutableRawPointer(v.buffer.baseAddress! + i)
                            let pp = UnsafeMutableRawPointer(p.buffer.baseAddress! + i)
                            let m8 = b1 * mp.loadUnaligned(as: SIMD8<Float>.self) + (1 - b1) * g
                            let v8 = b2 * vp.loadUnaligned(as: SIMD8<Float>.self) + (1 - b2) * g * g
                            let p8 = pp.loadUnaligned(as: SIMD8<Float>.self)
                            let step = (m8 * scale1) / (squareRoots(v8 * scale2) + eps)
                            mp.storeBytes(of: m8, as: SIMD8<Float>.self)
                            vp.storeBytes(of: v8, as: SIMD8<Float>.self)
                            pp.storeBytes(of: p8 - rate * (step + decay * p8), as: SIMD8<Float>.self)
                            i += 8
                        }
                        while i < upper {
                            var g: Float = 0
                            for part in 0 ..< partCount { g += parts.buffer[part][i] }
                            let m1 = b1 * m.buffer[i] + (1 - b1) * g
                            let v1 = b2 * v.buffer[i] + (1 - b2) * g * g
                            m.buffer[i] = m1
                            v.buffer[i] = v1
                            let step = (m1 * scale1) / ((v1 * scale2).squareRoot() + eps)
                            p.buffer[i] -= rate * (step + decay * p.buffer[i])
                            i += 1
                        }
                    }
                }
            }
        }
        }
    }
}

/// √x for finite x ≥ 0, lane by lane, to within a few units in the last place, in vector
/// instructions only: x · y for y ≈ 1/√x from the classic integer estimate (Lomont, "Fast
/// inverse square root", 2003, constant 0x5F375A86) refined by three Newton steps
/// y ← y (3/2 − x y²/2), each squaring the relative error (3.4% → 0.2% → 5·10⁻⁶ → rounding).
///
/// Why not `squareRoot()`: on Linux, Swift's `Float.squareRoot()` is the C library's `sqrtf`
/// (errno semantics), which LLVM keeps scalar, a call per lane: eight per vector made Adam's
/// update a quarter of the MLP's training time. Adam adds ε = 10⁻⁸ to the root, so its last
/// bits do not matter; the arithmetic is fixed, so results stay the same on any thread count.
/// (`x = 0` gives 0: the estimate is finite and x · y is 0.)
@inline(__always)
func squareRoots(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let bits = SIMD8<UInt32>(repeating: 0x5F37_5A86) &- (unsafeBitCast(x, to: SIMD8<UInt32>.self) &>> 1)
    var y = unsafeBitCast(bits, to: SIMD8<Float>.self)
    let half = 0.5 * x
    for _ in 0 ..< 3 { y = y * (1.5 - half * y * y) }
    return x * y
}
