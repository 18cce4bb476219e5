import BenchCore
import RandomForest
import TestSupport
import Testing

@Suite struct RandomForestTests {
    func settings(_ values: [String: HyperparameterValue]) throws -> HyperparameterSettings {
        var settings = RandomForest.defaultSettings
        for (name, value) in values { try settings.set(name, value) }
        return settings
    }

    /// The forest and the fit's diagnostics.
    func fitResult(_ data: LabeledImages, _ values: [String: HyperparameterValue] = [:], seed: UInt64 = 1,
                   threads: Int = 2) throws -> (model: ForestModel, diagnostics: Diagnostics) {
        let result = try RandomForest(settings: settings(values)).fit(data, seed: seed, context: ExecutionContext(threads: threads))
        return (try #require(result.model as? ForestModel), result.diagnostics)
    }

    func fit(_ data: LabeledImages, _ values: [String: HyperparameterValue] = [:], seed: UInt64 = 1,
             threads: Int = 2) throws -> ForestModel {
        try fitResult(data, values, seed: seed, threads: threads).model
    }

    /// The pixel importances a fit reported.
    func importances(_ diagnostics: Diagnostics) throws -> [Double] {
        try #require(diagnostics.maps.first { $0.id == "importances" }).values
    }

    /// The fraction of `predicted` equal to `truth`.
    func fractionCorrect(_ predicted: [Int], _ truth: [Int]) -> Double {
        Double(zip(predicted, truth).count { $0 == $1 }) / Double(truth.count)
    }

    /// The same images without their byte view, so the forest takes the float path.
    func asFloats(_ images: ImageSet) -> ImageSet {
        ImageSet(height: images.height, width: images.width, features: images.features)
    }

    /// Seven two-pixel images with one best CART tree:
    /// pixel 0 ≤ 115 → class 0; else pixel 1 ≤ 110 → class 1; else class 2.
    /// Root: {0,0,0} | {1,1,2,2} on pixel 0 scores 9/3 + 8/4 = 5; the best split on pixel 1
    /// scores 4.6. Right node: pixel 1 separates 1 from 2 (score 4); pixel 0 at best 8/3.
    let toy = LabeledImages(
        images: ImageSet(height: 1, width: 2, bytes: [10, 100, 20, 110, 30, 120, 201, 10, 225, 20, 210, 201, 230, 210]),
        labels: [0, 0, 0, 1, 1, 2, 2], classCount: 3)

    @Test func growsTheKnownTreeOnAToySet() throws {
        let single: [String: HyperparameterValue] = ["trees": .integer(1), "bootstrap": .boolean(false), "maxFeatures": .integer(2)]
        for data in [toy, LabeledImages(images: asFloats(toy.images), labels: toy.labels, classCount: 3)] {
            let (model, diagnostics) = try fitResult(data, single)
            let tree = try #require(model.trees.first)
            #expect(tree.nodes.map(\.feature) == [0, -1, 1, -1, -1])
            #expect(tree.nodes.map(\.child) == [1, 0, 3, 1, 2])
            // Midpoints of the neighbouring training values 30 | 201 and 20 | 201, in 0–1 units.
            #expect(tree.nodes[0].threshold == (Float(30) / 255) / 2 + (Float(201) / 255) / 2)
            #expect(tree.nodes[2].threshold == (Float(20) / 255) / 2 + (Float(201) / 255) / 2)
            if data.images.bytes != nil {
                #expect(tree.nodes[0].byteThreshold == 115 && tree.nodes[2].byteThreshold == 110)
            }
            #expect(tree.leafValues == [1, 0, 0, 0, 1, 0, 0, 0, 1])
            #expect(tree.depth == 2)
            // Decreases 5 − 17/7 = 18/7 (pixel 0) and 4 − 8/4 = 2 (pixel 1), normalised.
            let decreases = try importances(diagnostics)
            #expect(abs(decreases[0] - 18.0 / 32) < 1e-12)
            #expect(abs(decreases[1] - 14.0 / 32) < 1e-12)
            let queries: [UInt8] = [0, 255, 255, 0, 255, 255, 115, 0, 116, 110, 116, 111]
            for images in [ImageSet(height: 1, width: 2, bytes: queries), asFloats(ImageSet(height: 1, width: 2, bytes: queries))] {
                #expect(try model.predict(images, context: ExecutionContext(threads: 1)).labels == [0, 1, 2, 0, 1, 2])
            }
        }
    }

    @Test func bytesAndFloatsGrowTheSameForest() throws {
        // 2,500 images without bootstrap: the root reads the full columns, the deeper nodes
        // node-local blocks; the float path reads the full matrix throughout.
        let (training, test) = try TestData.mnistSample(training: 2_500, test: 500, seed: 5)
        let floats = LabeledImages(images: asFloats(training.images), labels: training.labels, classCount: training.classCount)
        for bootstrap in [false, true] {
            let values: [String: HyperparameterValue] = ["trees": .integer(3), "bootstrap": .boolean(bootstrap)]
            let fromBytes = try fit(training, values), fromFloats = try fit(floats, values)
            for (a, b) in zip(fromBytes.trees, fromFloats.trees) {
                #expect(a.nodes.map(\.feature) == b.nodes.map(\.feature), "bootstrap \(bootstrap)")
                #expect(a.nodes.map(\.threshold) == b.nodes.map(\.threshold), "bootstrap \(bootstrap)")
                #expect(a.nodes.map(\.child) == b.nodes.map(\.child), "bootstrap \(bootstrap)")
                #expect(a.leafValues == b.leafValues, "bootstrap \(bootstrap)")
            }
            let context = ExecutionContext(threads: 2)
            let predicted = try fromBytes.predict(test.images, context: context)
            #expect(try predicted.labels == fromBytes.predict(asFloats(test.images), context: context).labels)
            #expect(try predicted.labels == fromFloats.predict(test.images, context: context).labels)
            #expect(try predicted.scores == fromFloats.predict(test.images, context: context).scores)
        }
    }

    @Test func bytesAndFloatsAgreeOnImagesOfAnOddSize() throws {
        // 27 × 27 crops: 729 pixels, not a multiple of 8 or 32, and 1,001 images, not a
        // multiple of 8, so every tail of the block copy is used.
        let (training, _) = try TestData.mnistSample(training: 1_001, test: 1, seed: 6)
        let bytes = training.images.bytes!
        var cropped: [UInt8] = []
        for image in 0 ..< training.count {
            for row in 0 ..< 27 { cropped += bytes[image * 784 + row * 28 ..< image * 784 + row * 28 + 27] }
        }
        let images = ImageSet(height: 27, width: 27, bytes: cropped)
        let values: [String: HyperparameterValue] = ["trees": .integer(2), "bootstrap": .boolean(false)]
        let fromBytes = try fit(LabeledImages(images: images, labels: training.labels, classCount: 10), values)
        let fromFloats = try fit(LabeledImages(images: asFloats(images), labels: training.labels, classCount: 10), values)
        #expect(fromBytes.trees.map { $0.nodes.map(\.threshold) } == fromFloats.trees.map { $0.nodes.map(\.threshold) })
        #expect(fromBytes.trees.map { $0.nodes.map(\.feature) } == fromFloats.trees.map { $0.nodes.map(\.feature) })
        #expect(fromBytes.trees.map(\.leafValues) == fromFloats.trees.map(\.leafValues))
    }

    @Test func threadsDoNotChangeTheForest() throws {
        let (training, test) = try TestData.mnistSample(training: 3_000, test: 500, seed: 3)
        let values: [String: HyperparameterValue] = ["trees": .integer(8)]
        let (one, oneDiagnostics) = try fitResult(training, values, seed: 9, threads: 1)
        let (two, twoDiagnostics) = try fitResult(training, values, seed: 9, threads: 2)
        #expect(one.trees == two.trees)
        #expect(try importances(oneDiagnostics) == importances(twoDiagnostics))
        #expect(try one.predict(test.images, context: ExecutionContext(threads: 1))
            == two.predict(test.images, context: ExecutionContext(threads: 2)))
        // Another seed grows another forest.
        #expect(try fit(training, values, seed: 10).trees != one.trees)
    }

