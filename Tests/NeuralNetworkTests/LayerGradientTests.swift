import BenchCore
import NeuralNetwork
import Testing

/// Every layer's backward against central finite differences of L = Σ output ⊙ R, for a
/// random projection R (so ∂L/∂output = R).
@Suite struct LayerGradientTests {
    func random(_ count: Int, _ generator: inout SplitMix64, scale: Float = 1) -> [Float] {
        (0 ..< count).map { _ in scale * (2 * generator.nextUnitFloat() - 1) }
    }

    /// Inputs that are all distinct by more than 0.04 and at least 0.02 away from 0, so no
    /// finite-difference step (h = 0.01) crosses a ReLU kink or changes a pooling maximum.
    func wellSeparated(_ count: Int, _ generator: inout SplitMix64) -> [Float] {
        var values = (0 ..< count).map { Float($0 - count / 2) * 0.05 + 0.025 }
        values.shuffle(using: &generator)
        return values
    }

    func check(_ layer: any Layer, batch: Int = 2, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
        var generator = SplitMix64(seed: seed)
        let input = wellSeparated(batch * layer.inputShape.count, &generator)
        let parameters = random(max(layer.parameterCount, 1), &generator, scale: 0.5)
        let projection = random(batch * layer.outputShape.count, &generator)
        let scratch = Scratch()
        func loss(_ input: [Float], _ parameters: [Float]) -> Double {
            var output = [Float](repeating: 0, count: batch * layer.outputShape.count)
            input.withUnsafeBufferPointer { x in
                parameters.withUnsafeBufferPointer { p in
                    output.withUnsafeMutableBufferPointer { y in
                        layer.forward(x.baseAddress!, y.baseAddress!, batch: batch, parameters: p.baseAddress!, scratch: scratch)
                    }
                }
            }
            return zip(output, projection).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        var output = [Float](repeating: 0, count: batch * layer.outputShape.count)
        var inputGradient = [Float](repeating: 0, count: input.count)
        var parameterGradient = [Float](repeating: 0, count: parameters.count)
        input.withUnsafeBufferPointer { x in
            parameters.withUnsafeBufferPointer { p in
                output.withUnsafeMutableBufferPointer { y in
                    layer.forward(x.baseAddress!, y.baseAddress!, batch: batch, parameters: p.baseAddress!, scratch: scratch)
                }
                output.withUnsafeBufferPointer { y in
                    projection.withUnsafeBufferPointer { r in
                        inputGradient.withUnsafeMutableBufferPointer { dx in
                            parameterGradient.withUnsafeMutableBufferPointer { dp in
                                layer.backward(x.baseAddress!, y.baseAddress!, outputGradient: r.baseAddress!, inputGradient: dx.baseAddress!,
                                               batch: batch, parameters: p.baseAddress!, parameterGradient: dp.baseAddress!, scratch: scratch)
                            }
                        }
                    }
                }
            }
        }
        /// Holds `analytic` to central differences of `loss` around `values`.
        func expectMatches(_ what: String, values: [Float], analytic: [Float], count: Int, loss: ([Float]) -> Double) {
            let h: Float = 1e-2
            var values = values
            for i in 0 ..< count {
                let saved = values[i]
                values[i] = saved + h; let up = loss(values)
                values[i] = saved - h; let down = loss(values)
                values[i] = saved
                let numeric = (up - down) / Double(2 * h)
                #expect(abs(numeric - Double(analytic[i])) < 2e-3 * max(1, abs(numeric)),
                        "\(layer.name) seed \(seed): ∂L/∂\(what)[\(i)] is \(analytic[i]), finite difference \(numeric)", sourceLocation: sourceLocation)
            }
        }
        expectMatches("input", values: input, analytic: inputGradient, count: input.count) { loss($0, parameters) }
        expectMatches("parameter", values: parameters, analytic: parameterGradient, count: layer.parameterCount) { loss(input, $0) }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func dense(seed: UInt64) { check(Dense(inputs: Shape(features: 7), outputs: 5), batch: 3, seed: seed) }

    @Test(arguments: [UInt64(1), 2, 3])
    func convolution(seed: UInt64) {
        check(Conv2D(input: Shape(height: 6, width: 5, channels: 2), filters: 3), seed: seed)
    }

    /// One input channel: the direct convolution, with 40 filters (a block of 32, a vector of
    /// 8) and 11 (a vector and 3 single filters); the input gradient through the GEMM path.
    @Test(arguments: [UInt64(1), 2])
    func directConvolution(seed: UInt64) {
        check(Conv2D(input: Shape(height: 6, width: 5, channels: 1), filters: 40), seed: seed)
        check(Conv2D(input: Shape(height: 5, width: 7, channels: 1), filters: 11), seed: seed)
        // Kernels of 4 and 5: the weight gradient's taps in threes, then one or two alone.
        check(Conv2D(input: Shape(height: 6, width: 7, channels: 1), filters: 33, kernel: 4), seed: seed)
        check(Conv2D(input: Shape(height: 7, width: 8, channels: 1), filters: 32, kernel: 5), seed: seed)
    }

    // ReLU and max pooling are piecewise linear: the inputs keep clear of their kinks and ties.
    @Test(arguments: [UInt64(1), 2, 3])
    func relu(seed: UInt64) { check(ReLU(Shape(height: 3, width: 3, channels: 2)), seed: seed) }

    @Test(arguments: [UInt64(1), 2, 3])
    func maxPool(seed: UInt64) {
        check(MaxPool2D(Shape(height: 5, width: 4, channels: 3)), seed: seed)
        // 11 channels: a vector of 8 by selects and 3 by the scalar loop.
        check(MaxPool2D(Shape(height: 4, width: 6, channels: 11)), seed: seed)
    }

    /// Max pooling's backward writes every input gradient (it no longer zeroes the buffer
    /// first and adds): into a buffer full of NaN it gives exactly dy at each window's maximum
    /// and 0 everywhere else, the dropped odd row or column included, with ties in the input
    /// going to the first in scan order, and −0 arriving as +0 as an addition into 0 gives.
    @Test(arguments: [(7, 6, 9), (6, 7, 16), (4, 4, 8), (5, 5, 3)])
    func maxPoolBackwardWritesEveryInputGradient(height: Int, width: Int, channels: Int) {
        let layer = MaxPool2D(Shape(height: height, width: width, channels: channels))
        var generator = SplitMix64(seed: UInt64(height * 100 + width * 10 + channels))
        let batch = 2
        // Few distinct values, so that windows have ties.
        let input = (0 ..< batch * layer.inputShape.count).map { _ in Float(generator.next() % 5) }
        var upstream = random(batch * layer.outputShape.count, &generator)
        upstream[0] = -0.0
        var output = [Float](repeating: 0, count: upstream.count)
        var gradient = [Float](repeating: .nan, count: input.count)
        let scratch = Scratch(), none = [Float](repeating: 0, count: 1)
        input.withUnsafeBufferPointer { x in
            none.withUnsafeBufferPointer { p in
                output.withUnsafeMutableBufferPointer { layer.forward(x.baseAddress!, $0.baseAddress!, batch: batch, parameters: p.baseAddress!, scratch: scratch) }
                var unused = [Float](repeating: 0, count: 1)
                output.withUnsafeBufferPointer { y in
                    upstream.withUnsafeBufferPointer { g in
                        gradient.withUnsafeMutableBufferPointer { dx in
                            unused.withUnsafeMutableBufferPointer { dp in
                                layer.backward(x.baseAddress!, y.baseAddress!, outputGradient: g.baseAddress!, inputGradient: dx.baseAddress!,
                                               batch: batch, parameters: p.baseAddress!, parameterGradient: dp.baseAddress!, scratch: scratch)
                            }
                        }
                    }
                }
            }
        }
        // The definition: zeros, then each window's dy added at its first maximum in scan order.
        var expected = [Float](repeating: 0, count: input.count)
        let (oh, ow, c) = (height / 2, width / 2, channels)
        for b in 0 ..< batch {
            for y in 0 ..< oh {
                for x in 0 ..< ow {
                    for k in 0 ..< c {
                        let corners = [(0, 0), (0, 1), (1, 0), (1, 1)].map { b * layer.inputShape.count + ((2 * y + $0.0) * width + 2 * x + $0.1) * c + k }
                        let first = corners.first { input[$0] == corners.map { input[$0] }.max()! }!
                        expected[first] += upstream[((b * oh + y) * ow + x) * c + k]
                    }
                }
            }
        }
        #expect(gradient.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    /// A bias's gradient is its output gradient summed over the batch and the positions, in
    /// order, onto what the gradient held: exactly the plain loop's floats (the layers sum 16
    /// columns at a time in registers), for 19, 37, 40 and 21 outputs (3, 5, 8 and 5 columns
    /// left after the 16-column blocks; the direct convolution, the im2col one, and a dense layer,
    /// whose `channels` argument is unused).
    @Test(arguments: [(0, 1, 19), (1, 3, 37), (2, 1, 40), (3, 0, 21)])
    func biasGradientIsThePlainSumBitForBit(layerKind: Int, channels: Int, outputs: Int) {
        let layer: any Layer = switch layerKind {
        case 0, 2: Conv2D(input: Shape(height: 7, width: 6, channels: channels), filters: outputs)
        case 1: Conv2D(input: Shape(height: 6, width: 7, channels: channels), filters: outputs)
        default: Dense(inputs: Shape(features: 11), outputs: outputs)
        }
        var generator = SplitMix64(seed: UInt64(100 + layerKind))
        let batch = 5
        let input = random(batch * layer.inputShape.count, &generator)
        let parameters = random(layer.parameterCount, &generator, scale: 0.5)
        let upstream = random(batch * layer.outputShape.count, &generator)
        let initial = random(layer.parameterCount, &generator)
        var gradient = initial
        var output = [Float](repeating: 0, count: upstream.count)
        let scratch = Scratch()
        input.withUnsafeBufferPointer { x in
            parameters.withUnsafeBufferPointer { p in
                output.withUnsafeMutableBufferPointer { layer.forward(x.baseAddress!, $0.baseAddress!, batch: batch, parameters: p.baseAddress!, scratch: scratch) }
                output.withUnsafeBufferPointer { y in
                    upstream.withUnsafeBufferPointer { g in
                        gradient.withUnsafeMutableBufferPointer { dp in
                            layer.backward(x.baseAddress!, y.baseAddress!, outputGradient: g.baseAddress!, inputGradient: nil,
                                           batch: batch, parameters: p.baseAddress!, parameterGradient: dp.baseAddress!, scratch: scratch)
                        }
                    }
                }
            }
        }
        let rows = upstream.count / outputs, weights = layer.parameterCount - outputs
        for f in 0 ..< outputs {
            var sum = initial[weights + f]
            for r in 0 ..< rows { sum += upstream[r * outputs + f] }
            #expect(gradient[weights + f].bitPattern == sum.bitPattern, "bias \(f)")
        }
    }
}
