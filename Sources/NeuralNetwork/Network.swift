import BenchCore
import Dispatch
import Foundation

/// A stack of layers ending in class scores, trained with softmax cross-entropy. All
/// parameters live in one flat buffer (and all gradients in another), so the optimiser
/// update is one loop.
public struct Network: Sendable {
    public let layers: [any Layer]
    /// Where each layer's parameters start in the flat buffer.
    public let offsets: [Int]
    public let parameterCount: Int

    /// - Parameter partBytes: At most this many bytes of the leading split layers' outputs per
    ///   part of a chunk (``splitLayers``), 0 for no parts (every layer on the whole chunk);
    ///   the results do not depend on it.
    public init(_ layers: [any Layer], partBytes: Int = Network.defaultPartBytes) {
        precondition(!layers.isEmpty, "Network: no layers")
        for (previous, next) in zip(layers, layers.dropFirst()) {
            precondition(previous.outputShape.count == next.inputShape.count,
                         "Network: \(previous.name) gives \(previous.outputShape), \(next.name) takes \(next.inputShape)")
        }
        self.layers = layers
        var offsets: [Int] = []
        var total = 0
        for layer in layers {
            offsets.append(total)
            total += layer.parameterCount
        }
        self.offsets = offsets
        parameterCount = total
        let leading = layers.prefix { $0.splitsBatchesExactly }.count
        splitLayers = leading >= 2 && partBytes > 0 ? leading : 0
        let bytesPerImage = layers.prefix(splitLayers).reduce(0) { $0 + $1.outputShape.count } * MemoryLayout<Float>.size
        partImages = max(1, partBytes / max(1, bytesPerImage))
    }

    /// The leading layers run a part of a batch at a time (0: none). When the first layers
    /// all split batches exactly (``Layer/splitsBatchesExactly``: the CNN's first convolution,
    /// pooling and ReLU), running the whole chunk through one layer before the next wrote
    /// the first convolution's output for 64 images (5.5 MB) to the L3 cache and read it back
    /// in the pooling, and the same backward. A few images at a time, the activations and
    /// gradients between these layers stay in L2. The results are the same bit for bit.
    let splitLayers: Int
    /// Images per part: as many as keep the split layers' outputs within `partBytes`.
    let partImages: Int
    /// The split layers' outputs for one part, at most: half the 1 MB L2 of the machines
    /// measured (four images for the CNN on 28 × 28 images: 129,792 bytes each).
    public static let defaultPartBytes = 512 * 1024

    public var inputCount: Int { layers[0].inputShape.count }
    public var classCount: Int { layers[layers.count - 1].outputShape.count }

    /// Initial parameters from `seed`.
    public func initialParameters(seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        var parameters = [Float](repeating: 0, count: parameterCount)
        parameters.withUnsafeMutableBufferPointer { buffer in
            for (layer, offset) in zip(layers, offsets) {
                layer.initialise(UnsafeMutableBufferPointer(rebasing: buffer[offset ..< offset + layer.parameterCount]), using: &generator)
            }
        }
        return parameters
    }

    /// Runs the layers forward on `batch` samples; returns each layer's output (the last is
    /// the class scores), in buffers owned by `workspace`.
    @discardableResult
    public func forward(_ input: UnsafePointer<Float>, batch: Int, parameters: UnsafePointer<Float>,
                        workspace: Workspace) -> [UnsafeMutablePointer<Float>] {
        let outputs = layers.indices.map { workspace.activations.buffer($0, count: batch * layers[$0].outputShape.count) }
        // The split layers, part by part: each part through all of them before the next part.
        for first in stride(from: 0, to: splitLayers > 0 ? batch : 0, by: partImages) {
            let images = min(partImages, batch - first)
            var current = input + first * inputCount
            for index in 0 ..< splitLayers {
                let layer = layers[index], output = outputs[index] + first * layer.outputShape.count
                let start = DispatchTime.now()
                layer.forward(current, output, batch: images, parameters: parameters + offsets[index],
                              scratch: workspace.scratch(index, part: first / partImages))
                workspace.clock?.addForward(index, since: start)
                current = UnsafePointer(output)
            }
        }
        var current = splitLayers > 0 ? UnsafePointer(outputs[splitLayers - 1]) : input
        for index in splitLayers ..< layers.count {
            let layer = layers[index]
            let start = DispatchTime.now()
            layer.forward(current, outputs[index], batch: batch, parameters: parameters + offsets[index], scratch: workspace.scratch(index))
            workspace.clock?.addForward(index, since: start)
            current = UnsafePointer(outputs[index])
        }
        return outputs
    }

