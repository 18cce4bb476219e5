import BenchCore
import ConvolutionalNetwork
import MultilayerPerceptron
import NeuralNetwork
import TestSupport
import Testing

@Suite struct NetworkTests {
    /// The largest difference between `layer`'s forward pass and its definition
    /// (`referenceForward`) on 3 random images and random parameters from `seed`.
    func largestDifferenceFromTheDefinition(_ layer: Conv2D, seed: UInt64) -> Float {
        var generator = SplitMix64(seed: seed)
        let batch = 3
        let input = (0 ..< batch * layer.inputShape.count).map { _ in generator.nextUnitFloat() - 0.5 }
        let parameters = (0 ..< layer.parameterCount).map { _ in generator.nextUnitFloat() - 0.5 }
        var fast = [Float](repeating: 0, count: batch * layer.outputShape.count), plain = fast
        input.withUnsafeBufferPointer { x in
            parameters.withUnsafeBufferPointer { p in
                fast.withUnsafeMutableBufferPointer { layer.forward(x.baseAddress!, $0.baseAddress!, batch: batch, parameters: p.baseAddress!, scratch: Scratch()) }
                plain.withUnsafeMutableBufferPointer { layer.referenceForward(x.baseAddress!, $0.baseAddress!, batch: batch, parameters: p.baseAddress!) }
            }
        }
        return zip(fast, plain).map { abs($0 - $1) }.max()!
    }

    @Test(arguments: [UInt64(1), 2])
    func im2colConvolutionMatchesTheDirectDefinition(seed: UInt64) {
        let layer = Conv2D(input: Shape(height: 11, width: 9, channels: 4), filters: 7)
        let worst = largestDifferenceFromTheDefinition(layer, seed: seed)
        #expect(worst < 1e-5, "seed \(seed): off by \(worst)")
    }

    /// The direct single-channel convolution against the definition, for filter counts that
    /// use each of its paths (blocks of 32, vectors of 8, single filters), output widths even
    /// and odd (positions in pairs, and one left over), and kernels of 3 and 5.
    @Test(arguments: [5, 32, 37])
    func directConvolutionMatchesTheDefinition(filters: Int) {
        for (width, kernel) in [(10, 3), (11, 3), (11, 5)] {
            let layer = Conv2D(input: Shape(height: 12, width: width, channels: 1), filters: filters, kernel: kernel)
            #expect(layer.convolvesDirectly)
            let worst = largestDifferenceFromTheDefinition(layer, seed: UInt64(filters))
            #expect(worst < 1e-5, "\(filters) filters, width \(width), kernel \(kernel): off by \(worst)")
        }
    }

