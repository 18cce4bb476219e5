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
        step += 1
        // Bias corrections as factors, so each element costs one division and one square root.
        let scale1 = 1 / (1 - Float(Foundation.pow(Double(beta1), Double(step))))
        let scale2 = 1 / (1 - Float(Foundation.pow(Double(beta2), Double(step))))
        let (b1, b2, rate, decay, eps) = (beta1, beta2, learningRate, weightDecay, epsilon)
        let parts = gradientParts.map { SharedReads(UnsafeBufferPointer(start: $0, count: parameters.count)) }
        let count = parameters.count, piece = 16_384
        parameters.withUnsafeMutableBufferPointer { pBuffer in
            firstMoment.withUnsafeMutableBufferPointer { mBuffer in
                secondMoment.withUnsafeMutableBufferPointer { vBuffer in
                    let (p, m, v) = (DisjointWrites(pBuffer), DisjointWrites(mBuffer), DisjointWrites(vBuffer))
                    parallelFor((count + piece - 1) / piece, threads: count < 4 * piece ? 1 : threads) { index in
                        let lower = index * piece, upper = min(lower + piece, count)
                        var i = lower
                        func gradient8(_ i: Int) -> SIMD8<Float> {
                            var sum = UnsafeRawPointer(parts[0].buffer.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                            for part in parts.dropFirst() {
                                sum += UnsafeRawPointer(part.buffer.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
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
                            let step = (m8 * scale1) / ((v8 * scale2).squareRoot() + eps)
                            mp.storeBytes(of: m8, as: SIMD8<Float>.self)
                            vp.storeBytes(of: v8, as: SIMD8<Float>.self)
                            pp.storeBytes(of: p8 - rate * (step + decay * p8), as: SIMD8<Float>.self)
                            i += 8
                        }
                        while i < upper {
                            var g: Float = 0
                            for part in parts { g += part.buffer[i] }
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