    /// Softmax cross-entropy of `batch` samples against `labels`, scaled by `1 / normaliser`;
    /// adds the parameter gradient into `gradient` and returns (summed loss, correct predictions).
    public func lossAndGradient(_ input: UnsafePointer<Float>, labels: UnsafePointer<Int>, batch: Int, normaliser: Int,
                                parameters: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                workspace: Workspace) -> (loss: Double, correct: Int) {
        let outputs = forward(input, batch: batch, parameters: parameters, workspace: workspace)
        let k = classCount
        let scores = outputs[layers.count - 1]
        // ∂L/∂scores = (softmax − one-hot) / normaliser, written into gradient slot A.
        var upstream = workspace.gradients.buffer(0, count: batch * k)
        var loss = 0.0, correct = 0
        for r in 0 ..< batch {
            let row = scores + r * k, out = upstream + r * k
            var largest = row[0], best = 0
            for c in 1 ..< k where row[c] > largest { largest = row[c]; best = c }
            var total: Float = 0
            for c in 0 ..< k {
                out[c] = Foundation.exp(row[c] - largest)
                total += out[c]
            }
            loss += Double(Foundation.log(total) - (row[labels[r]] - largest))
            if best == labels[r] { correct += 1 }
            let scale = 1 / (total * Float(normaliser))
            for c in 0 ..< k { out[c] *= scale }
            out[labels[r]] -= 1 / Float(normaliser)
        }
        // Backward through the layers, alternating two gradient buffers.
        for index in stride(from: layers.count - 1, through: splitLayers, by: -1) {
            let layer = layers[index]
            let layerInput = index == 0 ? input : UnsafePointer(outputs[index - 1])
            let downstream: UnsafeMutablePointer<Float>? = index == 0 ? nil
                : workspace.gradients.buffer((layers.count - index) % 2, count: batch * layer.inputShape.count)
            let start = DispatchTime.now()
            layer.backward(layerInput, outputs[index], outputGradient: upstream, inputGradient: downstream, batch: batch,
                           parameters: parameters + offsets[index], parameterGradient: gradient + offsets[index],
                           scratch: workspace.scratch(index))
            workspace.clock?.addBackward(index, since: start)
            if let downstream { upstream = downstream }
        }
        // The split layers part by part, in order (each adds its parameter gradient image after
        // image), their gradients between them only one part long, in two buffers of their own.
        for first in stride(from: 0, to: splitLayers > 0 ? batch : 0, by: partImages) {
            let images = min(partImages, batch - first)
            var partUpstream = UnsafePointer(upstream) + first * layers[splitLayers - 1].outputShape.count
            for index in stride(from: splitLayers - 1, through: 0, by: -1) {
                let layer = layers[index]
                let layerInput = index == 0 ? input + first * inputCount : UnsafePointer(outputs[index - 1]) + first * layer.inputShape.count
                let downstream: UnsafeMutablePointer<Float>? = index == 0 ? nil
                    : workspace.gradients.buffer(2 + index % 2, count: images * layer.inputShape.count)
                let start = DispatchTime.now()
                layer.backward(layerInput, outputs[index] + first * layer.outputShape.count, outputGradient: partUpstream,
                               inputGradient: downstream, batch: images, parameters: parameters + offsets[index],
                               parameterGradient: gradient + offsets[index], scratch: workspace.scratch(index, part: first / partImages))
                workspace.clock?.addBackward(index, since: start)
                if let downstream { partUpstream = UnsafePointer(downstream) }
            }
        }
        return (loss, correct)
    }

