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
                        copyFloats(image + ((y + dy) * w + x) * c, to: row, count: kernel * c)
                        row += kernel * c
                    }
                }
            }
        }
    }

    /// Whether this layer convolves directly (``directForward(_:_:batch:parameters:)``) rather
    /// than by im2col + GEMM: with one input channel the patch is only k·k values (9), far too
    /// shallow a product for the GEMM, whose register tile would be loaded and stored every 9
    /// steps, and the patch matrix would be 9 copies of the image.
    public var convolvesDirectly: Bool { inputShape.channels == 1 }

    /// The direct convolution works image by image and adds its weight and bias gradients
    /// image after image. The im2col path does not: its weight gradient is one GEMM per slice
    /// of images, and the slices would move with the split.
    public var splitsBatchesExactly: Bool { convolvesDirectly }

    /// Images per slice of the im2col path: as many as keep a slice's patch matrix within
    /// 512 KB, so that it is written, multiplied and read back while it is in the L2 cache (a
    /// chunk of 64 images would make it 9 MB for the second layer of the CNN, streamed from
    /// memory three times). Fixed by the layer's shape, so results do not depend on the batch.
    public var sliceImages: Int { max(1, 512 * 1024 / MemoryLayout<Float>.size / (outputShape.height * outputShape.width * patch)) }

    // input is (B, H, W, C), output is (B, H-k+1, W-k+1, F)
    public func forward(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int,
                        parameters: UnsafePointer<Float>, scratch: Scratch) {
        if convolvesDirectly { return directForward(input, output, batch: batch, parameters: parameters) }
        let perImage = outputShape.height * outputShape.width, filters = outputShape.channels
        fillRows(output, rows: batch * perImage, with: parameters + patch * filters, count: filters)
        let columns = scratch.buffer(0, count: min(sliceImages, batch) * perImage * patch)
        // The weights packed once for every slice (the same products as packing them per slice).
        let weights = PackedRightOperand(MatrixOperand(parameters, rows: patch, columns: filters))
        for first in stride(from: 0, to: batch, by: sliceImages) {
            let images = min(sliceImages, batch - first), positions = images * perImage
            im2col(input + first * inputShape.count, batch: images, into: columns)
            sgemm(MatrixOperand(columns, rows: positions, columns: patch), weights,
                  into: MatrixDestination(output + first * perImage * filters, rows: positions, columns: filters), beta: 1)
        }
    }

    // dW (kkC, F) += colsᵀ dy; db += Σ dy; dcols = dy Wᵀ, scattered back (col2im) into dx;
    // slice by slice, the patch matrix of each slice made again from the input.
    public func backward(_ input: UnsafePointer<Float>, _ output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, parameters: UnsafePointer<Float>,
                         parameterGradient: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let perImage = outputShape.height * outputShape.width, filters = outputShape.channels
        if convolvesDirectly {
            directWeightGradient(input, outputGradient: outputGradient, batch: batch, parameterGradient: parameterGradient)
        } else {
            addColumnSums(outputGradient, rows: batch * perImage, columns: filters, into: parameterGradient + patch * filters)
        }
        // A first layer needs no input gradient, and a direct one has its weights' already.
        if convolvesDirectly && inputGradient == nil { return }
        inputGradient?.update(repeating: 0, count: batch * inputShape.count)
        let columns = scratch.buffer(0, count: min(sliceImages, batch) * perImage * patch)
        let columnGradient = scratch.buffer(1, count: min(sliceImages, batch) * perImage * patch)
        // Wᵀ packed once for every slice's ∂cols = dy·Wᵀ.
        let transposedWeights = inputGradient == nil ? nil
            : PackedRightOperand(MatrixOperand(parameters, rows: filters, columns: patch, transposed: true))
        for first in stride(from: 0, to: batch, by: sliceImages) {
            let images = min(sliceImages, batch - first), positions = images * perImage
            let upstream = outputGradient + first * perImage * filters
            if !convolvesDirectly {
                im2col(input + first * inputShape.count, batch: images, into: columns)
                sgemm(MatrixOperand(columns, rows: patch, columns: positions, transposed: true),
                      MatrixOperand(upstream, rows: positions, columns: filters),
                      into: MatrixDestination(parameterGradient, rows: patch, columns: filters), beta: 1)
            }
            guard let inputGradient, let transposedWeights else { continue }
            sgemm(MatrixOperand(upstream, rows: positions, columns: filters), transposedWeights,
                  into: MatrixDestination(columnGradient, rows: positions, columns: patch))
            col2im(columnGradient, images: images, into: inputGradient + first * inputShape.count)
        }
    }

    /// Adds every patch row of `columnGradient` back into the input positions it was copied
    /// from, for `images` images (the adjoint of ``im2col(_:batch:into:)``).
    func col2im(_ columnGradient: UnsafePointer<Float>, images batch: Int, into inputGradient: UnsafeMutablePointer<Float>) {
        let (w, c) = (inputShape.width, inputShape.channels)
        let (oh, ow) = (outputShape.height, outputShape.width)
        var row = UnsafePointer(columnGradient)
        for b in 0 ..< batch {
            let image = inputGradient + b * inputShape.count
            for y in 0 ..< oh {
                for x in 0 ..< ow {
                    for dy in 0 ..< kernel {
                        let target = image + ((y + dy) * w + x) * c
                        addFloats(row, into: target, count: kernel * c)
                        row += kernel * c
                    }
                }
            }
        }
    }

    /// The single-channel convolution computed directly: each output position's filters, in
    /// vectors of 8, start from the bias and add the k·k taps in the order of the definition
    /// (so it differs from ``referenceForward(_:_:batch:parameters:)`` only by fused rounding).
    /// Two neighbouring positions × four vectors (32 filters) at a time: eight independent
    /// sums keep both FMA pipes busy (four would wait on the multiply-add's latency), and each
    /// tap's weights, loaded once, feed both positions. The pairing changes no sum's order.
    func directForward(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int,
                       parameters: UnsafePointer<Float>) {
        typealias V = SIMD8<Float>
        let (w, k) = (inputShape.width, kernel)
        let (oh, ow, filters) = (outputShape.height, outputShape.width, outputShape.channels)
        let bias = parameters + patch * filters
        let whole = filters / 8 * 8, blocks = filters / 32 * 32
        for b in 0 ..< batch {
            let image = input + b * inputShape.count
            for y in 0 ..< oh {
                var x = 0
                while x + 2 <= ow {
                    let out = output + b * outputShape.count + (y * ow + x) * filters, next = out + filters
                    for f in stride(from: 0, to: blocks, by: 32) {
                        var a0 = load(bias + f), a1 = load(bias + f + 8), a2 = load(bias + f + 16), a3 = load(bias + f + 24)
                        var b0 = a0, b1 = a1, b2 = a2, b3 = a3
                        for dy in 0 ..< k {
                            let pixels = image + (y + dy) * w + x
                            for dx in 0 ..< k {
                                let p = V(repeating: pixels[dx]), q = V(repeating: pixels[dx + 1])
                                let row = parameters + (dy * k + dx) * filters + f
                                let w0 = load(row), w1 = load(row + 8), w2 = load(row + 16), w3 = load(row + 24)
                                a0.addProduct(p, w0); a1.addProduct(p, w1); a2.addProduct(p, w2); a3.addProduct(p, w3)
                                b0.addProduct(q, w0); b1.addProduct(q, w1); b2.addProduct(q, w2); b3.addProduct(q, w3)
                            }
                        }
                        store(a0, out + f); store(a1, out + f + 8); store(a2, out + f + 16); store(a3, out + f + 24)
                        store(b0, next + f); store(b1, next + f + 8); store(b2, next + f + 16); store(b3, next + f + 24)
                    }
                    directForwardRemainder(image, output, batch: b, y: y, x: x, from: blocks, whole: whole, parameters: parameters)
                    directForwardRemainder(image, output, batch: b, y: y, x: x + 1, from: blocks, whole: whole, parameters: parameters)
                    x += 2
                }
                if x < ow {
                    directForwardRemainder(image, output, batch: b, y: y, x: x, from: 0, whole: whole, parameters: parameters)
                }
            }
        }
    }

    /// The filters from `first` on of output position (`y`, `x`) of image `b`, by vectors of 8
    /// and then one by one: ``directForward(_:_:batch:parameters:)``'s sums, in the same order,
    /// for the filters outside its blocks of 32 and for a last, unpaired position.
    @inline(__always)
    private func directForwardRemainder(_ image: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch b: Int,
                                        y: Int, x: Int, from first: Int, whole: Int, parameters: UnsafePointer<Float>) {
        typealias V = SIMD8<Float>
        let (w, k) = (inputShape.width, kernel)
        let (ow, filters) = (outputShape.width, outputShape.channels)
        let bias = parameters + patch * filters
        let out = output + b * outputShape.count + (y * ow + x) * filters
        var f = first
        while f < whole {
            var a = load(bias + f)
            for dy in 0 ..< k {
                for dx in 0 ..< k {
                    a.addProduct(V(repeating: image[(y + dy) * w + x + dx]), load(parameters + (dy * k + dx) * filters + f))
                }
            }
            store(a, out + f)
            f += 8
        }
        for f in whole ..< filters {
            var sum = bias[f]
            for dy in 0 ..< k {
                for dx in 0 ..< k { sum += image[(y + dy) * w + x + dx] * parameters[(dy * k + dx) * filters + f] }
            }
            out[f] = sum
        }
    }

    /// ∂L/∂weights and ∂L/∂bias of the single-channel convolution, added into
    /// `parameterGradient`: weight (tap t, filter f) gains Σ over images and positions of the
    /// pixel under tap t times ∂L/∂output[f]. One output row's gradient (ow × filters floats)
    /// stays in L1 while all k·k taps read it; images, rows and positions are summed in order.
    /// The taps of one kernel row are summed side by side, up to three at a time × four
    /// vectors (32 filters): twelve independent sums for the two FMA pipes (four alone would
    /// wait on the multiply-add's latency), each gradient vector loaded once for all of them.
    /// Every sum still runs over the positions in order, so the result is the same as tap by tap.
    func directWeightGradient(_ input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, batch: Int,
                              parameterGradient: UnsafeMutablePointer<Float>) {
        typealias V = SIMD8<Float>
        let (w, k) = (inputShape.width, kernel)
        let (oh, ow, filters) = (outputShape.height, outputShape.width, outputShape.channels)
        let whole = filters / 8 * 8, blocks = filters / 32 * 32
        let biasGradient = parameterGradient + patch * filters
        for b in 0 ..< batch {
            let image = input + b * inputShape.count
            for y in 0 ..< oh {
                let upstream = outputGradient + b * outputShape.count + y * ow * filters
                addColumnSums(upstream, rows: ow, columns: filters, into: biasGradient)
                for dy in 0 ..< k {
                    var dx = 0
                    // Three taps at a time.
                    while dx + 3 <= k {
                        let pixels = image + (y + dy) * w + dx
                        let t0 = parameterGradient + (dy * k + dx) * filters, t1 = t0 + filters, t2 = t1 + filters
                        for f in stride(from: 0, to: blocks, by: 32) {
                            var a0 = load(t0 + f), a1 = load(t0 + f + 8), a2 = load(t0 + f + 16), a3 = load(t0 + f + 24)
                            var b0 = load(t1 + f), b1 = load(t1 + f + 8), b2 = load(t1 + f + 16), b3 = load(t1 + f + 24)
                            var c0 = load(t2 + f), c1 = load(t2 + f + 8), c2 = load(t2 + f + 16), c3 = load(t2 + f + 24)
                            for x in 0 ..< ow {
                                let p = V(repeating: pixels[x]), q = V(repeating: pixels[x + 1]), r = V(repeating: pixels[x + 2])
                                let g = upstream + x * filters + f
                                var v = load(g)
                                a0.addProduct(p, v); b0.addProduct(q, v); c0.addProduct(r, v)
                                v = load(g + 8)
                                a1.addProduct(p, v); b1.addProduct(q, v); c1.addProduct(r, v)
                                v = load(g + 16)
                                a2.addProduct(p, v); b2.addProduct(q, v); c2.addProduct(r, v)
                                v = load(g + 24)
                                a3.addProduct(p, v); b3.addProduct(q, v); c3.addProduct(r, v)
                            }
                            store(a0, t0 + f); store(a1, t0 + f + 8); store(a2, t0 + f + 16); store(a3, t0 + f + 24)
                            store(b0, t1 + f); store(b1, t1 + f + 8); store(b2, t1 + f + 16); store(b3, t1 + f + 24)
                            store(c0, t2 + f); store(c1, t2 + f + 8); store(c2, t2 + f + 16); store(c3, t2 + f + 24)
                        }
                        for tap in dx ..< dx + 3 {
                            weightGradientRemainder(image, upstream, y: y, dy: dy, dx: tap, from: blocks, whole: whole,
                                                    parameterGradient: parameterGradient)
                        }
                        dx += 3
                    }
                    // The taps left over when k is not a multiple of 3, one at a time.
                    while dx < k {
                        weightGradientRemainder(image, upstream, y: y, dy: dy, dx: dx, from: 0, whole: whole,
                                                parameterGradient: parameterGradient)
                        dx += 1
                    }
                }
            }
        }
    }

    /// Tap (`dy`, `dx`)'s weight gradient over one output row, for the filters from `first` on:
    /// by vectors of 8, then one by one, summed over the positions in order.
    @inline(__always)
    private func weightGradientRemainder(_ image: UnsafePointer<Float>, _ upstream: UnsafePointer<Float>, y: Int, dy: Int, dx: Int,
                                         from first: Int, whole: Int, parameterGradient: UnsafeMutablePointer<Float>) {
        typealias V = SIMD8<Float>
        let (w, k) = (inputShape.width, kernel)
        let (ow, filters) = (outputShape.width, outputShape.channels)
        let pixels = image + (y + dy) * w + dx
        let target = parameterGradient + (dy * k + dx) * filters
        var f = first
        while f < whole {
            var a = load(target + f)
            for x in 0 ..< ow { a.addProduct(V(repeating: pixels[x]), load(upstream + x * filters + f)) }
            store(a, target + f)
            f += 8
        }
        for f in whole ..< filters {
            var sum = target[f]
            for x in 0 ..< ow { sum += pixels[x] * upstream[x * filters + f] }
            target[f] = sum
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

@inline(__always)
private func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func load(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}