    @Test func classifiesARealMNISTSubset() throws {
        let (training, test) = try TestData.mnistSample(training: 5_000, test: 1_000)
        let model = try fit(training, ["trees": .integer(50)], seed: 0)
        let accuracy = try fractionCorrect(model.predict(test.images, context: ExecutionContext(threads: 2)).labels, test.labels)
        // About 97% with all 60,000 training images and 100 trees; 5,000 and 50 give a few points less.
        #expect(accuracy > 0.91, "accuracy \(accuracy)")
        // Fully grown trees fit their bootstrap samples, so the forest is near-perfect on training data.
        let trainingAccuracy = try fractionCorrect(model.predict(training.images, context: ExecutionContext(threads: 2)).labels, training.labels)
        #expect(trainingAccuracy > 0.99, "training accuracy \(trainingAccuracy)")
    }

    @Test func importancesSumToOneAndAreReported() throws {
        let (training, _) = try TestData.mnistSample(training: 2_000, test: 10, seed: 2)
        let (model, diagnostics) = try fitResult(training, ["trees": .integer(10)])
        let map = try #require(diagnostics.maps.first { $0.id == "importances" })
        #expect(map.valueName == "importance")
        #expect(map.rows == 28 && map.columns == 28)
        let values = map.values
        #expect(values.count == 784)
        #expect(abs(values.reduce(0, +) - 1) < 1e-9)
        #expect(values.allSatisfy { $0 >= 0 })
        // MNIST's corner pixels are 0 in every image, so no tree can split on them.
        #expect(values[0] == 0 && values[783] == 0)
        #expect(diagnostics.fact(named: "model size")?.hasPrefix("\(model.byteCount) bytes") == true)
        #expect(diagnostics.fact(named: "trees") == "10")
        #expect(diagnostics.fact(named: "candidate features per split") == "28 of 784")
    }

