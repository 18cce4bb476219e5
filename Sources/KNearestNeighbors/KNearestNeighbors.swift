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
        Hyperparameter("k", .integer(1 ... 1000), default: .integer(3), help: "neighbours that vote"),
        Hyperparameter("queryBlock", .integer(16 ... 65_536), default: .integer(256),
                       help: "test images per distance block (memory: queryBlock × trainingBlock floats per thread)"),
        Hyperparameter("projection", .integer(0 ... 4096), default: .integer(64),
                       help: "principal directions whose distances bound the true ones from below (0: every distance in full)"),
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

    /// Stores the training set and, for the bounded search, finds the projection. The
    /// projection's random start comes from `seed`; the neighbours found do not depend on it.
    public func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> any FittedClassifier {
        guard training.count >= k else {
            throw FitError("knn: k = \(k) needs at least \(k) training images; got \(training.count)")
        }
        // Pixels that are zero in every training image add the same q_j² to all of a query's
        // distances, so they cannot change its neighbours: leave them out (on MNIST, 67 of 784).
        let active = training.images.features.activeColumns()
        let features = training.images.features.selecting(columns: active)
        let dimensions = settings.integer("projection")
        let search: NearestNeighborsModel.Search
        let operand: FeatureMatrix
        let operandNorms: [Float]
        if dimensions > 0 && dimensions < features.columns {
            let bound = ProjectionBound(features, dimensions: dimensions, seed: seed, threads: context.threads)
            let projected = features.values.withUnsafeBufferPointer {
                bound.project($0.baseAddress!, count: features.rows, threads: context.threads)
            }
            search = .bounded(bound: bound, images: features)
            operand = FeatureMatrix(rows: features.rows, columns: bound.dimensions, values: projected.values)
            operandNorms = zip(operand.squaredRowNorms(), projected.centredNorms).map { $0 - NearestNeighborsModel.margin * $1 }
        } else {
            search = .plain
            operand = features
            operandNorms = features.squaredRowNorms()
        }
        let packed = operand.values.withUnsafeBufferPointer { values in
            // B = Tᵀ: depth = dimensions, columns = training images.
            PackedRightOperand(MatrixOperand(values.baseAddress!, rows: operand.columns, columns: operand.rows, transposed: true),
                               threads: context.threads)
        }
        return NearestNeighborsModel(search: search, packed: packed, packedNorms: operandNorms, activeColumns: active,
                                     inputColumns: training.images.pixelCount, labels: training.labels,
                                     classCount: training.classCount, k: k, queryBlock: queryBlock, trainingBlock: trainingBlock,
                                     statistics: SearchStatistics())
    }
}
