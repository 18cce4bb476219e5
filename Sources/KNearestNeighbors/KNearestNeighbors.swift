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
        let active = activeColumns(training.images.features)
        let features = select(columns: active, of: training.images.features)
        let packed = features.values.withUnsafeBufferPointer { values in
            // B = Tᵀ: depth = active pixels, columns = training images.
            PackedRightOperand(MatrixOperand(values.baseAddress!, rows: features.columns, columns: features.rows, transposed: true),
                               threads: context.threads)
        }
        return NearestNeighborsModel(training: packed, activeColumns: active, inputColumns: training.images.pixelCount,
                                     squaredNorms: squaredNorms(features), labels: training.labels,
                                     classCount: training.classCount, k: k, queryBlock: queryBlock, trainingBlock: trainingBlock)
    }
}

/// The columns with at least one nonzero value.
func activeColumns(_ matrix: FeatureMatrix) -> [Int] {
    var used = [Bool](repeating: false, count: matrix.columns)
    matrix.values.withUnsafeBufferPointer { values in
        for r in 0 ..< matrix.rows {
            for j in 0 ..< matrix.columns where values[r * matrix.columns + j] != 0 { used[j] = true }
        }
    }
    return used.indices.filter { used[$0] }
}

/// The matrix with only the given columns, in that order.
func select(columns: [Int], of matrix: FeatureMatrix) -> FeatureMatrix {
    if columns.count == matrix.columns { return matrix }
    let width = columns.count
    let values = [Float](unsafeUninitializedCapacity: matrix.rows * width) { out, initialized in
        matrix.values.withUnsafeBufferPointer { source in
            for r in 0 ..< matrix.rows {
                for (c, j) in columns.enumerated() { out[r * width + c] = source[r * matrix.columns + j] }
            }
        }
        initialized = matrix.rows * width
    }
    return FeatureMatrix(rows: matrix.rows, columns: columns.count, values: values)
}

/// ‖row‖² for every row.
func squaredNorms(_ matrix: FeatureMatrix) -> [Float] {
    matrix.values.withUnsafeBufferPointer { values in
        (0 ..< matrix.rows).map { r in
            var sum: Float = 0
            for j in 0 ..< matrix.columns { sum += values[r * matrix.columns + j] * values[r * matrix.columns + j] }
            return sum
        }
    }
}
