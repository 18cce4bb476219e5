import BenchCore

/// max(x, 0), elementwise.
public struct ReLU: Layer {
    public let inputShape: Shape
    public var outputShape: Shape { inputShape }
    public var name: String { "ReLU" }
    public var parameterCount: Int { 0 }

    public init(_ shape: Shape) { inputShape = shape }

    public func initialise(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout SplitMix64) {}

    /// Elementwise.
    public var splitsBatchesExactly: Bool { true }

    public func forward(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int,
                        parameters: UnsafePointer<Float>, scratch: Scratch) {
        let count = batch * inputShape.count, whole = count / 8 * 8
        var i = 0
        while i < whole {
            let x = UnsafeRawPointer(input + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(output + i).storeBytes(of: x.replacing(with: 0, where: .!(x .> 0)), as: SIMD8<Float>.self)
            i += 8
        }
        for i in whole ..< count { output[i] = max(input[i], 0) }
    }

    // dx = dy where the output was positive, else 0
    public func backward(_ input: UnsafePointer<Float>, _ output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, parameters: UnsafePointer<Float>,
                         parameterGradient: UnsafeMutablePointer<Float>, scratch: Scratch) {
        guard let inputGradient else { return }
        let count = batch * inputShape.count, whole = count / 8 * 8
        var i = 0
        while i < whole {
            let y = UnsafeRawPointer(output + i).loadUnaligned(as: SIMD8<Float>.self)
            let g = UnsafeRawPointer(outputGradient + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(inputGradient + i).storeBytes(of: g.replacing(with: 0, where: .!(y .> 0)), as: SIMD8<Float>.self)
            i += 8
        }
        for i in whole ..< count { inputGradient[i] = output[i] > 0 ? outputGradient[i] : 0 }
    }
}
