import BenchCore
import KernelSVM
import TestSupport
import Testing

@Suite struct KernelSVMTests {
    /// The model and the fit's diagnostics.
    func fitResult(_ training: LabeledImages, _ changes: [(name: String, value: HyperparameterValue)] = [],
                   threads: Int = 1) throws -> (model: SVMModel, diagnostics: Diagnostics) {
        let result = try KernelSVM.configured(changes).fit(training, seed: 0, context: ExecutionContext(threads: threads))
        return (try #require(result.model as? SVMModel), result.diagnostics)
    }

    func fit(_ training: LabeledImages, _ changes: [(name: String, value: HyperparameterValue)] = [], threads: Int = 1) throws -> SVMModel {
        try fitResult(training, changes, threads: threads).model
    }

    @Test(arguments: [1, 5, 8, 9, 16, 17, 37])
    func vectorKernelMatchesTheScalarFormula(count: Int) {
        var generator = SplitMix64(seed: UInt64(count))
        let dots = (0 ..< count).map { _ in generator.nextUnitFloat() * 40 }
        let norms = (0 ..< count).map { _ in generator.nextUnitFloat() * 80 }
        let kernels: [KernelFunction] = [.rbf(gamma: 0.05), .rbf(gamma: 2), .linear, .polynomial(gamma: 0.1, coef0: 1, degree: 3)]
        for kernel in kernels {
            var values = dots
            norms.withUnsafeBufferPointer { z in
                values.withUnsafeMutableBufferPointer { kernel.apply(to: $0.baseAddress!, count: count, squaredNorm: 30, z.baseAddress!) }
            }
            for t in 0 ..< count {
                let expected = kernel.value(dot: dots[t], squaredNorm: 30, norms[t])
                #expect(abs(values[t] - expected) <= 2e-6 * max(1, abs(expected)), "\(kernel), t = \(t)")
            }
        }
    }

    @Test func linearKernelOnASeparableSetDecidesByTheMaximalMarginLine() throws {
        // Two-pixel "images": class 0 at x₁ ≤ −1 and class 1 at x₁ ≥ 1 (pixels scaled by 1/4,
        // then shifted by 1 so none is always zero); the maximal-margin line is x₁ = 0.
        let points: [[Float]] = [[-3, 0], [-1, 1], [-1, -1], [-2, 2], [1, 1], [1, -1], [2, 0], [3, -2]]
        let features = FeatureMatrix(rows: 8, columns: 2, values: points.flatMap { $0 })
        let training = LabeledImages(images: ImageSet(height: 1, width: 2, features: features), labels: [0, 0, 0, 0, 1, 1, 1, 1], classCount: 2)
        let model = try fit(training, [("kernel", .choice("linear")), ("C", .real(1000)), ("tolerance", .real(1e-6))])
        let queries = ImageSet(height: 1, width: 2, features: FeatureMatrix(rows: 3, columns: 2, values: [0.5, 3, -0.25, -7, 4, 0]))
        let decisions = model.decisionValues(queries, context: ExecutionContext(threads: 1))
        // The pair is (0, 1) with class 0 positive: f(x) = −x₁.
        for (q, expected) in [-0.5, 0.25, -4].enumerated() {
            #expect(abs(Double(decisions[q][0]) - expected) < 1e-4, "query \(q): \(decisions[q][0])")
        }
        #expect(try model.predict(queries, context: ExecutionContext(threads: 1)).labels == [1, 0, 1])
    }

    /// 10 classes, and 20 (each digit split in two by the parity of its index), where the
    /// decision values come from 20 runs of support vectors each in 19 of 190 pairs.
    @Test(arguments: [10, 20])
    func fastPathMatchesThePlainReference(classes: Int) throws {
        // GEMM kernel rows, the row cache and prediction by GEMMs, against a per-pair solve
        // on a whole kernel matrix built with the scalar formula and decision values summed in
        // double precision. Both solve to a tight tolerance, so both are near the one optimum.
        let (sample, test) = try TestData.mnistSample(training: 300, test: 40)
        let training = classes == 10 ? sample
            : LabeledImages(images: sample.images, labels: sample.labels.indices.map { sample.labels[$0] + 10 * ($0 % 2) }, classCount: 20)
        let model = try fit(training, [("cacheMB", .integer(1)), ("rowBlock", .integer(5)), ("tolerance", .real(1e-5))])
        let fast = model.decisionValues(test.images, context: ExecutionContext(threads: 2))
        let kernel = KernelFunction.rbf(gamma: 0.05)
        let (trainingFeatures, testFeatures) = (training.images.features, test.images.features)
        for (p, pair) in model.pairs.enumerated() {
            let members = training.labels.indices.filter { [pair.positive, pair.negative].contains(training.labels[$0]) }
            let points = members.map { Array(trainingFeatures.row($0)) }
            let labels = members.map { training.labels[$0] == pair.positive ? 1.0 : -1.0 }
            let solution = SMOSolver(labels: labels, configuration: .init(C: 5, tolerance: 1e-5)).solve(PrecomputedKernel(kernel, features: points))
            for q in 0 ..< test.count {
                let x = Array(testFeatures.row(q))
                let xx = x.reduce(0) { $0 + $1 * $1 }
                var decision = solution.bias
                for (t, point) in points.enumerated() where solution.alpha[t] > 0 {
                    let k = kernel.value(dot: zip(point, x).reduce(0) { $0 + $1.0 * $1.1 }, squaredNorm: xx, point.reduce(0) { $0 + $1 * $1 })
                    decision += labels[t] * solution.alpha[t] * Double(k)
                }
                #expect(abs(Double(fast[q][p]) - decision) < 1e-3, "pair \(pair), test image \(q)")
            }
        }
    }

    @Test func predictionsDoNotDependOnThreadsOrTheCacheBudget() throws {
        let (training, test) = try TestData.mnistSample(training: 2000, test: 500)
        let (reference, referenceDiagnostics) = try fitResult(training, threads: 1)
        let (squeezed, squeezedDiagnostics) = try fitResult(training, [("cacheMB", .integer(1)), ("rowBlock", .integer(7))], threads: 2)
        #expect(reference.decisionValues(test.images, context: ExecutionContext(threads: 1))
            == squeezed.decisionValues(test.images, context: ExecutionContext(threads: 2)))
        // The small cache really was small: rows were computed more than once.
        #expect(squeezedDiagnostics.fact(named: "kernel rows") != referenceDiagnostics.fact(named: "kernel rows"))
        #expect(squeezedDiagnostics.fact(named: "SMO iterations") != nil)
        #expect(squeezedDiagnostics.fact(named: "SMO iterations") == referenceDiagnostics.fact(named: "SMO iterations"))
    }