    @Test func maxDepthAndMinSamplesLeafLimitTheTrees() throws {
        let (training, _) = try TestData.mnistSample(training: 1_000, test: 10, seed: 4)
        let shallow = try fit(training, ["trees": .integer(4), "maxDepth": .integer(3)])
        #expect(shallow.trees.allSatisfy { $0.depth <= 3 && $0.leafCount <= 8 })
        let full = try fit(training, ["trees": .integer(4)])
        let coarse = try fit(training, ["trees": .integer(4), "minSamplesLeaf": .integer(20)])
        // A leaf holds at least 20 distinct images, and the bootstrap sample has at most 1,000.
        #expect(coarse.trees.allSatisfy { $0.leafCount <= 1_000 / 20 })
        #expect(full.leafCount > coarse.leafCount)
        // Fully grown trees have pure leaves.
        #expect(full.trees.allSatisfy { tree in tree.leafValues.allSatisfy { $0 == 0 || $0 == 1 } })
    }

    @Test func rejectsBadSettingsWithScikitLearnStyleMessages() throws {
        #expect(throws: ConfigurationError("The 'trees' parameter of forest must be in 1...10000. Got '0' instead.")) {
            try RandomForest.configured([("trees", .integer(0))])
        }
        #expect(throws: ConfigurationError("The 'minSamplesLeaf' parameter of forest must be in 1...1000000. Got '-2' instead.")) {
            try RandomForest.configured([("minSamplesLeaf", .integer(-2))])
        }
        // Settings of another classifier are refused, not read.
        let svmSettings = HyperparameterSettings(owner: "svm", parameters: [Hyperparameter("C", .real(minimum: 0, inclusive: false, maximum: 1),
                                                                                            default: .real(1), help: "")])
        #expect(throws: ConfigurationError.self) { try RandomForest(settings: svmSettings) }
        let forest = try RandomForest.configured([("maxFeatures", .integer(3))])
        do {
            _ = try forest.fit(toy, seed: 0, context: ExecutionContext(threads: 1))
            Issue.record("maxFeatures 3 on 2 features should not fit")
        } catch let error as FitError {
            #expect(error.message == "The 'maxFeatures' parameter of forest must be 0 (⌊√features⌋) or at most the number of features per image (2). Got 3 instead.")
        }
        let empty = LabeledImages(images: ImageSet(height: 1, width: 2, bytes: []), labels: [], classCount: 2)
        #expect(throws: FitError.self) { try RandomForest().fit(empty, seed: 0, context: ExecutionContext(threads: 1)) }
        let infinite = LabeledImages(images: ImageSet(height: 1, width: 1, features: FeatureMatrix(rows: 2, columns: 1, values: [0, .infinity])),
                                     labels: [0, 1], classCount: 2)
        #expect(throws: FitError.self) { try RandomForest().fit(infinite, seed: 0, context: ExecutionContext(threads: 1)) }
    }

    @Test func aSingleClassGivesOneLeaf() throws {
        let data = LabeledImages(images: ImageSet(height: 1, width: 2, bytes: [1, 2, 3, 4, 5, 6]), labels: [1, 1, 1], classCount: 3)
        let (model, diagnostics) = try fitResult(data, ["trees": .integer(3)])
        #expect(model.trees.allSatisfy { $0.nodes.count == 1 && Array($0.leafValues) == [0, 1, 0] })
        #expect(try model.predict(data.images, context: ExecutionContext(threads: 1)).labels == [1, 1, 1])
        #expect(try importances(diagnostics) == [0, 0])
    }

    // MARK: - Scores and model archives

    @Test func scoreRowsSumToOneAndTheLabelHasTheLargestScore() throws {
        let (training, test) = try TestData.mnistSample(training: 1_500, test: 300, seed: 8)
        for trees in [1, 7] {
            let model = try fit(training, ["trees": .integer(trees)])
            let prediction = try model.predict(test.images, context: ExecutionContext(threads: 2))
            #expect(prediction.scores.rows == test.count && prediction.scores.classCount == 10)
            for (image, label) in prediction.labels.enumerated() {
                let row = prediction.scores.row(image)
                #expect(abs(row.reduce(0, +) - 1) < 1e-5, "trees \(trees), image \(image)")
                #expect(row.allSatisfy { $0 >= 0 })
                #expect(prediction.scores[image, label] == row.max(), "trees \(trees), image \(image)")
            }
        }
    }

    @Test func aDecodedForestGivesIdenticalLabelsAndScores() throws {
        let (training, test) = try TestData.mnistSample(training: 1_500, test: 300, seed: 9)
        let floats = LabeledImages(images: asFloats(training.images), labels: training.labels, classCount: training.classCount)
        let forest = try RandomForest.configured([("trees", .integer(6))])
        let context = ExecutionContext(threads: 2)
        for data in [training, floats] {
            let model = try #require(try forest.fit(data, seed: 4, context: context).model as? ForestModel)
            let archive = model.archive
            #expect(archive.inputHeight == 28 && archive.inputWidth == 28 && archive.classCount == 10)
            let decoded = try #require(try forest.decodeModel(archive) as? ForestModel)
            #expect(decoded.trees == model.trees)
            #expect(decoded.fittedOnBytes == (data.images.bytes != nil) && decoded.maxFeatures == model.maxFeatures)
            #expect(decoded.archive == archive)
            for images in [test.images, asFloats(test.images)] {
                #expect(try decoded.predict(images, context: context) == model.predict(images, context: context),
                        "fitted on \(data.images.bytes == nil ? "floats" : "bytes"), queries as \(images.bytes == nil ? "floats" : "bytes")")
            }
        }
    }

    @Test func decodingRejectsDamagedForests() throws {
        // The toy tree: nodes [split 0 → 1, 2 | leaf 0 | split 1 → 3, 4 | leaf 1 | leaf 2].
        let model = try fit(toy, ["trees": .integer(2), "bootstrap": .boolean(false), "maxFeatures": .integer(2)])
        let archive = model.archive
        #expect(try RandomForest.configured().decodeModel(archive).predict(toy.images, context: ExecutionContext(threads: 1)).labels
            == toy.labels)
        let children = try archive.int32s("nodeChildren"), features = try archive.int32s("nodeFeatures")
        #expect(Array(children.prefix(5)) == [1, 0, 3, 1, 2] && Array(features.prefix(5)) == [0, -1, 1, -1, -1])

        let cases: [(String, ModelArchive)] = try [
            ("a child pointing backwards", archive.changed { $0.put("nodeChildren", int32s: children.replacing(at: 2, with: 1)) }),
            ("a split pointing at itself", archive.changed { $0.put("nodeChildren", int32s: children.replacing(at: 2, with: 2)) }),
            ("children past the tree's end", archive.changed { $0.put("nodeChildren", int32s: children.replacing(at: 2, with: 4)) }),
            ("a child in the next tree", archive.changed { $0.put("nodeChildren", int32s: children.replacing(at: 0, with: 5)) }),
            ("a negative child", archive.changed { $0.put("nodeChildren", int32s: children.replacing(at: 0, with: -1)) }),
            ("a leaf row out of range", archive.changed { $0.put("nodeChildren", int32s: children.replacing(at: 4, with: 3)) }),
            ("a feature out of range", archive.changed { $0.put("nodeFeatures", int32s: features.replacing(at: 0, with: 2)) }),
            ("a negative feature other than -1", archive.changed { $0.put("nodeFeatures", int32s: features.replacing(at: 1, with: -2)) }),
            ("a truncated array", archive.changingFloats("nodeThresholds") { $0.removeLast() }),
            ("truncated leaf values", archive.changingFloats("leafValues") { $0.removeLast() }),
            ("an array of another type", archive.changed { $0.put("nodeChildren", floats: children.map(Float.init)) }),
            ("a non-finite leaf value", archive.changingFloats("leafValues") { $0[4] = .nan }),
            ("a non-finite threshold", archive.changingFloats("nodeThresholds") { $0[7] = .infinity }),
            ("node counts that do not add up", archive.changed { $0.put("treeNodeCounts", integers: [5, 4]) }),
            ("an empty tree", archive.changed { $0.put("treeNodeCounts", integers: [0, 10]) }),
            ("no trees", archive.changed {
                $0.put("treeNodeCounts", integers: [])
                $0.put("treeLeafCounts", integers: [])
                $0.put("treeDepths", integers: [])
            }),
            ("more leaves than nodes", archive.changed {
                $0.put("treeLeafCounts", integers: [6, 3])
                $0.put("leafValues", floats: [Float](repeating: 0, count: 27))
            }),
            ("a depth beyond the nodes", archive.changed { $0.put("treeDepths", integers: [5, 2]) }),
            ("maxFeatures above the pixels", archive.changed { $0.put("maxFeatures", integer: 3) }),
            ("fittedOnBytes not 0 or 1", archive.changed { $0.put("fittedOnBytes", integer: 2) }),
            ("no classes", archive.changed { $0.classCount = 0 }),
            ("another image size", archive.changed { $0.inputWidth = 1 }),
        ]
        for (name, archive) in cases {
            #expect(throws: ModelArchiveError.self, "\(name)") { try RandomForest.configured().decodeModel(archive) }
        }
        var missing = ModelArchive(inputHeight: 1, inputWidth: 2, classCount: 3)
        missing.put("treeNodeCounts", integers: [1])
        #expect(throws: ModelArchiveError.self) { try RandomForest.configured().decodeModel(missing) }
    }
}
