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
        var input = wellSeparated(batch * layer.inputShape.count, &generator)
        var parameters = random(max(layer.parameterCount, 1), &generator, scale: 0.5)
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
        let h: Float = 1e-2
        for i in input.indices {
            let saved = input[i]
            input[i] = saved + h; let up = loss(input, parameters)
            input[i] = saved - h; let down = loss(input, parameters)
            input[i] = saved
            let numeric = (up - down) / Double(2 * h)
            #expect(abs(numeric - Double(inputGradient[i])) < 2e-3 * max(1, abs(numeric)),
                    "\(layer.name) seed \(seed): ∂L/∂input[\(i)] is \(inputGradient[i]), finite difference \(numeric)", sourceLocation: sourceLocation)
        }
        for i in 0 ..< layer.parameterCount {
            let saved = parameters[i]
            parameters[i] = saved + h; let up = loss(input, parameters)
            parameters[i] = saved - h; let down = loss(input, parameters)
            parameters[i] = saved
            let numeric = (up - down) / Double(2 * h)
            #expect(abs(numeric - Double(parameterGradient[i])) < 2e-3 * max(1, abs(numeric)),
                    "\(layer.name) seed \(seed): ∂L/∂parameter[\(i)] is \(parameterGradient[i]), finite difference \(numeric)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func dense(seed: UInt64) { check(Dense(inputs: Shape(features: 7), outputs: 5), batch: 3, seed: seed) }

    @Test(arguments: [UInt64(1), 2, 3])
    func convolution(seed: UInt64) {
        check(Conv2D(input: Shape(height: 6, width: 5, channels: 2), filters: 3), seed: seed)
    }

    // ReLU and max pooling are piecewise linear: the inputs keep clear of their kinks and ties.
    @Test(arguments: [UInt64(1), 2, 3])
    func relu(seed: UInt64) { check(ReLU(Shape(height: 3, width: 3, channels: 2)), seed: seed) }

    @Test(arguments: [UInt64(1), 2, 3])
    func maxPool(seed: UInt64) { check(MaxPool2D(Shape(height: 5, width: 4, channels: 3)), seed: seed) }
}