    @Test func classifiesAnMNISTSubset() throws {
        let (training, test) = try TestData.mnistSample(training: 2000, test: 1000)
        let (model, diagnostics) = try fitResult(training, threads: 2)
        let predicted = try model.predict(test.images, context: ExecutionContext(threads: 2)).labels
        let accuracy = Double(zip(predicted, test.labels).count { $0 == $1 }) / Double(test.count)
        #expect(accuracy > 0.9, "accuracy \(accuracy)")
        #expect(model.pairs.count == 45)
        // One row per pair in the fit's `pairs` table, in the model's order of pairs.
        let pairs = try #require(diagnostics.tables.first { $0.id == "pairs" })
        #expect(pairs.columns == ["positive", "negative", "samples", "support_vectors", "bounded", "iterations", "gap", "seconds",
                                  "rows_computed", "row_requests"])
        #expect(pairs.rows.map { [$0[0], $0[1]] } == model.pairs.map { [.integer($0.positive), .integer($0.negative)] })
        #expect(diagnostics.fact(named: "class pairs") == "45")
    }

    @Test func oneClassIsAnError() throws {
        let (training, _) = try TestData.mnistSample(training: 200, test: 0)
        let ones = training.subset(training.labels.indices.filter { training.labels[$0] == 1 })
        #expect(throws: FitError.self) { try KernelSVM().fit(ones, seed: 0, context: ExecutionContext(threads: 1)) }
    }

    @Test func rejectsBadSettingsWithScikitLearnStyleMessages() throws {
        #expect(throws: ConfigurationError("The 'C' parameter of svm must be > 0. Got '-1' instead.")) {
            try KernelSVM.configured([("C", .real(-1))])
        }
        #expect(throws: ConfigurationError("The 'degree' parameter of svm must be in 1...10. Got '11' instead.")) {
            try KernelSVM.configured([("degree", .integer(11))])
        }
        let svm = try KernelSVM.configured([("kernel", .choice("polynomial")), ("gamma", .real(0.5)), ("coef0", .real(2)), ("degree", .integer(4))])
        #expect(svm.kernel == .polynomial(gamma: 0.5, coef0: 2, degree: 4))
    }

    /// `virtualShift` refits on the first fit's support vectors and their four one-pixel shifts
    /// (the count it reports is the plain fit's), and the result is what the method is for:
    /// on test images moved by a pixel it errs less than the plain SVM.
    @Test func virtualSupportVectorsRefitOnShiftedSupportVectorsAndToleratePixelShifts() throws {
        let (training, test) = try TestData.mnistSample(training: 1000, test: 500)
        let context = ExecutionContext(threads: 2)
        let (plain, plainDiagnostics) = try fitResult(training, threads: 2)
        let (virtual, diagnostics) = try fitResult(training, [("virtualShift", .integer(1))], threads: 2)
        let supportVectors = try #require(plainDiagnostics.fact(named: "support vectors")?.split(separator: " ").first.flatMap { Int($0) })
        let note = try #require(diagnostics.fact(named: "virtual support vectors"))
        #expect(note.contains("first fit on 1000 images: \(supportVectors) support vectors"), "\(note)")
        #expect(note.contains("(\(5 * supportVectors) images)"), "\(note)")
        #expect(plainDiagnostics.fact(named: "virtual support vectors") == nil)

        func errors(_ model: SVMModel, _ images: ImageSet) throws -> Int {
            zip(try model.predict(images, context: context).labels, test.labels).count { $0 != $1 }
        }
        let all = Array(0 ..< test.count)
        var plainShifted = 0, virtualShifted = 0
        for shift in PixelShift.fourWays(1) {
            let moved = test.images.translated(all, by: [shift])
            plainShifted += try errors(plain, moved)
            virtualShifted += try errors(virtual, moved)
        }
        #expect(virtualShifted < plainShifted * 3 / 4, "errors on shifted test images: \(virtualShifted) virtual, \(plainShifted) plain")
        #expect(try errors(virtual, test.images) <= errors(plain, test.images) + 5)
    }

    // MARK: - Scores and model archives

    /// An MNIST sample small enough to fit in a moment.
    func smallSample() throws -> (LabeledImages, LabeledImages) {
        try TestData.mnistSample(training: 300, test: 60, seed: 4)
    }

    @Test func scoresAreNormalisedVotesAndTheLabelHasTheMost() throws {
        let (training, test) = try smallSample()
        let model = try fit(training)
        let prediction = try model.predict(test.images, context: ExecutionContext(threads: 2))
        let decisions = model.decisionValues(test.images, context: ExecutionContext(threads: 1))
        #expect(prediction.scores.rows == test.count && prediction.scores.classCount == 10)
        for (image, label) in prediction.labels.enumerated() {
            let row = Array(prediction.scores.row(image))
            #expect(abs(row.reduce(0, +) - 1) < 1e-5, "image \(image)")
            // The most votes; ties to the lower class.
            #expect(row.firstIndex(of: row.max()!) == label, "image \(image)")
            var votes = [Int](repeating: 0, count: 10)
            for (p, pair) in model.pairs.enumerated() { votes[decisions[image][p] > 0 ? pair.positive : pair.negative] += 1 }
            #expect(row == votes.map { Float($0) / 45 }, "image \(image)")
        }
    }

    @Test(arguments: ["rbf", "linear", "polynomial"])
    func aDecodedModelGivesIdenticalLabelsAndScores(kernel: String) throws {
        let (training, test) = try smallSample()
        // Byte pixels are stored as bytes; scaled ones are not bytes / 255 and are stored as floats.
        let scaled = ImageSet(height: 28, width: 28,
                              features: FeatureMatrix(rows: training.count, columns: 784, values: training.images.features.values.map { $0 * 0.7 }))
        let changes: [(name: String, value: HyperparameterValue)] = [("kernel", .choice(kernel)), ("coef0", .real(0.5)), ("gamma", .real(0.03))]
        let svm = try KernelSVM.configured(changes)
        let context = ExecutionContext(threads: 2)
        for data in [training, LabeledImages(images: scaled, labels: training.labels, classCount: 10)] {
            let model = try fit(data, changes)
            let archive = model.archive
            let stored = try #require(archive.arrays.first { $0.name == "supportVectors" }?.array)
            #expect(stored.typeName == (data.images.bytes == nil ? "float32" : "uint8"))
            let decoded = try #require(try svm.decodeModel(archive) as? SVMModel)
            #expect(decoded.archive == archive)
            #expect(decoded.decisionValues(test.images, context: context) == model.decisionValues(test.images, context: context))
            #expect(try decoded.predict(test.images, context: context) == model.predict(test.images, context: context), "\(kernel)")
        }
    }

    @Test func decodingRejectsDamagedModels() throws {
        let (training, test) = try smallSample()
        let archive = try fit(training).archive
        #expect(try KernelSVM().decodeModel(archive).predict(test.images, context: ExecutionContext(threads: 1)).labels.count == test.count)
        let positives = try archive.integers("pairPositive"), negatives = try archive.integers("pairNegative")
        let active = try archive.integers("activeColumns"), vectors = try archive.bytes("supportVectors")

        let cases: [(String, ModelArchive)] = try [
            ("a pair class out of range", archive.changed { $0.put("pairPositive", integers: positives.replacing(at: 3, with: 10)) }),
            ("a negative pair class", archive.changed { $0.put("pairNegative", integers: negatives.replacing(at: 0, with: -1)) }),
            ("a class against itself", archive.changed { $0.put("pairNegative", integers: positives) }),
            ("pairs of different lengths", archive.changed { $0.put("pairPositive", integers: Array(positives.dropLast())) }),
            ("no pairs", archive.changed {
                $0.put("pairPositive", integers: [])
                $0.put("pairNegative", integers: [])
            }),
            ("active columns out of order", archive.changed { $0.put("activeColumns", integers: active.replacing(at: 5, with: active[4])) }),
            ("an active column outside the image", archive.changed { $0.put("activeColumns", integers: active.replacing(at: active.count - 1, with: 784)) }),
            ("a truncated support vector array", archive.changed { $0.put("supportVectors", bytes: Array(vectors.dropLast())) }),
            ("support vectors of another type", archive.changed { $0.put("supportVectors", integers: [1]) }),
            ("truncated coefficients", archive.changingFloats("coefficients") { $0.removeLast() }),
            ("a missing bias", archive.changingFloats("biases") { $0.removeLast() }),
            ("a non-finite coefficient", archive.changingFloats("coefficients") { $0[3] = .nan }),
            ("a support vector of two classes", archive.changingFloats("coefficients") {
                // Vector 0 is of class 0; a coefficient in a pair without class 0 gives it another.
                let other = positives.indices.first { positives[$0] != 0 && negatives[$0] != 0 }!
                $0[other] = 1
            }),
            ("a non-finite norm", archive.changingFloats("supportNorms") { $0[0] = .infinity }),
            ("no support vectors", archive.changed {
                $0.put("supportNorms", floats: [])
                $0.put("supportVectors", bytes: [])
                $0.put("coefficients", floats: [])
            }),
            ("an unknown kernel", archive.changed { $0.put("kernel", text: "sigmoid") }),
            ("a non-finite gamma", archive.changed { $0.put("gamma", float: .nan) }),
            ("a polynomial of degree 0", archive.changed {
                $0.put("kernel", text: "polynomial")
                $0.put("degree", integer: 0)
            }),
            ("another input size", archive.changed { $0.put("inputColumns", integer: 783) }),
            ("a missing array", archive.changed { $0 = ModelArchive(inputHeight: 28, inputWidth: 28, classCount: 10) }),
            ("one class", archive.changed { $0.classCount = 1 }),
        ]
        for (name, archive) in cases {
            #expect(throws: ModelArchiveError.self, "\(name)") { try KernelSVM().decodeModel(archive) }
        }
    }
}
