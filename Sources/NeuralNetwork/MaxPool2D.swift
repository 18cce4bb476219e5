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
                        for offset in [c, w * c, w * c + c] {
                            let candidate = load(source + at + offset)
                            let better = candidate .> best
                            best.replace(with: candidate, where: better)
                            position.replace(with: SIMD8<Int32>(repeating: Int32(at + offset)) &+ lanes, where: better)
                        }
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

    // dx = dy at the position of each maximum, 0 elsewhere
    public func backward(_ input: UnsafePointer<Float>, _ output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, parameters: UnsafePointer<Float>,
                         parameterGradient: UnsafeMutablePointer<Float>, scratch: Scratch) {
        guard let inputGradient else { return }
        let winners = UnsafeMutableRawPointer(scratch.buffer(0, count: batch * outputShape.count)).assumingMemoryBound(to: Int32.self)
        inputGradient.update(repeating: 0, count: batch * inputShape.count)
        for b in 0 ..< batch {
            let gradient = inputGradient + b * inputShape.count
            let winner = winners + b * outputShape.count, upstream = outputGradient + b * outputShape.count
            for i in 0 ..< outputShape.count { gradient[Int(winner[i])] += upstream[i] }
        }
    }
}

private let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)

@inline(__always)
private func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}
