import BenchCore
import LinearAlgebra

/// A change of variables that whitens the inputs, used to precondition L-BFGS.
///
/// Why: gradient methods on a linear model converge at a rate set by the conditioning of the
/// inputs' second moments, and MNIST's pixels are far from isotropic (the covariance's largest
/// eigenvalue is about 5, while many pixels hardly vary). Centring and decorrelating the inputs
/// is the classic remedy (LeCun, Bottou, Orr and Müller, "Efficient BackProp", 1998, §4.3).
/// Here the data are not transformed (that would destroy their sparsity); the *parameters*
/// are. With C the inputs' covariance, μ their mean and L Lᵀ = C + δI the Cholesky factor of
/// the shrunk covariance, the optimiser works on (V, c) with
///
///     W = L⁻ᵀ V,   b = c − Wᵀμ,   so that   x W + b = (x − μ) L⁻ᵀ V + c,
///
/// i.e. on a model whose inputs (x − μ) L⁻ᵀ have covariance I − δ(C + δI)⁻¹: eigenvalues
/// λ/(λ + δ), near 1 in the directions where the pixels vary most. (Any matrix P with
/// Pᵀ(C + δI)P = I whitens; Kessy, Lewin and Strimmer, "Optimal whitening and decorrelation",
/// *The American Statistician* 72(4), 2018, compare the choices. L⁻ᵀ is the cheapest to
/// compute, and L-BFGS does not care which: they differ by a rotation.) The objective is
/// still evaluated on W and b, penalty included, so its minimum is the same; only the path to it
/// changes. Measured on MNIST: 30 iterations reach a lower objective than 100 without it.
///
/// The covariance is estimated on evenly spaced sample rows (2,000 by default: a
/// preconditioner need not be exact), and shrunk by δ = `shrinkage` × the mean variance, which
/// bounds how far a pixel that barely varies is stretched. Pixels constant in the sample have
/// no covariance with anything: L is √δ there, so they are left out of the factorisation and
/// scaled by 1/√δ directly.
/// - Complexity: m·a² for the covariance of the a varying pixels (one GEMM), a³/3 for the
///   factor and its inverse, then 2·a²·K per evaluation for the two maps (two GEMMs).
public struct Whitening: Sendable {
    /// Input features d.
    public let features: Int
    /// Classes K (columns of W).
    public let classes: Int
    /// μ, the sample mean of the inputs.
    public let mean: [Float]
    /// The features that vary in the sample, in increasing order.
    public let varying: [Int]
    /// 1/√δ, the scale of the features constant in the sample.
    let constantScale: Float
    /// M = L⁻¹ (lower triangular, on the varying features), packed as the right-hand operand
    /// of Vᵀ M = (MᵀV)ᵀ = Wᵀ.
    let inverseFactor: PackedRightOperand
    /// Mᵀ, packed as the right-hand operand of Gᵀ Mᵀ = (M G)ᵀ.
    let inverseFactorTransposed: PackedRightOperand

    /// Estimates the whitening from `sampleRows` evenly spaced rows of `data`.
    /// - Throws: `FitError` when the shrunk covariance is not positive definite: the sampled
    ///   rows hold non-finite features (features outside the sample are not checked here).
    public init(_ data: FeatureMatrix, classes: Int, sampleRows: Int, shrinkage: Double, threads: Int) throws {
        precondition(data.rows > 0, "Whitening: no rows")
        let d = data.columns, m = min(max(sampleRows, 1), data.rows)
        let rows = (0 ..< m).map { $0 * data.rows / m }
        var mean = [Double](repeating: 0, count: d)
        var varies = [Bool](repeating: false, count: d)
        data.values.withUnsafeBufferPointer { values in
            for row in rows {
                for j in 0 ..< d {
                    mean[j] += Double(values[row * d + j])
                    if values[row * d + j] != values[j] { varies[j] = true }
                }
            }
        }
        for j in 0 ..< d { mean[j] /= Double(m) }
        let varying = (0 ..< d).filter { varies[$0] }, a = varying.count
        // The varying features of the sample rows, centred, in one dense m × a matrix.
        var sample = [Float](repeating: 0, count: m * a)
        data.values.withUnsafeBufferPointer { values in
            for (s, row) in rows.enumerated() {
                for (i, j) in varying.enumerated() { sample[s * a + i] = values[row * d + j] - Float(mean[j]) }
            }
        }
        // C = X̃ᵀX̃ / m.
        var covariance = [Float](repeating: 0, count: a * a)
        if a > 0 {
            sample.withUnsafeBufferPointer { x in
                covariance.withUnsafeMutableBufferPointer { c in
                    sgemm(MatrixOperand(x.baseAddress!, rows: a, columns: m, transposed: true),
                          MatrixOperand(x.baseAddress!, rows: m, columns: a),
                          into: MatrixDestination(c.baseAddress!, rows: a, columns: a), alpha: 1 / Float(m), threads: threads)
                }
            }
        }
        var shrunk = covariance.map(Double.init)
        let meanVariance = (0 ..< a).reduce(0.0) { $0 + shrunk[$1 * a + $1] } / Double(d)
        // All-constant inputs have no variance to scale by: any positive δ then does. The floor
        // keeps δ above the single-precision rounding of the covariance, which can make a
        // rank-deficient sample's smallest eigenvalues slightly negative.
        let largestVariance = (0 ..< a).reduce(0.0) { max($0, shrunk[$1 * a + $1]) }
        let delta = max(shrinkage * (meanVariance > 0 ? meanVariance : 1), 1e-5 * largestVariance)
        for i in 0 ..< a { shrunk[i * a + i] += delta }
        let factor: CholeskyFactor
        do {
            factor = try CholeskyFactor(shrunk, order: a)
        } catch {
            throw FitError("softmax: cannot whiten the inputs: the covariance of the sampled rows is not positive definite (are some features NaN or infinite?)")
        }
        // (One placeholder element when no feature varies, so that the buffer has an address.)
        let inverse = a > 0 ? factor.inverse().map(Float.init) : [0]
        (inverseFactor, inverseFactorTransposed) = inverse.withUnsafeBufferPointer { m in
            (PackedRightOperand(MatrixOperand(m.baseAddress!, rows: a, columns: a), threads: threads),
             PackedRightOperand(MatrixOperand(m.baseAddress!, rows: a, columns: a, transposed: true), threads: threads))
        }
        self.features = d
        self.classes = classes
        self.mean = mean.map(Float.init)
        self.varying = varying
        self.constantScale = Float(1 / delta.squareRoot())
    }

