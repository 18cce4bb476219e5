import BenchCore

/// The shape of one sample's activations: height × width × channels, stored channels-last
/// (HWC: the channels of one position next to each other). A dense layer's features are
/// 1 × 1 × features.
public struct Shape: Sendable, Equatable, CustomStringConvertible {
    public let height: Int
    public let width: Int
    public let channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// A flat feature vector.
    public init(features: Int) { self.init(height: 1, width: 1, channels: features) }

    /// Floats per sample.
    public var count: Int { height * width * channels }

    public var description: String { height == 1 && width == 1 ? "\(channels)" : "\(height)×\(width)×\(channels)" }
}

/// One layer of a network: a `forward` / `backward` pair on a batch (the llm.c layout).
///
/// Layers hold no state: parameters come in from the network's one parameter buffer, and
/// scratch memory from a `Scratch` owned by the caller, so concurrent chunks of a batch never
/// share it. `backward` is always called after `forward` on the same batch with the same
/// scratch, so a layer may leave in its scratch what its backward needs (the convolution's
/// patch matrix, the pooling's winning positions).
public protocol Layer: Sendable {
    /// A short description ("conv 3×3, 32").
    var name: String { get }
    var inputShape: Shape { get }
    var outputShape: Shape { get }
    /// Floats of parameters this layer owns in the network's buffer.
    var parameterCount: Int { get }

    /// Sets initial parameters (He initialisation for weights, zero biases).
    func initialise(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout SplitMix64)

    /// output (batch × outputShape) = f(input (batch × inputShape)).
    func forward(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, batch: Int,
                 parameters: UnsafePointer<Float>, scratch: Scratch)

    /// Given ∂L/∂output, adds ∂L/∂parameters into `parameterGradient` and, if
    /// `inputGradient` is not nil, writes ∂L/∂input into it.
    func backward(_ input: UnsafePointer<Float>, _ output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                  inputGradient: UnsafeMutablePointer<Float>?, batch: Int, parameters: UnsafePointer<Float>,
                  parameterGradient: UnsafeMutablePointer<Float>, scratch: Scratch)

    /// True when a batch may be split into consecutive parts, each run through `forward` and
    /// `backward` on its own (with a scratch of its own), with exactly the same results: each
    /// sample's output depends on that sample alone, and the parameter gradient is added
    /// sample after sample, in order. ``Network`` then runs a leading run of such layers a
    /// few images at a time, while their activations are in cache. False by default.
    var splitsBatchesExactly: Bool { get }
}

extension Layer {
    public var splitsBatchesExactly: Bool { false }
}

/// Reusable scratch buffers, by slot, grown on demand: one per concurrent worker and layer.
public final class Scratch: @unchecked Sendable {
    // @unchecked: a Scratch is used by one thread at a time (one per chunk of a batch).
    private var buffers: [UnsafeMutablePointer<Float>] = []
    private var sizes: [Int] = []

    public init() {}

    deinit { for buffer in buffers { buffer.deallocate() } }

    /// A buffer of at least `count` floats for `slot` (contents undefined).
    public func buffer(_ slot: Int, count: Int) -> UnsafeMutablePointer<Float> {
        while buffers.count <= slot {
            buffers.append(.allocate(capacity: 1))
            sizes.append(1)
        }
        if sizes[slot] < count {
            buffers[slot].deallocate()
            buffers[slot] = .allocate(capacity: count)
            sizes[slot] = count
        }
        return buffers[slot]
    }
}

/// He initialisation (He, Zhang, Ren and Sun, "Delving deep into rectifiers", ICCV 2015):
/// weights from N(0, 2 / fanIn), suited to ReLU layers.
func heInitialise(_ weights: UnsafeMutableBufferPointer<Float>, fanIn: Int, using generator: inout SplitMix64) {
    let deviation = (2.0 / Double(fanIn)).squareRoot()
    for i in weights.indices { weights[i] = Float(generator.nextGaussian() * deviation) }
}

/// Sets every row of `matrix` (`rows × bias.count`) to `bias`: a layer's output before its
/// weights' product is added.
func fillRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, with bias: UnsafePointer<Float>, count: Int) {
    for r in 0 ..< rows { copyFloats(bias, to: matrix + r * count, count: count) }
}

/// Copies `count` floats, 16 at a time, inline: the layers copy many short runs (a bias row of
/// 64, an im2col segment of 3 × 32), where a call to `memmove` per run cost more than the copy
/// (6% of a CNN fit in `perf`).
@inline(__always)
func copyFloats(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count {
        UnsafeMutableRawPointer(destination + i).storeBytes(of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<Float>.self),
                                                            as: SIMD16<Float>.self)
        i += 16
    }
    while i < count {
        destination[i] = source[i]
        i += 1
    }
}

/// destination[i] += source[i] for `count` floats, 16 at a time (the same sum per element).
@inline(__always)
func addFloats(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count {
        let sum = UnsafeRawPointer(destination + i).loadUnaligned(as: SIMD16<Float>.self)
            + UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(destination + i).storeBytes(of: sum, as: SIMD16<Float>.self)
        i += 16
    }
    while i < count {
        destination[i] += source[i]
        i += 1
    }
}

/// Adds the column sums of `matrix` (`rows × columns`) into `sums`: a bias's gradient is the
/// sum of its output's gradient over the batch (and, for a convolution, over positions).
///
/// Each column is summed in row order onto its running sum, as the plain loop
/// `for r { for c { sums[c] += matrix[r][c] } }` does, so the result is the same bit for bit;
/// but 16 columns at a time in a register over all rows, where that loop loaded and stored
/// every sum once per row (2.4% of a CNN fit).
func addColumnSums(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
    typealias V = SIMD16<Float>
    var c = 0
    while c + 16 <= columns {
        var sum = UnsafeRawPointer(sums + c).loadUnaligned(as: V.self)
        var row = matrix + c
        for _ in 0 ..< rows {
            sum += UnsafeRawPointer(row).loadUnaligned(as: V.self)
            row += columns
        }
        UnsafeMutableRawPointer(sums + c).storeBytes(of: sum, as: V.self)
        c += 16
    }
    for c in c ..< columns {
        var sum = sums[c]
        for r in 0 ..< rows { sum += matrix[r * columns + c] }
        sums[c] = sum
    }
}
