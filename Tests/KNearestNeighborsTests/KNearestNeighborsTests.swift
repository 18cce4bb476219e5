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

    /// Every training image's squared distance to `query`, in double precision.
    func bruteForceDistances(_ training: LabeledImages, _ query: ArraySlice<Float>) -> [Double] {
        // (`features` is made from the bytes when read: once, outside the loop.)
        let features = training.images.features
        return (0 ..< training.count).map { t in
            zip(features.row(t), query).reduce(0.0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) }
        }
    }

    /// The k nearest by plain double-precision distances and a full sort (ties: lower index).
    func bruteForce(_ training: LabeledImages, _ query: ArraySlice<Float>, k: Int) -> [Int] {
        let distances = bruteForceDistances(training, query)
        return distances.indices.sorted { distances[$0] != distances[$1] ? distances[$0] < distances[$1] : $0 < $1 }.prefix(k).map { $0 }
    }

    /// `found` are the brute-force `k` nearest of `query`, in order, with their distances.
    func expectBruteForceNeighbours(_ found: [Neighbour], k: Int, _ training: LabeledImages, _ query: ArraySlice<Float>, _ what: String) {
        #expect(found.map(\.index) == bruteForce(training, query, k: k), "\(what)")
        let distances = bruteForceDistances(training, query)
        for neighbour in found {
            #expect(abs(Double(neighbour.distance) - distances[neighbour.index]) < 1e-4 * max(1, distances[neighbour.index]), "\(what)")
        }
    }

    @Test(arguments: [(UInt64(1), 0), (2, 0), (3, 0), (4, 8), (5, 40), (6, 63)])
    func neighboursMatchBruteForce(seed: UInt64, projection: Int) throws {
        let training = randomImages(700, side: 9, classes: 4, seed: seed)
        let queries = randomImages(50, side: 9, classes: 4, seed: seed + 100)
        var settings = KNearestNeighbors.defaultSettings
        try settings.set("k", .integer(5))
        try settings.set("projection", .integer(projection))   // 0: plain GEMM distances; else bounded search
        try settings.set("trainingBlock", .integer(160))  // several training blocks, one partial
        try settings.set("queryBlock", .integer(16))
        let model = try KNearestNeighbors(settings: settings).fit(training, seed: 0, context: ExecutionContext(threads: 2)).model as! NearestNeighborsModel
        let found = model.neighbours(of: queries.images.features, context: ExecutionContext(threads: 2))
        let queryFeatures = queries.images.features
        for q in 0 ..< queries.count {
            expectBruteForceNeighbours(found[q], k: 5, training, queryFeatures.row(q), "seed \(seed), query \(q)")
        }
    }

    @Test func tiesGoToTheClassOfTheNearestNeighbour() throws {
        // One-pixel images: training at 0.1 (class 2), 0.3 (class 0), 0.6 (class 1).
        let training = LabeledImages(images: ImageSet(height: 1, width: 1, bytes: [26, 77, 153]), labels: [2, 0, 1], classCount: 3)
        let queries = ImageSet(height: 1, width: 1, bytes: [0, 60, 255])
        var settings = KNearestNeighbors.defaultSettings
        try settings.set("k", .integer(3))
        let model = try KNearestNeighbors(settings: settings).fit(training, seed: 0, context: ExecutionContext(threads: 1)).model
        // Every vote is 1-1-1, so the nearest neighbour decides.
        let prediction = try model.predict(queries, context: ExecutionContext(threads: 1))
        #expect(prediction.labels == [2, 0, 1])
        #expect(prediction.scores.values == [Float](repeating: Float(1) / 3, count: 9))
        try settings.set("k", .integer(2))
        let two = try KNearestNeighbors(settings: settings).fit(training, seed: 0, context: ExecutionContext(threads: 1)).model
        #expect(try two.predict(queries, context: ExecutionContext(threads: 1)).labels == [2, 0, 1])
    }

    @Test func aMajorityBeatsTheNearestNeighbour() throws {
        let training = LabeledImages(images: ImageSet(height: 1, width: 1, bytes: [100, 110, 120]), labels: [0, 1, 1], classCount: 2)
        let model = try KNearestNeighbors().fit(training, seed: 0, context: ExecutionContext(threads: 1)).model
        let prediction = try model.predict(ImageSet(height: 1, width: 1, bytes: [99]), context: ExecutionContext(threads: 1))
        #expect(prediction.labels == [1])
        #expect(prediction.scores.values == [Float(1) / 3, Float(2) / 3])
    }

    @Test func tooFewTrainingImagesIsAnError() {
        let training = LabeledImages(images: ImageSet(height: 1, width: 1, bytes: [1, 2]), labels: [0, 1], classCount: 2)
        #expect(throws: FitError.self) { try KNearestNeighbors().fit(training, seed: 0, context: ExecutionContext(threads: 1)) }
    }

    @Test func classifiesARealMNISTSubset() throws {
        let (training, test) = try TestData.mnistSample(training: 5_000, test: 1_000)
        let model = try KNearestNeighbors().fit(training, seed: 0, context: ExecutionContext(threads: 2)).model
        let predicted = try model.predict(test.images, context: ExecutionContext(threads: 2)).labels
        let accuracy = ConfusionMatrix(truth: test.labels, predicted: predicted, classCount: 10).accuracy
        // About 97% with all 60,000 training images; 5,000 give a few points less.
        #expect(accuracy > 0.9, "accuracy \(accuracy)")
    }

    @Test func threadsAndBlockSizesDoNotChangePredictions() throws {
        let (training, test) = try TestData.mnistSample(training: 3_000, test: 600, seed: 4)
        var results: [[Int]] = []
        for (threads, queryBlock, trainingBlock) in [(1, 256, 8192), (2, 256, 8192), (2, 64, 1000), (3, 1000, 3000)] {
            var settings = KNearestNeighbors.defaultSettings
            try settings.set("queryBlock", .integer(queryBlock))
            try settings.set("trainingBlock", .integer(trainingBlock))
            let model = try KNearestNeighbors(settings: settings).fit(training, seed: 0, context: ExecutionContext(threads: threads)).model
            results.append(try model.predict(test.images, context: ExecutionContext(threads: threads)).labels)
        }
        #expect(results.dropFirst().allSatisfy { $0 == results[0] })
    }

    @Test func boundedSearchFindsTheBruteForceNeighboursOnMNIST() throws {
        let (training, test) = try TestData.mnistSample(training: 2_000, test: 60, seed: 5)
        var settings = KNearestNeighbors.defaultSettings
        try settings.set("projection", .integer(16))   // a loose bound: many exact distances, all must agree
        try settings.set("trainingBlock", .integer(500))
        let bounded = try KNearestNeighbors(settings: settings).fit(training, seed: 3, context: ExecutionContext(threads: 2)).model as! NearestNeighborsModel
        let found = bounded.neighbours(of: test.images.features, context: ExecutionContext(threads: 2))
        let testFeatures = test.images.features
        for q in 0 ..< test.count {
            // Full distances, including ink on pixels that no training image of the sample has.
            expectBruteForceNeighbours(found[q], k: 3, training, testFeatures.row(q), "query \(q)")
        }
        // The projection's random start changes the work, never the answer.
        let other = try KNearestNeighbors(settings: settings).fit(training, seed: 99, context: ExecutionContext(threads: 1)).model
        let prediction = try bounded.predict(test.images, context: ExecutionContext(threads: 2))
        #expect(try other.predict(test.images, context: ExecutionContext(threads: 1)).labels == prediction.labels)
        // And the bound did prune: far fewer exact distances than training images.
        let exact = prediction.diagnostics.fact(named: "exact distances").flatMap { Double($0) } ?? .infinity
        #expect(exact / Double(test.count) < 0.5 * Double(training.count), "\(exact) exact distances for \(test.count) queries")
    }

    @Test func projectionIsOrthonormalAndBoundsDistancesFromBelow() throws {
        let (training, _) = try TestData.mnistSample(training: 1_000, test: 0, seed: 2)
        let bound = ProjectionBound(training.images.features, dimensions: 20, seed: 1, threads: 2)
        let (d, m) = (bound.depth, bound.dimensions)
        for a in 0 ..< m {
            for b in 0 ..< m {
                let dot = (0 ..< d).reduce(0.0) { $0 + Double(bound.basis[$1 * m + a]) * Double(bound.basis[$1 * m + b]) }
                #expect(abs(dot - (a == b ? 1 : 0)) < 1e-5, "columns \(a), \(b)")
            }
        }
        let projected = training.images.features.values.withUnsafeBufferPointer { bound.project($0.baseAddress!, count: training.count) }.values
        var generator = SplitMix64(seed: 8)
        let features = training.images.features
        for _ in 0 ..< 200 {
            let (s, t) = (generator.nextInt(below: training.count), generator.nextInt(below: training.count))
            let full = zip(features.row(s), features.row(t)).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
            let lower = (0 ..< m).reduce(0.0) { $0 + Double(projected[s * m + $1] - projected[t * m + $1]) * Double(projected[s * m + $1] - projected[t * m + $1]) }
            #expect(lower <= full * (1 + 1e-5) + 1e-6)
        }
        // The leading direction carries more of the spread than a random one would (1/d of it).
        let spread = (0 ..< m).map { c in (0 ..< training.count).reduce(0.0) { $0 + Double(projected[$1 * m + c] * projected[$1 * m + c]) } }
        #expect(spread[0] > spread[m - 1] && spread[0] > 5 * spread.reduce(0, +) / Double(d))
    }

    /// Rows are projected in blocks of 1,024 on the threads: every row's projection and norm
    /// must be what projecting it alone gives, bit for bit, and the formula's within rounding.
    @Test func projectionInBlocksIsEachRowsOwnBitForBit() throws {
        let (training, _) = try TestData.mnistSample(training: 2_500, test: 0, seed: 3)
        let features = training.images.features
        let bound = ProjectionBound(features, dimensions: 12, seed: 5, threads: 1)
        let (d, m, n) = (bound.depth, bound.dimensions, training.count)
        features.values.withUnsafeBufferPointer { x in
            let all = bound.project(x.baseAddress!, count: n, threads: 2)
            #expect(all.values.count == n * m && all.centredNorms.count == n)
            for r in [0, 1, 1_023, 1_024, 1_025, 2_047, 2_048, n - 1] {
                let alone = bound.project(x.baseAddress! + r * d, count: 1)
                #expect(Array(all.values[r * m ..< (r + 1) * m]) == alone.values, "row \(r)")
                #expect(all.centredNorms[r] == alone.centredNorms[0], "row \(r)")
                let centred = (0 ..< d).map { Double(x[r * d + $0]) - Double(bound.mean[$0]) }
                let norm = centred.reduce(0) { $0 + $1 * $1 }
                #expect(abs(Double(all.centredNorms[r]) - norm) <= 1e-4 * max(1, norm), "row \(r)")
                for c in 0 ..< m {
                    let value = (0 ..< d).reduce(0.0) { $0 + centred[$1] * Double(bound.basis[$1 * m + c]) }
                    #expect(abs(Double(all.values[r * m + c]) - value) <= 1e-4 * max(1, norm.squareRoot()), "row \(r), direction \(c)")
                }
            }
        }
    }
}
