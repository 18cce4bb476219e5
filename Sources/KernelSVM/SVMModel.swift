import BenchCore
import LinearAlgebra

/// A fitted one-vs-one SVM: the support vectors of all class pairs, stored once, and each
/// pair's coefficients y_t α_t and bias.
///
/// Prediction computes the kernel between a block of test images and the union of support
/// vectors once (one GEMM and one kernel pass), then the pairs' decision values, one small
/// GEMM per class: its support vectors' kernel values times their coefficients in the k − 1
/// pairs the class is in (``ClassCoefficients``). Each pair votes for its positive
/// class when its decision value is positive, else for its negative class; the class with the
/// most votes wins, ties going to the lower class (as in libsvm). The scores are the votes
/// normalised: each class's votes divided by the number of pairs.
public struct SVMModel: FittedClassifier {
    let kernel: KernelFunction
    public let classCount: Int
    public let inputHeight: Int
    public let inputWidth: Int
    /// The pairs, as (positive, negative) classes, in the order of the coefficient columns and
    /// of ``decisionValues(_:context:)``.
    public let pairs: [(positive: Int, negative: Int)]
    /// The input pixels used, in increasing order (the others are zero in every training image).
    let activeColumns: [Int]
    /// The support vectors' active pixels, one row each (`count × activeColumns.count`), in
    /// class-sorted order: the model's parameters.
    let supportVectors: FeatureMatrix
    /// The same as the GEMM's right-hand operand (`depth × count`), made by ``pack(_:)``.
    let packedSupportVectors: PackedRightOperand
    /// ‖x‖² of each support vector, as the kernel uses it.
    let supportNorms: [Float]
    /// `supportVectors.rows × pairs.count`, row-major: y_t α_t of each support vector in each
    /// pair (zero where it is not one of that pair's support vectors).
    let coefficients: [Float]
    /// b of each pair.
    let biases: [Float]
    /// ``coefficients`` by runs of support vectors of one class, without the pairs the class
    /// is not in: what ``decisions(queries:norms:count:)`` multiplies by.
    let classRuns: [ClassCoefficients]
    /// Test images per prediction block.
    let queryBlock = 256

    /// A model from its parameters; the one place the packed support vectors are made, for a
    /// fit and for a model read from an archive alike.
    /// - Precondition: every support vector's coefficients name one class
    ///   (``ClassCoefficients/classes(coefficients:pairs:count:)``; the decoder checks it).
    init(kernel: KernelFunction, classCount: Int, inputHeight: Int, inputWidth: Int, pairs: [(positive: Int, negative: Int)],
         activeColumns: [Int], supportVectors: FeatureMatrix, supportNorms: [Float], coefficients: [Float], biases: [Float]) {
        self.kernel = kernel
        self.classCount = classCount
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.pairs = pairs
        self.activeColumns = activeColumns
        self.supportVectors = supportVectors
        self.supportNorms = supportNorms
        self.coefficients = coefficients
        self.biases = biases
        packedSupportVectors = SVMModel.pack(supportVectors)
        let classes = (try? ClassCoefficients.classes(coefficients: coefficients, pairs: pairs, count: supportVectors.rows).get())
            ?? []
        precondition(classes.count == supportVectors.rows, "SVMModel: a support vector's coefficients name two classes")
        classRuns = ClassCoefficients.runs(classes: classes, coefficients: coefficients, pairs: pairs)
    }

    /// The support vectors (one per row) as the right-hand operand of the prediction GEMM.
    /// - Precondition: at least one support vector and one column.
    static func pack(_ vectors: FeatureMatrix) -> PackedRightOperand {
        vectors.values.withUnsafeBufferPointer {
            PackedRightOperand(MatrixOperand($0.baseAddress!, rows: vectors.columns, columns: vectors.rows, transposed: true))
        }
    }

    /// The model of a fit: the union of the pairs' support vectors, in class-sorted order.
    init(kernel: KernelFunction, training: ClassSortedTraining, solutions: [BinarySolution], classCount: Int,
         inputHeight: Int, inputWidth: Int) {
        var column = [Int](repeating: -1, count: training.count)
        var members = [Int]()
        for solved in solutions {
            for (t, alpha) in solved.solution.alpha.enumerated() where alpha > 0 {
                let s = solved.problem.sortedIndex(t, in: training)
                if column[s] < 0 {
                    column[s] = 0
                    members.append(s)
                }
            }
        }
        members.sort()
        for (c, s) in members.enumerated() { column[s] = c }
        var coefficients = [Float](repeating: 0, count: members.count * solutions.count)
        for (p, solved) in solutions.enumerated() {
            for (t, alpha) in solved.solution.alpha.enumerated() where alpha > 0 {
                let label = t < solved.problem.positiveCount ? 1.0 : -1.0
                coefficients[column[solved.problem.sortedIndex(t, in: training)] * solutions.count + p] = Float(label * alpha)
            }
        }
        self.init(kernel: kernel, classCount: classCount, inputHeight: inputHeight, inputWidth: inputWidth,
                  pairs: solutions.map { ($0.problem.positive, $0.problem.negative) }, activeColumns: training.activeColumns,
                  supportVectors: training.features.rows(at: members), supportNorms: members.map { training.squaredNorms[$0] },
                  coefficients: coefficients, biases: solutions.map { Float($0.solution.bias) })
    }

