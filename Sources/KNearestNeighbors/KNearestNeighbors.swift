import BenchCore
import LinearAlgebra

/// k-nearest neighbours with Euclidean distance (Cover and Hart, "Nearest neighbor pattern
/// classification", IEEE Trans. Information Theory 13(1), 1967).
///
/// Fitting stores the training images. Prediction finds each query's k nearest exactly and
/// votes; a tie between classes goes to the one whose member is nearest. By default
/// (`projection` > 0) the search is two-stage: distances between projections onto the
/// training set's leading principal directions, computed block by block as
/// ‖p‖² − 2 p·p' + ‖p'‖² with one small GEMM per block, are lower bounds of the true
/// distances (``ProjectionBound``), and only the training images whose bound beats the
/// query's current k-th nearest get their exact distance. With `projection = 0` every
/// distance comes from the GEMM over all pixels.
public struct KNearestNeighbors: Classifier {
    public static let name = "knn"
    public static let title = "k-nearest neighbours"
    public static let hyperparameters: [Hyperparameter] = [
        Hyperparameter("k", .integer(kRange), default: .integer(3), help: "neighbours that vote"),
        Hyperparameter("queryBlock", .integer(queryBlockRange), default: .integer(256),
                       help: "test images per distance block (memory: queryBlock × trainingBlock floats per thread)"),
        Hyperparameter("projection", .integer(0 ... 4096), default: .integer(64),
                       help: "principal directions whose distances bound the true ones from below (0: every distance in full)"),
        Hyperparameter("trainingBlock", .integer(trainingBlockRange), default: .integer(8192),
                       help: "training images per distance block, rounded up to a multiple of 16"),
    ]

    /// The values `k`, `queryBlock` and `trainingBlock` may take, in settings and in model files.
    static let kRange = 1 ... 1000
    static let queryBlockRange = 16 ... 65_536
    static let trainingBlockRange = 16 ... 1_048_576

    public let settings: HyperparameterSettings
    /// Neighbours that vote.
    public let k: Int
    /// Test images per distance block.
    public let queryBlock: Int
    /// Principal directions of the bounded search; 0 for the plain search.
    public let projection: Int
    /// Training images per distance block, rounded up to a multiple of 16 (the GEMM's panel width).
    public let trainingBlock: Int

    public init(settings: HyperparameterSettings = KNearestNeighbors.defaultSettings) {
        self.settings = settings
        k = settings.integer("k")
        queryBlock = settings.integer("queryBlock")
        projection = settings.integer("projection")
        trainingBlock = (settings.integer("trainingBlock") + 15) / 16 * 16
    }

    /// Stores the training set and, for the bounded search, finds the projection. The
    /// projection's random start comes from `seed`; the neighbours found do not depend on it.
    /// - Returns: The model, and what it stores (search, pixels used, size) as diagnostics.
    /// - Throws: ``FitError`` when there are fewer than k training images.
    /// Measured on full MNIST, two cores: 0.55 s, nearly all of it the distance GEMM, which is
    /// proportional to training × scored images × pixels.
    public func estimatedSeconds(_ work: WorkSize) -> Double {
        0.05 * work.trainingScale + 0.5 * work.trainingScale * work.scoringScale * work.pixelScale
    }

    public func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> FitResult {
        guard training.count >= k else {
            throw FitError("knn: k = \(k) needs at least \(k) training images; got \(training.count)")
        }
        // Pixels that are zero in every training image add the same q_j² to all of a query's
        // distances, so they cannot change its neighbours: leave them out (on MNIST, 67 of 784).
        let active = training.images.activeColumns()
        let features = training.images.features(columns: active)
        let bound = projection > 0 && projection < features.columns
            ? ProjectionBound(features, dimensions: projection, seed: seed, threads: context.threads) : nil
        let model = NearestNeighborsModel(images: features, bound: bound, activeColumns: active,
                                          inputHeight: training.images.height, inputWidth: training.images.width,
                                          labels: training.labels, classCount: training.classCount,
                                          k: k, queryBlock: queryBlock, trainingBlock: trainingBlock, threads: context.threads)
        return FitResult(model: model, diagnostics: model.storageDiagnostics)
    }

    /// The model `archive` holds, rebuilt by the same construction as ``fit(_:seed:context:)``,
    /// so it predicts the same labels and scores, bit for bit. The block sizes and k come from
    /// the archive, not from this configuration.
    /// - Throws: ``ModelArchiveError`` when an array is missing or of another size or type, or
    ///   a value is out of range (see ``NearestNeighborsModel/init(decoding:)``).
    public func decodeModel(_ archive: ModelArchive) throws(ModelArchiveError) -> any FittedClassifier {
        try NearestNeighborsModel(decoding: archive)
    }
}
