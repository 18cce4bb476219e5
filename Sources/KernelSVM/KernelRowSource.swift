/// Where ``SMOSolver`` gets its kernel rows: the fit's cache (``KernelRowCache``), or a whole
/// precomputed matrix (``PrecomputedKernel``) for small problems and tests.
public protocol KernelRowSource: AnyObject {
    /// K(x_t, x_t) for every sample.
    var diagonal: [Float] { get }
    /// Marks the start of an iteration: rows returned after this stay valid until the next call.
    func beginIteration()
    /// K(x_i, ·). `priorities(limit)` lists the first `limit` (or all, if fewer) of the
    /// samples whose rows are likely wanted next, most wanted first; a source may compute
    /// them along with row i.
    func row(_ i: Int, priorities: (_ limit: Int) -> [Int]) -> UnsafePointer<Float>
}

/// A whole n × n kernel matrix held in memory.
public final class PrecomputedKernel: KernelRowSource {
    public let count: Int
    public let diagonal: [Float]
    private let values: UnsafeMutablePointer<Float>

    /// The matrix `values` (`count × count`, row-major).
    public init(count: Int, values: [Float]) {
        precondition(values.count == count * count, "PrecomputedKernel: \(values.count) values for \(count) samples")
        self.count = count
        self.values = .allocate(capacity: max(1, values.count))
        self.values.initialize(from: values, count: values.count)
        diagonal = (0 ..< count).map { values[$0 * count + $0] }
    }

    deinit { values.deallocate() }

    /// K(x_s, x_t) for the rows of `features`, by the kernel's plain scalar formula.
    public convenience init(_ kernel: KernelFunction, features: [[Float]]) {
        let norms = features.map { x in x.reduce(0) { $0 + $1 * $1 } }
        let values = features.indices.flatMap { s in
            features.indices.map { t in
                kernel.value(dot: zip(features[s], features[t]).reduce(0) { $0 + $1.0 * $1.1 }, squaredNorm: norms[s], norms[t])
            }
        }
        self.init(count: features.count, values: values)
    }

    public func beginIteration() {}

    public func row(_ i: Int, priorities: (_ limit: Int) -> [Int]) -> UnsafePointer<Float> {
        UnsafePointer(values + i * count)
    }

    /// K(x_s, x_t).
    public subscript(s: Int, t: Int) -> Float { values[s * count + t] }
}
