import BenchCore
import Dispatch
import Foundation

/// How a network is trained: mini-batch Adam on softmax cross-entropy.
public struct TrainingSettings: Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var weightDecay: Float
    /// Random shifts and rotations of every training image, drawn anew each epoch.
    public var augment: Bool
    /// How the learning rate changes over training.
    public var schedule: LearningRateSchedule

    public init(epochs: Int, batchSize: Int, learningRate: Float, beta1: Float, beta2: Float, weightDecay: Float, augment: Bool,
                schedule: LearningRateSchedule = .constant) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.weightDecay = weightDecay
        self.augment = augment
        self.schedule = schedule
    }
}

/// The learning rate over the steps of training.
public enum LearningRateSchedule: String, Sendable, CaseIterable {
    /// The same rate throughout.
    case constant
    /// Cosine annealing from the rate down to 0 over all steps (Loshchilov and Hutter, "SGDR:
    /// stochastic gradient descent with warm restarts", ICLR 2017, without the restarts): the
    /// late steps are small, so the final weights settle instead of wandering.
    case cosine

    /// The rate at `step` (from 0) of `total` steps, for a base rate `rate`.
    public func rate(_ rate: Float, step: Int, of total: Int) -> Float {
        switch self {
        case .constant: return rate
        case .cosine: return rate * 0.5 * (1 + Float(Foundation.cos(Double.pi * Double(step) / Double(max(total, 1)))))
        }
    }
}

/// One epoch of training, as reported.
public struct EpochRecord: Sendable, Equatable {
    public let epoch: Int
    /// Mean cross-entropy over the epoch's training images (as they were seen, mid-training).
    public let loss: Double
    /// Fraction of the epoch's training images classified correctly when they were seen.
    public let trainAccuracy: Double
    public let seconds: Double
}

/// Trains `network` on `count` samples that `read` writes (sample `i`'s `network.inputCount`
/// standardised values into the pointer it is given) as each batch is filled.
///
/// Each mini-batch is split into fixed chunks of 64 images that run in parallel, each with
/// its own workspace and gradient buffer and single-threaded GEMMs; the chunk gradients are
/// then summed in chunk order. The chunks and the update run on one ``ThreadTeam`` for the
/// whole fit, whose threads never sleep between a step's loops. The chunking never depends
/// on `context.threads`, so neither does the trained network. Every random choice (initial
/// weights, the order of each epoch, each augmentation) comes from its own stream of `seed`.
public func train(_ network: Network, count: Int, read: @escaping @Sendable (Int, UnsafeMutablePointer<Float>) -> Void,
                  labels: [Int], imageShape: Shape, background: Float,
                  settings: TrainingSettings, seed: UInt64, context: ExecutionContext) -> (parameters: [Float], epochs: [EpochRecord]) {
    precondition(labels.count == count, "train: \(count) samples but \(labels.count) labels")
    let inputs = network.inputCount
    let chunkSize = 64
    let chunksPerBatch = (settings.batchSize + chunkSize - 1) / chunkSize
    var parameters = network.initialParameters(seed: SplitMix64.derive(seed, 1))
    var optimiser = Adam(parameterCount: network.parameterCount, learningRate: settings.learningRate,
                         beta1: settings.beta1, beta2: settings.beta2, weightDecay: settings.weightDecay)
    let chunks = (0 ..< chunksPerBatch).map { _ in ChunkState(inputs: chunkSize * inputs, sample: inputs, parameters: network.parameterCount) }
    var records: [EpochRecord] = []
    let augmentation = Augmentation()
    let totalSteps = settings.epochs * ((count + settings.batchSize - 1) / settings.batchSize)
    var step = 0

    // One team of threads for the whole fit: every loop of every step gets all its threads.
    let team = ThreadTeam(threads: context.threads)
    defer { team.stop() }
    for epoch in 1 ... max(settings.epochs, 1) where settings.epochs > 0 {
        let start = DispatchTime.now()
        var order = Array(0 ..< count)
        var shuffler = SplitMix64(seed: seed, stream: 1000 + UInt64(epoch))
        order.shuffle(using: &shuffler)
        var totalLoss = 0.0, totalCorrect = 0
        for batchStart in stride(from: 0, to: count, by: settings.batchSize) {
            let batch = min(settings.batchSize, count - batchStart)
            let used = (batch + chunkSize - 1) / chunkSize
            let results = parameters.withUnsafeBufferPointer { p in
                    order.withUnsafeBufferPointer { o in
                        let (ps, os) = (SharedReads(p), SharedReads(o))
                        return team.parallelMap(used) { c -> (Double, Int) in
                            let state = chunks[c]
                            let first = batchStart + c * chunkSize, size = min(chunkSize, batchStart + batch - first)
                            for i in 0 ..< size {
                                let sample = os.buffer[first + i]
                                let target = state.input + i * inputs
                                if settings.augment {
                                    read(sample, state.sample)
                                    var generator = SplitMix64(seed: SplitMix64.derive(seed, 2 + UInt64(epoch)), stream: UInt64(first + i))
                                    augmentation.apply(state.sample, height: imageShape.height, width: imageShape.width,
                                                       background: background, into: target, using: &generator)
                                } else {
                                    read(sample, target)
                                }
                                state.labels[i] = labels[sample]
                            }
                            state.gradient.update(repeating: 0, count: network.parameterCount)
                            return network.lossAndGradient(state.input, labels: state.labels, batch: size, normaliser: batch,
                                                           parameters: ps.buffer.baseAddress!, gradient: state.gradient,
                                                           workspace: state.workspace)
                        }
                    }
            }
            optimiser.learningRate = settings.schedule.rate(settings.learningRate, step: step, of: totalSteps)
            step += 1
            // The gradient is the chunks' gradients summed in chunk order, inside the update.
            optimiser.update(&parameters, gradientParts: chunks.prefix(used).map { UnsafePointer($0.gradient) }, team: team)
            for (loss, correct) in results {
                totalLoss += loss
                totalCorrect += correct
            }
        }
        let record = EpochRecord(epoch: epoch, loss: totalLoss / Double(count), trainAccuracy: Double(totalCorrect) / Double(count),
                                 seconds: Stopwatch.seconds(since: start))
        records.append(record)
        context.report(String(format: "epoch %d/%d: loss %.4f, training accuracy %.2f%%, %.1f s", epoch, settings.epochs,
                              record.loss, record.trainAccuracy * 100, record.seconds))
    }
    return (parameters, records)
}

/// One chunk's buffers, reused for every batch.
final class ChunkState: @unchecked Sendable {
    // @unchecked: chunk c of a batch is processed by one thread; batches run one after another.
    let workspace = Workspace()
    let input: UnsafeMutablePointer<Float>
    /// One sample before augmentation.
    let sample: UnsafeMutablePointer<Float>
    let labels: UnsafeMutablePointer<Int>
    let gradient: UnsafeMutablePointer<Float>
    private let labelCount: Int

    init(inputs: Int, sample: Int, parameters: Int) {
        input = .allocate(capacity: inputs)
        self.sample = .allocate(capacity: sample)
        labelCount = 64
        labels = .allocate(capacity: labelCount)
        labels.initialize(repeating: 0, count: labelCount)
        gradient = .allocate(capacity: max(parameters, 1))
    }

    deinit {
        input.deallocate()
        sample.deallocate()
        labels.deallocate()
        gradient.deallocate()
    }
}
