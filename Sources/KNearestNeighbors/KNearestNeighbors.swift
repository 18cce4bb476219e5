import BenchCore
import LinearAlgebra

/// k-nearest neighbours with Euclidean distance (Cover and Hart, "Nearest neighbor pattern
/// classification", IEEE Trans. Information Theory 13(1), 1967).
///
/// Fitting only stores the training images (packed once for the GEMM) and their squared
/// norms. Prediction computes all query–training distances block by block as
/// ‖q‖² − 2 q·t + ‖t‖², the q·t part by one GEMM per block, keeps the k smallest per query,
/// and votes; a tie between classes goes to the one whose member is nearest.
public struct KNearestNeighbors: Classifier {
    public static let name = "knn"
    public static let title = "k-nearest neighbours"
    public static let hyperparameters: [Hyperparameter] = [
        Hyperparameter("k", .integer(1 ... 1000), default: .integer(3), help: "neighbours that vote"),
        Hyperparameter("queryBlock", .integer(16 ... 65_536), default: .integer(256),
                       help: "test images per distance block (memory: queryBlock × trainingBlock floats per thread)"),
        Hyperparameter("trainingBlock", .integer(16 ... 1_048_576), default: .integer(8192),
                       help: "training images per distance block, rounded up to a multiple of 16"),
    ]

    public let settings: HyperparameterSettings
    public var k: Int { settings.integer("k") }
    public var queryBlock: Int { settings.integer("queryBlock") }
    public var trainingBlock: Int { (settings.integer("trainingBlock") + 15) / 16 * 16 }

    public init(settings: HyperparameterSettings = KNearestNeighbors.defaultSettings) {
        self.settings = settings
    }

    /// Stores the training set. Nothing is random, so `seed` is unused.
    public func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> any FittedClassifier {
        guard training.count >= k else {
            throw FitError("knn: k = \(k) needs at least \(k) training images; got \(training.count)")
        }
        // Pixels that are zero in every training image add the same q_j² to all of a query's
        // distances, so they cannot change its neighbours: leave them out (on MNIST, 67 of 784).
        let active = training.images.features.activeColumns()
        let features = training.images.features.selecting(columns: active)
        let packed = features.values.withUnsafeBufferPointer { values in
            // B = Tᵀ: depth = active pixels, columns = training images.
            PackedRightOperand(MatrixOperand(values.baseAddress!, rows: features.columns, columns: features.rows, transposed: true),
                               threads: context.threads)
        }
        return NearestNeighborsModel(training: packed, activeColumns: active, inputColumns: training.images.pixelCount,
                                     squaredNorms: features.squaredRowNorms(), labels: training.labels,
                                     classCount: training.classCount, k: k, queryBlock: queryBlock, trainingBlock: trainingBlock)
    }
}
