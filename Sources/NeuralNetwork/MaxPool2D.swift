import BenchCore

/// 2 × 2 max pooling with stride 2 (a trailing odd row or column is dropped, as PyTorch's
/// default floor mode does).
public struct MaxPool2D: Layer {
    public let inputShape: Shape
    public let outputShape: Shape
    public var name: String { "max-pool 2×2" }
    public var parameterCount: Int { 0 }

    public init(_ input: Shape) {
        inputShape = input
        outputShape = Shape(height: input.height / 2, width: input.width / 2, channels: input.channels)
    }

    public func initialise(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout SplitMix64) {}

    /// Each image's windows are its own; the winners are kept per call, in its scratch.
    public var splitsBatchesExactly: Bool { true }

    // input is (B, H, W, C), output is (B, H/2, W/2, C); the position of each maximum (the
    // first in scan order on ties) is left in the scratch for backward
    public func forward(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int,
                        parameters: UnsafePointer<Float>, scratch: Scratch) {
        let (w, c) = (inputShape.width, inputShape.channels)
        let (oh, ow) = (outputShape.height, outputShape.width)
        let winners = UnsafeMutableRawPointer(scratch.buffer(0, count: batch * outputShape.count)).assumingMemoryBound(to: Int32.self)
        for b in 0 ..< batch {
            let source = input + b * inputShape.count, target = output + b * outputShape.count
            let winner = winners + b * outputShape.count
            for y in 0 ..< oh {
                for x in 0 ..< ow {
                    let corner = ((2 * y) * w + 2 * x) * c
                    let out = (y * ow + x) * c
                    // Eight channels at a time, by selects rather than branches (a branch per
                    // comparison mispredicts half the time on real activations): the same
                    // maxima and winners as the scalar loop below, first in scan order on ties.
                    var k = 0
                    while k + 8 <= c {
                        let at = corner + k
                        var best = load(source + at), position = SIMD8<Int32>(repeating: Int32(at)) &+ lanes
                        // The other three corners in scan order, written out (a loop over an
                        // array literal of offsets here was not unrolled).
                        @inline(__always) func challenge(_ offset: Int) {
                            let candidate = load(source + at + offset)
                            let better = candidate .> best
                            best.replace(with: candidate, where: better)
                            position.replace(with: SIMD8<Int32>(repeating: Int32(at + offset)) &+ lanes, where: better)
                        }
                        challenge(c)
                        challenge(w * c)
                        challenge(w * c + c)
                        UnsafeMutableRawPointer(target + out + k).storeBytes(of: best, as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(winner + out + k).storeBytes(of: position, as: SIMD8<Int32>.self)
                        k += 8
                    }
                    for k in k ..< c {
                        let at = corner + k
                        var best = source[at], position = at
                        if source[at + c] > best { best = source[at + c]; position = at + c }
                        if source[at + w * c] > best { best = source[at + w * c]; position = at + w * c }
                        if source[at + w * c + c] > best { best = source[at + w * c + c]; position = at + w * c + c }
                        target[out + k] = best
                        winner[out + k] = Int32(position)
                    }
                }
            }
        }
    }

    // dx = dy at the position of each maximum, 0 elsewhere. Each input position lies in at
    // most one window, so every window's four gradients are written at once (the winner's
    // 0 + dy, the others 0), each input value once; only a trailing odd row or column, in no
    // window, needs zeroing beforehand.
    public func backward(_ input: UnsafePointer<Float>, _ output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, parameters: UnsafePointer<Float>,
                         parameterGradient: UnsafeMutablePointer<Float>, scratch: Scratch) {
        guard let inputGradient else { return }
        let (w, c) = (inputShape.width, inputShape.channels)
        let (oh, ow) = (outputShape.height, outputShape.width)
        let winners = UnsafeMutableRawPointer(scratch.buffer(0, count: batch * outputShape.count)).assumingMemoryBound(to: Int32.self)
        if inputShape.height % 2 == 1 || inputShape.width % 2 == 1 {
            inputGradient.update(repeating: 0, count: batch * inputShape.count)
        }
        let zero = SIMD8<Float>()
        for b in 0 ..< batch {
            let gradient = inputGradient + b * inputShape.count
            let winner = winners + b * outputShape.count, upstream = outputGradient + b * outputShape.count
            for y in 0 ..< oh {
                for x in 0 ..< ow {
                    let corner = ((2 * y) * w + 2 * x) * c
                    let out = (y * ow + x) * c
                    var k = 0
                    while k + 8 <= c {
                        let at = corner + k
                        // 0 + dy, as adding into a zeroed gradient gives (a −0 becomes +0).
                        let value = zero + load(upstream + out + k)
                        let won = UnsafeRawPointer(winner + out + k).loadUnaligned(as: SIMD8<Int32>.self)
                        let base = SIMD8<Int32>(repeating: Int32(at)) &+ lanes, target = UnsafeMutableRawPointer(gradient + at)
                        target.storeBytes(of: zero.replacing(with: value, where: won .== base), as: SIMD8<Float>.self)
                        target.storeBytes(of: zero.replacing(with: value, where: won .== base &+ Int32(c)),
                                          toByteOffset: 4 * c, as: SIMD8<Float>.self)
                        target.storeBytes(of: zero.replacing(with: value, where: won .== base &+ Int32(w * c)),
                                          toByteOffset: 4 * w * c, as: SIMD8<Float>.self)
                        target.storeBytes(of: zero.replacing(with: value, where: won .== base &+ Int32(w * c + c)),
                                          toByteOffset: 4 * (w * c + c), as: SIMD8<Float>.self)
                        k += 8
                    }
                    for k in k ..< c {
                        let at = corner + k, won = Int(winner[out + k]), value = 0 + upstream[out + k]
                        gradient[at] = won == at ? value : 0
                        gradient[at + c] = won == at + c ? value : 0
                        gradient[at + w * c] = won == at + w * c ? value : 0
                        gradient[at + w * c + c] = won == at + w * c + c ? value : 0
                    }
                }
            }
        }
    }
}

private let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)

@inline(__always)
private func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}