    /// Predicted classes of `count` samples (ties to the lower class) and their class
    /// probabilities (the softmax of the output scores), one label per sample and
    /// `count × classCount` probabilities, row-major, for samples that `read` writes, a
    /// chunk at a time (samples `range`, `range.count × inputCount` floats, into the pointer
    /// it is given), so the whole input never has to exist as floats at once. The results
    /// do not depend on `chunk` or `threads`: each sample's scores come from the same arithmetic.
    public func predict(count: Int, parameters: [Float], threads: Int, chunk: Int = 64,
                        read: @escaping @Sendable (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> (labels: [Int], probabilities: [Float]) {
        let chunks = (count + chunk - 1) / chunk
        let workspaces = WorkspacePool()
        let perChunk = parameters.withUnsafeBufferPointer { p in
            let ps = SharedReads(p)
            return parallelMap(chunks, threads: threads) { index -> (labels: [Int], probabilities: [Float]) in
                let start = index * chunk, size = min(chunk, count - start)
                let workspace = workspaces.take()
                defer { workspaces.give(workspace) }
                let input = workspace.input(count: size * inputCount)
                read(start ..< start + size, input)
                let outputs = forward(input, batch: size, parameters: ps.buffer.baseAddress!, workspace: workspace)
                return softmaxRows(outputs[layers.count - 1], rows: size)
            }
        }
        return (perChunk.flatMap(\.labels), perChunk.flatMap(\.probabilities))
    }

    /// Each row's class (the first largest score) and softmax, exp(s − max) / Σ exp(s − max):
    /// subtracting the row's maximum keeps every exponential in (0, 1], so none overflows.
    // scores is (rows, classCount)
    func softmaxRows(_ scores: UnsafePointer<Float>, rows: Int) -> (labels: [Int], probabilities: [Float]) {
        let k = classCount
        var labels = [Int](repeating: 0, count: rows)
        var probabilities = [Float](repeating: 0, count: rows * k)
        for r in 0 ..< rows {
            let row = scores + r * k
            var best = 0
            for c in 1 ..< k where row[c] > row[best] { best = c }
            labels[r] = best
            let largest = row[best]
            var total: Float = 0
            for c in 0 ..< k {
                let e = Foundation.exp(row[c] - largest)
                probabilities[r * k + c] = e
                total += e
            }
            for c in 0 ..< k { probabilities[r * k + c] /= total }
        }
        return (labels, probabilities)
    }
}

/// Workspaces handed to whichever thread runs the next chunk, so that each thread reuses
/// warm buffers instead of faulting in new pages for every chunk.
final class WorkspacePool: Sendable {
    private let free = Locked<[Workspace]>([])

    func take() -> Workspace { free.withLock { $0.popLast() } ?? Workspace() }

    func give(_ workspace: Workspace) { free.withLock { $0.append(workspace) } }
}

/// The buffers one worker needs for a chunk: activations, two gradient buffers, and each
/// layer's scratch. Reused across steps, so steady-state training allocates nothing.
public final class Workspace: @unchecked Sendable {
    // @unchecked: a Workspace belongs to one chunk index and is used by one thread at a time.
    let activations = Scratch()
    let gradients = Scratch()
    private let inputs = Scratch()
    /// Set only by ``Network/profile(chunk:steps:seed:)``: each layer's time is added to it.
    var clock: LayerClock?
    private var layerScratch: [[Scratch]] = []

    public init() {}

    /// A buffer for one chunk's input samples.
    func input(count: Int) -> UnsafeMutablePointer<Float> { inputs.buffer(0, count: count) }

    /// Layer `layer`'s scratch for part `part` of the chunk (see ``Network/splitLayers``).
    func scratch(_ layer: Int, part: Int = 0) -> Scratch {
        while layerScratch.count <= layer { layerScratch.append([]) }
        while layerScratch[layer].count <= part { layerScratch[layer].append(Scratch()) }
        return layerScratch[layer][part]
    }
}
