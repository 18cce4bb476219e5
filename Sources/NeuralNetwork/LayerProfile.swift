import BenchCore
import Dispatch

/// Seconds spent in each layer's forward and backward pass, summed over the steps a
/// ``Workspace`` carrying it ran: how `bench profile` finds where a training epoch goes.
///
/// Training never carries one (a workspace's clock is nil), so timing costs nothing there.
public final class LayerClock: @unchecked Sendable {
    // @unchecked: a clock belongs to one workspace, used by one thread at a time.
    public private(set) var forward: [Double]
    public private(set) var backward: [Double]

    public init(layers: Int) {
        forward = Array(repeating: 0, count: layers)
        backward = Array(repeating: 0, count: layers)
    }

    func addForward(_ layer: Int, since start: DispatchTime) { forward[layer] += Stopwatch.seconds(since: start) }
    func addBackward(_ layer: Int, since start: DispatchTime) { backward[layer] += Stopwatch.seconds(since: start) }
}

/// One layer's share of a training step, as `bench profile` reports it.
public struct LayerTiming: Sendable, Equatable {
    public let name: String
    /// Seconds per sample, forward and backward (backward includes the parameter gradient).
    public let forwardSeconds: Double
    public let backwardSeconds: Double
    /// Floating-point operations per sample of the layer's matrix products, forward (the
    /// backward pass does twice as many, one product for the weights' gradient and one for the
    /// input's, except for a first layer, which needs no input gradient).
    public let forwardFlops: Double
}

extension Network {
    /// Floating-point operations per sample of each layer's forward matrix product (2·m·n·k
    /// per sample); 0 for layers without one.
    public var forwardFlops: [Double] {
        layers.map { layer in
            switch layer {
            case let conv as Conv2D:
                2 * Double(conv.outputShape.height * conv.outputShape.width) * Double(conv.patch) * Double(conv.outputShape.channels)
            case let dense as Dense:
                2 * Double(dense.inputShape.count) * Double(dense.outputShape.count)
            default: 0
            }
        }
    }

    /// Times `steps` training steps of chunks of `chunk` random samples on one thread (the work
    /// one thread does for its chunk of a mini-batch in training), after one untimed step, and
    /// returns each layer's seconds per sample. The Adam update, the same for every layer's
    /// parameters and cheap, is not part of it.
    public func profile(chunk: Int = 64, steps: Int, seed: UInt64 = 1) -> [LayerTiming] {
        var generator = SplitMix64(seed: seed)
        let input = (0 ..< chunk * inputCount).map { _ in Float(generator.nextGaussian()) }
        let labels = (0 ..< chunk).map { _ in generator.nextInt(below: classCount) }
        let parameters = initialParameters(seed: seed)
        var gradient = [Float](repeating: 0, count: parameterCount)
        let workspace = Workspace()
        let clock = LayerClock(layers: layers.count)
        input.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                parameters.withUnsafeBufferPointer { p in
                    gradient.withUnsafeMutableBufferPointer { g in
                        for step in 0 ... steps {
                            workspace.clock = step == 0 ? nil : clock
                            _ = lossAndGradient(x.baseAddress!, labels: y.baseAddress!, batch: chunk, normaliser: chunk,
                                                parameters: p.baseAddress!, gradient: g.baseAddress!, workspace: workspace)
                        }
                    }
                }
            }
        }
        let samples = Double(chunk * steps)
        return layers.indices.map { index in
            LayerTiming(name: layers[index].name, forwardSeconds: clock.forward[index] / samples,
                        backwardSeconds: clock.backward[index] / samples, forwardFlops: forwardFlops[index])
        }
    }
}