    /// A layer whose patch matrix is cut into slices (here one image per slice: 38 × 38
    /// positions × 144 values is more than the 512 KB a slice may hold) gives the outputs and
    /// gradients of the definition: dW = Σ patch ⊗ dy, db = Σ dy, dx = Σ W dy scattered back.
    @Test func slicedConvolutionMatchesPlainLoops() {
        let layer = Conv2D(input: Shape(height: 40, width: 40, channels: 16), filters: 3)
        #expect(layer.sliceImages == 1)
        let batch = 3, (k, c, f) = (3, 16, 3), (w, oh, ow) = (40, 38, 38)
        var generator = SplitMix64(seed: 9)
        let input = (0 ..< batch * layer.inputShape.count).map { _ in generator.nextUnitFloat() - 0.5 }
        let parameters = (0 ..< layer.parameterCount).map { _ in generator.nextUnitFloat() - 0.5 }
        let upstream = (0 ..< batch * layer.outputShape.count).map { _ in generator.nextUnitFloat() - 0.5 }
        var output = [Float](repeating: 0, count: upstream.count), plain = output
        var dx = [Float](repeating: 0, count: input.count), dp = [Float](repeating: 0, count: parameters.count)
        let scratch = Scratch()
        input.withUnsafeBufferPointer { x in
            parameters.withUnsafeBufferPointer { p in
                output.withUnsafeMutableBufferPointer { layer.forward(x.baseAddress!, $0.baseAddress!, batch: batch, parameters: p.baseAddress!, scratch: scratch) }
                plain.withUnsafeMutableBufferPointer { layer.referenceForward(x.baseAddress!, $0.baseAddress!, batch: batch, parameters: p.baseAddress!) }
                output.withUnsafeBufferPointer { y in
                    upstream.withUnsafeBufferPointer { g in
                        dx.withUnsafeMutableBufferPointer { dxp in
                            dp.withUnsafeMutableBufferPointer { dpp in
                                layer.backward(x.baseAddress!, y.baseAddress!, outputGradient: g.baseAddress!, inputGradient: dxp.baseAddress!,
                                               batch: batch, parameters: p.baseAddress!, parameterGradient: dpp.baseAddress!, scratch: scratch)
                            }
                        }
                    }
                }
            }
        }
        #expect(zip(output, plain).map { abs($0 - $1) }.max()! < 1e-4)
        // The gradients from their definitions, in double precision.
        var dW = [Double](repeating: 0, count: parameters.count), dX = [Double](repeating: 0, count: input.count)
        for b in 0 ..< batch {
            for y in 0 ..< oh {
                for x in 0 ..< ow {
                    for filter in 0 ..< f {
                        let g = Double(upstream[((b * oh + y) * ow + x) * f + filter])
                        dW[k * k * c * f + filter] += g
                        for dy in 0 ..< k {
                            for dxx in 0 ..< k {
                                for channel in 0 ..< c {
                                    let at = b * 40 * 40 * c + ((y + dy) * w + x + dxx) * c + channel
                                    let weight = ((dy * k + dxx) * c + channel) * f + filter
                                    dW[weight] += Double(input[at]) * g
                                    dX[at] += Double(parameters[weight]) * g
                                }
                            }
                        }
                    }
                }
            }
        }
        let worstWeight = zip(dp, dW).map { abs(Double($0) - $1) }.max()!
        let worstInput = zip(dx, dX).map { abs(Double($0) - $1) }.max()!
        #expect(worstWeight < 1e-3 && worstInput < 1e-4, "weights off by \(worstWeight), inputs by \(worstInput)")
    }

