import BenchCore
import Evaluation
import Foundation
import RandomForest
import TestSupport
import Testing

@Suite struct RandomForestTests {
    func settings(_ values: [String: HyperparameterValue]) -> HyperparameterSettings {
        var settings = RandomForest.defaultSettings
        for (name, value) in values { settings.set(name, value) }
        return settings
    }

    func fit(_ data: LabeledImages, _ values: [String: HyperparameterValue] = [:], seed: UInt64 = 1,
             threads: Int = 2) throws -> ForestModel {
        try #require(try RandomForest(settings: settings(values)).fit(data, seed: seed, context: ExecutionContext(threads: threads))
                        as? ForestModel)
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
            let model = try fit(data, single)
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
            #expect(abs(model.importances.values[0] - 18.0 / 32) < 1e-12)
            #expect(abs(model.importances.values[1] - 14.0 / 32) < 1e-12)
            let queries: [UInt8] = [0, 255, 255, 0, 255, 255, 115, 0, 116, 110, 116, 111]
            for images in [ImageSet(height: 1, width: 2, bytes: queries), asFloats(ImageSet(height: 1, width: 2, bytes: queries))] {
                #expect(model.predict(images, context: ExecutionContext(threads: 1)) == [0, 1, 2, 0, 1, 2])
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
            let predicted = fromBytes.predict(test.images, context: context)
            #expect(predicted == fromBytes.predict(asFloats(test.images), context: context))
            #expect(predicted == fromFloats.predict(test.images, context: context))
            #expect(fromBytes.probabilities(test.images, context: context) == fromFloats.probabilities(test.images, context: context))
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
        let one = try fit(training, values, seed: 9, threads: 1), two = try fit(training, values, seed: 9, threads: 2)
        #expect(one.trees == two.trees)
        #expect(one.importances == two.importances)
        #expect(one.predict(test.images, context: ExecutionContext(threads: 1)) == two.predict(test.images, context: ExecutionContext(threads: 2)))
        // Another seed grows another forest.
        #expect(try fit(training, values, seed: 10).trees != one.trees)
    }

    @Test func classifiesARealMNISTSubset() throws {
        let (training, test) = try TestData.mnistSample(training: 5_000, test: 1_000)
        let model = try fit(training, ["trees": .integer(50)], seed: 0)
        let accuracy = ConfusionMatrix(truth: test.labels, predicted: model.predict(test.images, context: ExecutionContext(threads: 2)),
                                       classCount: 10).accuracy
        // About 97% with all 60,000 training images and 100 trees; 5,000 and 50 give a few points less.
        #expect(accuracy > 0.91, "accuracy \(accuracy)")
        // Fully grown trees fit their bootstrap samples, so the forest is near-perfect on training data.
        let trainingAccuracy = ConfusionMatrix(truth: training.labels,
                                               predicted: model.predict(training.images, context: ExecutionContext(threads: 2)),
                                               classCount: 10).accuracy
        #expect(trainingAccuracy > 0.99, "training accuracy \(trainingAccuracy)")
    }

    @Test func importancesSumToOneAndAreReported() throws {
        let (training, _) = try TestData.mnistSample(training: 2_000, test: 10, seed: 2)
        let model = try fit(training, ["trees": .integer(10)])
        let values = model.importances.values
        #expect(values.count == 784)
        #expect(abs(values.reduce(0, +) - 1) < 1e-9)
        #expect(values.allSatisfy { $0 >= 0 })
        // MNIST's corner pixels are 0 in every image, so no tree can split on them.
        #expect(values[0] == 0 && values[783] == 0)

        let report = model.report
        let csv = try #require(report.files.first { $0.name == "importances.csv" }?.contents)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "pixel,row,column,importance")
        #expect(lines.count == 785)
        #expect(lines[30] == "29,1,1,\(String(format: "%.8f", values[29]))")
        let svg = try #require(report.files.first { $0.name == "importances.svg" }?.contents)
        #expect(svg.hasPrefix("<svg") && svg.components(separatedBy: "<rect").count == 786)  // background + 28 × 28 cells
        #expect(report.sections.contains { $0.markdown.contains("![Feature importances](importances.svg)") })
        #expect(report.facts.contains { $0.name == "model size" && $0.value.hasPrefix("\(model.byteCount) bytes") })
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
            try RandomForest(settings: settings(["trees": .integer(0)]))
        }
        #expect(throws: ConfigurationError("The 'minSamplesLeaf' parameter of forest must be in 1...1000000. Got '-2' instead.")) {
            try RandomForest(settings: settings(["minSamplesLeaf": .integer(-2)]))
        }
        let forest = try RandomForest(settings: settings(["maxFeatures": .integer(3)]))
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
        let model = try fit(data, ["trees": .integer(3)])
        #expect(model.trees.allSatisfy { $0.nodes.count == 1 && Array($0.leafValues) == [0, 1, 0] })
        #expect(model.predict(data.images, context: ExecutionContext(threads: 1)) == [1, 1, 1])
        #expect(model.importances.values == [0, 0])
    }
}
