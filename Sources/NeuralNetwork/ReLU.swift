import BenchCore

/// max(x, 0), elementwise.
public struct ReLU: Layer {
    public let inputShape: Shape
    public var outputShape: Shape { inputShape }
    public var name: String { "ReLU" }
    public var parameterCount: Int { 0 }

    public init(_ shape: Shape) { inputShape = shape }

    public func initialise(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout SplitMix64) {}

    public func forward(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int,
                        parameters: UnsafePointer<Float>, scratch: Scratch) {
        for i in 0 ..< batch * inputShape.count { output[i] = max(input[i], 0) }
    }

    // dx = dy where the output was positive, else 0
    public func backward(_ input: UnsafePointer<Float>, _ output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, parameters: UnsafePointer<Float>,
                         parameterGradient: UnsafeMutablePointer<Float>, scratch: Scratch) {
        guard let inputGradient else { return }
        for i in 0 ..< batch * inputShape.count { inputGradient[i] = output[i] > 0 ? outputGradient[i] : 0 }
    }
}