    @Test func networkGradientMatchesFiniteDifferencesThroughTheLoss() {
        let conv = Conv2D(input: Shape(height: 8, width: 8, channels: 1), filters: 2)
        let pool = MaxPool2D(conv.outputShape)
        let dense = Dense(inputs: pool.outputShape, outputs: 3)
        let network = Network([conv, ReLU(conv.outputShape), pool, dense])
        var generator = SplitMix64(seed: 4)
        let input = (0 ..< 2 * 64).map { _ in generator.nextUnitFloat() }
        let labels = [2, 0]
        var parameters = network.initialParameters(seed: 3)
        func loss(_ p: [Float]) -> (Double, [Float]) {
            var gradient = [Float](repeating: 0, count: p.count)
            let (value, _) = input.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    p.withUnsafeBufferPointer { pp in
                        gradient.withUnsafeMutableBufferPointer { g in
                            network.lossAndGradient(x.baseAddress!, labels: y.baseAddress!, batch: 2, normaliser: 2,
                                                    parameters: pp.baseAddress!, gradient: g.baseAddress!, workspace: Workspace())
                        }
                    }
                }
            }
            return (value / 2, gradient)
        }
        let (_, gradient) = loss(parameters)
        for i in stride(from: 0, to: parameters.count, by: 7) {
            let saved = parameters[i]
            parameters[i] = saved + 1e-2; let up = loss(parameters).0
            parameters[i] = saved - 1e-2; let down = loss(parameters).0
            parameters[i] = saved
            let numeric = (up - down) / 2e-2
            #expect(abs(numeric - Double(gradient[i])) < 2e-3 * max(1, abs(numeric)), "parameter \(i): \(gradient[i]) vs \(numeric)")
        }
    }

    /// The CNN applies each ReLU after its max-pooling (a quarter of the values). The two
    /// orders must be the same function with the same gradient, bit for bit, ties and
    /// all-negative windows included (inputs are rounded to a coarse grid to make ties).
    @Test func reluAfterPoolingIsReluBeforePoolingBitForBit() {
        let conv = Conv2D(input: Shape(height: 10, width: 10, channels: 1), filters: 5)
        let pool = MaxPool2D(conv.outputShape)
        let dense = Dense(inputs: pool.outputShape, outputs: 4)
        let before = Network([conv, ReLU(conv.outputShape), pool, dense])
        let after = Network([conv, pool, ReLU(pool.outputShape), dense])
        var generator = SplitMix64(seed: 12)
        let batch = 6
        let input = (0 ..< batch * 100).map { _ in (generator.nextUnitFloat() * 4).rounded() / 4 - 0.5 }
        let labels = (0 ..< batch).map { $0 % 4 }
        var parameters = before.initialParameters(seed: 5)
        for i in parameters.indices { parameters[i] = (parameters[i] * 8).rounded() / 8 }
        func lossAndGradient(_ network: Network) -> (Double, [Float]) {
            var gradient = [Float](repeating: 0, count: parameters.count)
            let (value, _) = input.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    parameters.withUnsafeBufferPointer { p in
                        gradient.withUnsafeMutableBufferPointer { g in
                            network.lossAndGradient(x.baseAddress!, labels: y.baseAddress!, batch: batch, normaliser: batch,
                                                    parameters: p.baseAddress!, gradient: g.baseAddress!, workspace: Workspace())
                        }
                    }
                }
            }
            return (value, gradient)
        }
        let (lossBefore, gradientBefore) = lossAndGradient(before)
        let (lossAfter, gradientAfter) = lossAndGradient(after)
        #expect(lossBefore == lossAfter)
        #expect(gradientBefore == gradientAfter)
        #expect(gradientBefore.contains { $0 != 0 })
    }

    /// The leading layers that split batches exactly (direct convolution, pooling, ReLU) run a
    /// few images at a time: loss, gradient and scores must be those of every layer run on the
    /// whole chunk (`partBytes: 0`), bit for bit, for parts of 1, 2, 3 and 4 images and of the
    /// whole chunk, with an odd chunk (a short last part), twice on one workspace (buffers reused).
    @Test func splittingTheLeadingLayersChangesNoBit() {
        let conv1 = Conv2D(input: Shape(height: 12, width: 12, channels: 1), filters: 9)
        let pool1 = MaxPool2D(conv1.outputShape)
        let conv2 = Conv2D(input: pool1.outputShape, filters: 6)
        let pool2 = MaxPool2D(conv2.outputShape)
        let layers: [any Layer] = [conv1, pool1, ReLU(pool1.outputShape), conv2, pool2, ReLU(pool2.outputShape),
                                   Dense(inputs: pool2.outputShape, outputs: 5)]
        let bytesPerImage = (conv1.outputShape.count + 2 * pool1.outputShape.count) * 4
        let whole = Network(layers, partBytes: 0)
        var generator = SplitMix64(seed: 21)
        let batch = 7
        let input = (0 ..< batch * 144).map { _ in (generator.nextUnitFloat() * 8).rounded() / 8 - 0.25 }
        let labels = (0 ..< batch).map { $0 % 5 }
        let parameters = whole.initialParameters(seed: 6)
        func run(_ network: Network) -> [(loss: Double, gradient: [Float], scores: [Float])] {
            let workspace = Workspace()
            return (0 ..< 2).map { step in
                var gradient = [Float](repeating: Float(step), count: parameters.count)
                let (loss, _) = input.withUnsafeBufferPointer { x in
                    labels.withUnsafeBufferPointer { y in
                        parameters.withUnsafeBufferPointer { p in
                            gradient.withUnsafeMutableBufferPointer { g in
                                network.lossAndGradient(x.baseAddress!, labels: y.baseAddress!, batch: batch, normaliser: batch,
                                                        parameters: p.baseAddress!, gradient: g.baseAddress!, workspace: workspace)
                            }
                        }
                    }
                }
                let scores = input.withUnsafeBufferPointer { x in
                    parameters.withUnsafeBufferPointer { p in
                        let outputs = network.forward(x.baseAddress!, batch: batch, parameters: p.baseAddress!, workspace: workspace)
                        return Array(UnsafeBufferPointer(start: outputs[layers.count - 1], count: batch * 5))
                    }
                }
                return (loss, gradient, scores)
            }
        }
        let expected = run(whole)
        #expect(expected[0].gradient.contains { $0 != 0 })
        for partBytes in [1, 2 * bytesPerImage, 3 * bytesPerImage, 4 * bytesPerImage, .max / 2, Network.defaultPartBytes] {
            let results = run(Network(layers, partBytes: partBytes))
            for (got, want) in zip(results, expected) {
                #expect(got.loss.bitPattern == want.loss.bitPattern, "parts of \(partBytes) bytes")
                #expect(got.gradient.map(\.bitPattern) == want.gradient.map(\.bitPattern), "parts of \(partBytes) bytes")
                #expect(got.scores.map(\.bitPattern) == want.scores.map(\.bitPattern), "parts of \(partBytes) bytes")
            }
        }
    }

    @Test func aTinyNetworkOverfitsATinySet() throws {
        let (training, _) = try TestData.mnistSample(training: 40, test: 1)
        var settings = MLP.defaultSettings
        try settings.set("layers", .integerList([32]))
        try settings.set("epochs", .integer(60))
        try settings.set("batchSize", .integer(8))
        let model = try MLP(settings: settings).fit(training, seed: 1, context: ExecutionContext(threads: 2)).model
        #expect(try model.predict(training.images, context: ExecutionContext(threads: 2)).labels == training.labels)
    }

    @Test func cnnLearnsAnMNISTSubsetIdenticallyForAnyThreads() throws {
        let (training, test) = try TestData.mnistSample(training: 1_500, test: 300, seed: 2)
        var settings = ConvNet.defaultSettings
        try settings.set("epochs", .integer(3))
        try settings.set("batchSize", .integer(32))
        try settings.set("filters1", .integer(8))
        try settings.set("filters2", .integer(16))
        try settings.set("hidden", .integer(32))
        try settings.set("augment", .boolean(true))
        try settings.set("schedule", .choice("constant"))
        var predictions: [Prediction] = []
        for threads in [1, 2] {
            let model = try ConvNet(settings: settings).fit(training, seed: 5, context: ExecutionContext(threads: threads)).model
            predictions.append(try model.predict(test.images, context: ExecutionContext(threads: threads)))
            let parameters = (model as! NetworkModel).parameters
            #expect(parameters.allSatisfy { $0.isFinite })
        }
        #expect(predictions[0].labels == predictions[1].labels)
        #expect(predictions[0].scores == predictions[1].scores)
        let correct = zip(test.labels, predictions[0].labels).filter { $0 == $1 }.count
        let accuracy = Double(correct) / Double(test.count)
        #expect(accuracy > 0.8, "accuracy \(accuracy)")
    }

    @Test func augmentationKeepsTheImageAndMovesIt() {
        var image = [Float](repeating: 0, count: 100)
        for y in 3 ..< 7 { for x in 3 ..< 7 { image[y * 10 + x] = 1 } }
        var generator = SplitMix64(seed: 1)
        var out = [Float](repeating: -1, count: 100)
        image.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                Augmentation().apply(source.baseAddress!, height: 10, width: 10, background: 0, into: target.baseAddress!, using: &generator)
            }
        }
        let mass = out.reduce(0, +)
        #expect(abs(mass - 16) < 2.5, "mass \(mass)")
        #expect(out != image)
        #expect(out.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
