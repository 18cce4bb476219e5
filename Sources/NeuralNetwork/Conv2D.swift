import BenchCore
import LinearAlgebra

/// A 2-D convolution (cross-correlation, as in every deep-learning library) with a square
/// kernel, stride 1 and no padding ("valid"), computed as im2col + GEMM
/// (Chellapilla, Puri and Simard, "High performance convolutional neural networks for
/// document processing", 2006).
///
/// Channels-last layout: an output position's channels are one row of the GEMM's result,
/// so `(positions × k·k·C) · (k·k·C × filters)` writes the output directly.
public struct Conv2D: Layer {
    public let inputShape: Shape
    public let outputShape: Shape
    public let kernel: Int
    public var name: String { "conv \(kernel)×\(kernel), \(outputShape.channels)" }
    /// Weights `k·k·C × filters` (rows ordered dy, dx, c), then `filters` biases.
    public var parameterCount: Int { patch * outputShape.channels + outputShape.channels }
    var patch: Int { kernel * kernel * inputShape.channels }

    public init(input: Shape, filters: Int, kernel: Int = 3) {
        precondition(input.height >= kernel && input.width >= kernel, "Conv2D: input \(input) smaller than the kernel")
        inputShape = input
        self.kernel = kernel
        outputShape = Shape(height: input.height - kernel + 1, width: input.width - kernel + 1, channels: filters)
    }

    public func initialise(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout SplitMix64) {
        let weights = patch * outputShape.channels
        heInitialise(UnsafeMutableBufferPointer(rebasing: parameters[0 ..< weights]), fanIn: patch, using: &generator)
        for i in weights ..< parameters.count { parameters[i] = 0 }
    }

    /// Copies every k × k × C patch of the batch into one row: (B·H'·W') × (k·k·C).
    func im2col(_ input: UnsafePointer<Float>, batch: Int, into columns: UnsafeMutablePointer<Float>) {
        let (w, c) = (inputShape.width, inputShape.channels)
        let (oh, ow) = (outputShape.height, outputShape.width)
        var row = columns
        for b in 0 ..< batch {
            let image = input + b * inputShape.count
            for y in 0 ..< oh {
                for x in 0 ..< ow {
                    for dy in 0 ..< kernel {
                        // The kernel's row dy covers k consecutive positions: k·C contiguous floats.
                        row.update(from: image + ((y + dy) * w + x) * c, count: kernel * c)
                        row += kernel * c
                    }
                }
            }
        }
    }

    // input is (B, H, W, C), output is (B, H-k+1, W-k+1, F)
    public func forward(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int,
                        parameters: UnsafePointer<Float>, scratch: Scratch) {
        let positions = batch * outputShape.height * outputShape.width, filters = outputShape.channels
        let columns = scratch.buffer(0, count: positions * patch)
        im2col(input, batch: batch, into: columns)
        fillRows(output, rows: positions, with: parameters + patch * filters, count: filters)
        sgemm(MatrixOperand(columns, rows: positions, columns: patch), MatrixOperand(parameters, rows: patch, columns: filters),
              into: MatrixDestination(output, rows: positions, columns: filters), beta: 1)
    }

    // dW (kkC, F) += colsᵀ dy; db += Σ dy; dcols = dy Wᵀ, scattered back (col2im) into dx.
    // cols is the patch matrix forward left in the scratch.
    public func backward(_ input: UnsafePointer<Float>, _ output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, parameters: UnsafePointer<Float>,
                         parameterGradient: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let positions = batch * outputShape.height * outputShape.width, filters = outputShape.channels
        // The patch matrix that forward left in slot 0.
        let columns = scratch.buffer(0, count: positions * patch)
        sgemm(MatrixOperand(columns, rows: patch, columns: positions, transposed: true),
              MatrixOperand(outputGradient, rows: positions, columns: filters),
              into: MatrixDestination(parameterGradient, rows: patch, columns: filters), beta: 1)
        addColumnSums(outputGradient, rows: positions, columns: filters, into: parameterGradient + patch * filters)
        guard let inputGradient else { return }
        let columnGradient = scratch.buffer(1, count: positions * patch)
        sgemm(MatrixOperand(outputGradient, rows: positions, columns: filters),
              MatrixOperand(parameters, rows: filters, columns: patch, transposed: true),
              into: MatrixDestination(columnGradient, rows: positions, columns: patch))
        // col2im: every patch row adds back into the input positions it was copied from.
        let (w, c) = (inputShape.width, inputShape.channels)
        let (oh, ow) = (outputShape.height, outputShape.width)
        inputGradient.update(repeating: 0, count: batch * inputShape.count)
        var row = UnsafePointer(columnGradient)
        for b in 0 ..< batch {
            let image = inputGradient + b * inputShape.count
            for y in 0 ..< oh {
                for x in 0 ..< ow {
                    for dy in 0 ..< kernel {
                        let target = image + ((y + dy) * w + x) * c
                        for i in 0 ..< kernel * c { target[i] += row[i] }
                        row += kernel * c
                    }
                }
            }
        }
    }

    /// The convolution written directly from its definition: the reference the im2col + GEMM
    /// path is tested against.
    public func referenceForward(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int,
                                 parameters: UnsafePointer<Float>) {
        let (w, c) = (inputShape.width, inputShape.channels)
        let (oh, ow, filters) = (outputShape.height, outputShape.width, outputShape.channels)
        for b in 0 ..< batch {
            for y in 0 ..< oh {
                for x in 0 ..< ow {
                    for f in 0 ..< filters {
                        var sum = parameters[patch * filters + f]
                        for dy in 0 ..< kernel {
                            for dx in 0 ..< kernel {
                                for k in 0 ..< c {
                                    let weight = parameters[((dy * kernel + dx) * c + k) * filters + f]
                                    sum += input[b * inputShape.count + ((y + dy) * w + (x + dx)) * c + k] * weight
                                }
                            }
                        }
                        output[b * outputShape.count + (y * ow + x) * filters + f] = sum
                    }
                }
            }
        }
    }
}
