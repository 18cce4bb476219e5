import BenchCore
import LinearAlgebra

/// A fully connected layer: y = x W + b, with W stored `inputs × outputs`.
public struct Dense: Layer {
    public let inputShape: Shape
    public let outputShape: Shape
    public var name: String { "dense \(inputShape.count)→\(outputShape.count)" }
    public var parameterCount: Int { inputShape.count * outputShape.count + outputShape.count }

    public init(inputs: Shape, outputs: Int) {
        inputShape = inputs
        outputShape = Shape(features: outputs)
    }

    public func initialise(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout SplitMix64) {
        let weights = inputShape.count * outputShape.count
        heInitialise(UnsafeMutableBufferPointer(rebasing: parameters[0 ..< weights]), fanIn: inputShape.count, using: &generator)
        for i in weights ..< parameters.count { parameters[i] = 0 }
    }

    // input is (B, I), output is (B, O), W is (I, O), b is (O)
    public func forward(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int,
                        parameters: UnsafePointer<Float>, scratch: Scratch) {
        let (i, o) = (inputShape.count, outputShape.count)
        fillRows(output, rows: batch, with: parameters + i * o, count: o)
        sgemm(MatrixOperand(input, rows: batch, columns: i), MatrixOperand(parameters, rows: i, columns: o),
              into: MatrixDestination(output, rows: batch, columns: o), beta: 1)
    }

    // dW (I, O) += xᵀ dy; db (O) += Σ dy; dx (B, I) = dy Wᵀ
    public func backward(_ input: UnsafePointer<Float>, _ output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, parameters: UnsafePointer<Float>,
                         parameterGradient: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let (i, o) = (inputShape.count, outputShape.count)
        sgemm(MatrixOperand(input, rows: i, columns: batch, transposed: true), MatrixOperand(outputGradient, rows: batch, columns: o),
              into: MatrixDestination(parameterGradient, rows: i, columns: o), beta: 1)
        addColumnSums(outputGradient, rows: batch, columns: o, into: parameterGradient + i * o)
        if let inputGradient {
            sgemm(MatrixOperand(outputGradient, rows: batch, columns: o), MatrixOperand(parameters, rows: o, columns: i, transposed: true),
                  into: MatrixDestination(inputGradient, rows: batch, columns: i))
        }
    }
}