    /// Labels by the vote of the pairs (most votes, ties to the lower class), and as scores
    /// each class's votes divided by the number of pairs.
    public func classify(_ images: ImageSet, context: ExecutionContext) -> Prediction {
        var labels: [Int] = []
        var scores: [Float] = []
        labels.reserveCapacity(images.count)
        scores.reserveCapacity(images.count * classCount)
        let pairCount = Float(pairs.count)
        for decision in decisionValues(images, context: context) {
            let votes = self.votes(decision)
            labels.append(SVMModel.winner(votes))
            scores += votes.map { Float($0) / pairCount }
        }
        return Prediction(labels: labels, scores: ScoreMatrix(rows: images.count, classCount: classCount, values: scores)
                          ?? ScoreMatrix(empty: classCount))
    }

    /// Every pair's decision value Σ_t y_t α_t K(x_t, x) + b for every image (one array per
    /// image, in the order of ``pairs``): positive votes for the pair's positive class.
    public func decisionValues(_ images: ImageSet, context: ExecutionContext) -> [[Float]] {
        precondition(images.pixelCount == inputHeight * inputWidth,
                     "svm: model has \(inputHeight * inputWidth) features, images have \(images.pixelCount)")
        let queries = images.features(columns: activeColumns)
        // ‖x‖² over every pixel: a query may have ink where no training image has any, and for
        // the RBF kernel that ink is part of its distance to every support vector.
        let norms = images.squaredNorms()
        let blocks = (queries.rows + queryBlock - 1) / queryBlock
        return queries.values.withUnsafeBufferPointer { values in
            let shared = SharedReads(values)
            return parallelMap(blocks, threads: context.threads) { block -> [[Float]] in
                let first = block * queryBlock, count = min(queryBlock, queries.rows - first)
                return decisions(queries: shared.buffer.baseAddress! + first * queries.columns, norms: norms[first ..< first + count], count: count)
            }
        }.flatMap { $0 }
    }

    /// The decision values of `count` consecutive queries (active pixels only), given their
    /// squared norms (all pixels).
    func decisions(queries: UnsafePointer<Float>, norms: ArraySlice<Float>, count: Int) -> [[Float]] {
        let depth = activeColumns.count, n = packedSupportVectors.columns, p = pairs.count
        var kernelValues = [Float](repeating: 0, count: count * n)
        var values = [Float](repeating: 0, count: count * p)
        kernelValues.withUnsafeMutableBufferPointer { k in
            sgemm(MatrixOperand(queries, rows: count, columns: depth), packedSupportVectors,
                  into: MatrixDestination(k.baseAddress!, rows: count, columns: n), skippingZeroSteps: true)
            supportNorms.withUnsafeBufferPointer { z in
                for (q, norm) in norms.enumerated() {
                    kernel.apply(to: k.baseAddress! + q * n, count: n, squaredNorm: norm, z.baseAddress!)
                }
            }
            // Σ_t y_t α_t K(x_t, x), class run by class run: each run's kernel values times
            // its coefficients in the pairs of its class, added into those pairs' columns.
            for run in classRuns {
                let width = run.pairs.count
                var partial = [Float](repeating: 0, count: count * width)
                run.values.withUnsafeBufferPointer { c in
                    partial.withUnsafeMutableBufferPointer { out in
                        sgemm(MatrixOperand(k.baseAddress! + run.rows.lowerBound, rows: count, columns: run.rows.count, leadingDimension: n),
                              MatrixOperand(c.baseAddress!, rows: run.rows.count, columns: width),
                              into: MatrixDestination(out.baseAddress!, rows: count, columns: width))
                    }
                }
                for q in 0 ..< count {
                    for (j, pair) in run.pairs.enumerated() { values[q * p + pair] += partial[q * width + j] }
                }
            }
        }
        return (0 ..< count).map { q in (0 ..< p).map { values[q * p + $0] + biases[$0] } }
    }

    /// Each class's votes: pair p votes for its positive class when `decision[p] > 0`, else
    /// for its negative class.
    func votes(_ decision: [Float]) -> [Int] {
        var votes = [Int](repeating: 0, count: classCount)
        for (p, pair) in pairs.enumerated() { votes[decision[p] > 0 ? pair.positive : pair.negative] += 1 }
        return votes
    }

    /// The class with the most votes; ties go to the lower class.
    static func winner(_ votes: [Int]) -> Int {
        var winner = 0
        for c in 1 ..< votes.count where votes[c] > votes[winner] { winner = c }
        return winner
    }

    /// Bytes the model holds for prediction: the packed float32 support vectors, their norms,
    /// the coefficients and the biases.
    var byteCount: Int {
        packedSupportVectors.byteCount + (supportNorms.count + coefficients.count + biases.count) * MemoryLayout<Float>.size
    }
}
