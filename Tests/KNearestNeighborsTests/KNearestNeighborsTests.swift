import BenchCore
import Evaluation
import KNearestNeighbors
import TestSupport
import Testing

@Suite struct KNearestNeighborsTests {
    /// Random images with some always-zero pixels, as MNIST has.
    func randomImages(_ count: Int, side: Int, classes: Int, seed: UInt64) -> LabeledImages {
        var generator = SplitMix64(seed: seed)
        var bytes: [UInt8] = []
        for _ in 0 ..< count {
            for pixel in 0 ..< side * side {
                bytes.append(pixel % 5 == 0 ? 0 : UInt8(generator.nextInt(below: 256)))
            }
        }
        let labels = (0 ..< count).map { _ in generator.nextInt(below: classes) }
        return LabeledImages(images: ImageSet(height: side, width: side, bytes: bytes), labels: labels, classCount: classes)
    }

    /// The k nearest by plain double-precision distances and a full sort (ties: lower index).
    func bruteForce(_ training: LabeledImages, _ query: ArraySlice<Float>, k: Int) -> [Int] {
        let distances = (0 ..< training.count).map { t in
            zip(training.images.features.row(t), query).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        }
        return distances.indices.sorted { distances[$0] != distances[$1] ? distances[$0] < distances[$1] : $0 < $1 }.prefix(k).map { $0 }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func neighboursMatchBruteForce(seed: UInt64) throws {
        let training = randomImages(700, side: 9, classes: 4, seed: seed)
        let queries = randomImages(50, side: 9, classes: 4, seed: seed + 100)
        var settings = KNearestNeighbors.defaultSettings
        settings.set("k", .integer(5))
        settings.set("trainingBlock", .integer(160))  // several training blocks, one partial
        settings.set("queryBlock", .integer(16))
        let model = try KNearestNeighbors(settings: settings).fit(training, seed: 0, context: ExecutionContext(threads: 2)) as! NearestNeighborsModel
        let found = model.neighbours(of: queries.images.features, context: ExecutionContext(threads: 2))
        for q in 0 ..< queries.count {
            #expect(found[q].map(\.index) == bruteForce(training, queries.images.features.row(q), k: 5), "seed \(seed), query \(q)")
        }
    }

    @Test func tiesGoToTheClassOfTheNearestNeighbour() throws {
        // One-pixel images: training at 0.1 (class 2), 0.3 (class 0), 0.6 (class 1).
        let training = LabeledImages(images: ImageSet(height: 1, width: 1, bytes: [26, 77, 153]), labels: [2, 0, 1], classCount: 3)
        let queries = ImageSet(height: 1, width: 1, bytes: [0, 60, 255])
        var settings = KNearestNeighbors.defaultSettings
        settings.set("k", .integer(3))
        let model = try KNearestNeighbors(settings: settings).fit(training, seed: 0, context: ExecutionContext(threads: 1))
        // Every vote is 1-1-1, so the nearest neighbour decides.
        #expect(model.predict(queries, context: ExecutionContext(threads: 1)) == [2, 0, 1])
        settings.set("k", .integer(2))
        let two = try KNearestNeighbors(settings: settings).fit(training, seed: 0, context: ExecutionContext(threads: 1))
        #expect(two.predict(queries, context: ExecutionContext(threads: 1)) == [2, 0, 1])
    }

    @Test func aMajorityBeatsTheNearestNeighbour() throws {
        let training = LabeledImages(images: ImageSet(height: 1, width: 1, bytes: [100, 110, 120]), labels: [0, 1, 1], classCount: 2)
        let model = try KNearestNeighbors().fit(training, seed: 0, context: ExecutionContext(threads: 1))
        #expect(model.predict(ImageSet(height: 1, width: 1, bytes: [99]), context: ExecutionContext(threads: 1)) == [1])
    }

    @Test func tooFewTrainingImagesIsAnError() {
        let training = LabeledImages(images: ImageSet(height: 1, width: 1, bytes: [1, 2]), labels: [0, 1], classCount: 2)
        #expect(throws: FitError.self) { try KNearestNeighbors().fit(training, seed: 0, context: ExecutionContext(threads: 1)) }
    }

    @Test func classifiesARealMNISTSubset() throws {
        let (training, test) = try TestData.mnistSample(training: 5_000, test: 1_000)
        let model = try KNearestNeighbors().fit(training, seed: 0, context: ExecutionContext(threads: 2))
        let predicted = model.predict(test.images, context: ExecutionContext(threads: 2))
        let accuracy = ConfusionMatrix(truth: test.labels, predicted: predicted, classCount: 10).accuracy
        // About 97% with all 60,000 training images; 5,000 give a few points less.
        #expect(accuracy > 0.9, "accuracy \(accuracy)")
    }

    @Test func threadsAndBlockSizesDoNotChangePredictions() throws {
        let (training, test) = try TestData.mnistSample(training: 3_000, test: 600, seed: 4)
        var results: [[Int]] = []
        for (threads, queryBlock, trainingBlock) in [(1, 256, 8192), (2, 256, 8192), (2, 64, 1000), (3, 1000, 3000)] {
            var settings = KNearestNeighbors.defaultSettings
            settings.set("queryBlock", .integer(queryBlock))
            settings.set("trainingBlock", .integer(trainingBlock))
            let model = try KNearestNeighbors(settings: settings).fit(training, seed: 0, context: ExecutionContext(threads: threads))
            results.append(model.predict(test.images, context: ExecutionContext(threads: threads)))
        }
        #expect(results.dropFirst().allSatisfy { $0 == results[0] })
    }
}