    /// Length of the optimiser's vector (V, then c): the same as the model's (W, then b).
    public var parameterCount: Int { (features + 1) * classes }

    /// The model's parameters (W, then b, as `SoftmaxObjective` lays them out) for the
    /// optimiser's `z` = (V, then c): W = L⁻ᵀV, b = c − Wᵀμ.
    public func parameters(_ z: [Double]) -> [Double] {
        let d = features, k = classes, a = varying.count
        var theta = [Double](repeating: 0, count: (d + 1) * k)
        // Constant features: W = V / √δ.
        for j in 0 ..< d {
            for c in 0 ..< k { theta[j * k + c] = Double(Float(z[j * k + c]) * constantScale) }
        }
        // Varying features: Wᵀ = Vᵀ M, so that the a × a factor is the packed right operand.
        var vTransposed = [Float](repeating: 0, count: k * a)
        for (i, j) in varying.enumerated() {
            for c in 0 ..< k { vTransposed[c * a + i] = Float(z[j * k + c]) }
        }
        let wTransposed = multiply(vTransposed, by: inverseFactor)
        for (i, j) in varying.enumerated() {
            for c in 0 ..< k { theta[j * k + c] = Double(wTransposed[c * a + i]) }
        }
        for c in 0 ..< k {
            var shift = 0.0
            for j in 0 ..< d { shift += Double(mean[j]) * theta[j * k + c] }
            theta[d * k + c] = z[d * k + c] - shift
        }
        return theta
    }

    /// The gradient with respect to `z` from the gradient with respect to the model's
    /// parameters: ∂/∂V = L⁻¹ (∂/∂W − μ (∂/∂b)ᵀ), ∂/∂c = ∂/∂b.
    public func pullBack(_ gradient: [Double], into zGradient: inout [Double]) {
        let d = features, k = classes, a = varying.count
        // G = ∂/∂W − μ (∂/∂b)ᵀ; constant features: ∂/∂V = G / √δ.
        var g = [Float](repeating: 0, count: d * k)
        for j in 0 ..< d {
            for c in 0 ..< k {
                g[j * k + c] = Float(gradient[j * k + c] - Double(mean[j]) * gradient[d * k + c])
                zGradient[j * k + c] = Double(g[j * k + c] * constantScale)
            }
        }
        // Varying features: (M G)ᵀ = Gᵀ Mᵀ.
        var gTransposed = [Float](repeating: 0, count: k * a)
        for (i, j) in varying.enumerated() {
            for c in 0 ..< k { gTransposed[c * a + i] = g[j * k + c] }
        }
        let pulled = multiply(gTransposed, by: inverseFactorTransposed)
        for (i, j) in varying.enumerated() {
            for c in 0 ..< k { zGradient[j * k + c] = Double(pulled[c * a + i]) }
        }
        for c in 0 ..< k { zGradient[d * k + c] = gradient[d * k + c] }
    }

    /// `left` (K × a, row-major) times the packed a × a `right`.
    private func multiply(_ left: [Float], by right: PackedRightOperand) -> [Float] {
        let k = classes, a = varying.count
        var result = [Float](repeating: 0, count: k * a)
        guard a > 0 else { return result }
        left.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { c in
                sgemm(MatrixOperand(x.baseAddress!, rows: k, columns: a), right,
                      into: MatrixDestination(c.baseAddress!, rows: k, columns: a))
            }
        }
        return result
    }
}
