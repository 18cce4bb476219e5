import BenchCore
import KNearestNeighbors
import TestSupport
import Testing

/// The saved model and the scores: a decoded model predicts exactly what the fitted one did
/// (both searches), a damaged archive is refused, and the scores are vote fractions.
@Suite struct NearestNeighborsArchiveTests {
    let context = ExecutionContext(threads: 2)

    func configuration(projection: Int, k: Int = 3, trainingBlock: Int = 8192) throws -> KNearestNeighbors {
        try KNearestNeighbors.configured([("projection", .integer(projection)), ("k", .integer(k)), ("trainingBlock", .integer(trainingBlock))])
    }

    /// Labels, scores (bit for bit) and the prediction's facts are the same.
    func expectIdentical(_ a: Prediction, _ b: Prediction, _ what: String) {
        #expect(a.labels == b.labels, "\(what): labels")
        #expect(a.scores.rows == b.scores.rows && a.scores.classCount == b.scores.classCount, "\(what): score shape")
        #expect(a.scores.values.map(\.bitPattern) == b.scores.values.map(\.bitPattern), "\(what): scores")
        #expect(a.diagnostics == b.diagnostics, "\(what): diagnostics")
    }

    /// `archive` without the array or text called `name`.
    func removing(_ name: String, from archive: ModelArchive) -> ModelArchive {
        var result = ModelArchive(inputHeight: archive.inputHeight, inputWidth: archive.inputWidth, classCount: archive.classCount)
        for entry in archive.arrays where entry.name != name { result.put(entry.name, entry.array) }
        for entry in archive.texts where entry.name != name { result.put(entry.name, text: entry.value) }
        return result
    }

    /// `archive` with the integers called `name` changed by `change`.
    func changing(_ name: String, in archive: ModelArchive, _ change: (inout [Int]) -> Void) throws -> ModelArchive {
        var values = try archive.integers(name)
        change(&values)
        var result = archive
        result.put(name, integers: values)
        return result
    }

    @Test(arguments: [0, 16, 64])
    func encodeThenDecodeGivesIdenticalLabelsAndScores(projection: Int) throws {
        let (training, test) = try TestData.mnistSample(training: 2_000, test: 300, seed: 9)
        let model = try configuration(projection: projection, trainingBlock: 500).fit(training, seed: 4, context: context).model
        let archive = model.archive
        #expect(archive.texts.map(\.value) == [projection == 0 ? "plain" : "bounded"])
        // MNIST's pixels are bytes / 255, so the images are stored as bytes.
        #expect(archive.arrays.first { $0.name == "images" }?.array.typeName == "uint8")
        let decoded = try KNearestNeighbors().decodeModel(archive)
        #expect(decoded.inputHeight == 28 && decoded.inputWidth == 28 && decoded.classCount == 10)
        let fitted = try model.predict(test.images, context: context)
        expectIdentical(fitted, try decoded.predict(test.images, context: context), "projection \(projection)")
        expectIdentical(fitted, try decoded.predict(test.images, context: ExecutionContext(threads: 1)), "projection \(projection), 1 thread")
        #expect(decoded.archive == archive)
        let neighbours = (model as! NearestNeighborsModel).neighbours(of: test.images.features, context: context)
        #expect((decoded as! NearestNeighborsModel).neighbours(of: test.images.features, context: context) == neighbours)
    }

    @Test(arguments: [0, 8])
    func realValuedImagesRoundTripAsFloats(projection: Int) throws {
        var generator = SplitMix64(seed: 12)
        let values = (0 ..< 300 * 36).map { $0 % 6 == 0 ? 0 : generator.nextUnitFloat() * 0.7 }
        let training = LabeledImages(images: ImageSet(height: 6, width: 6, features: FeatureMatrix(rows: 300, columns: 36, values: values)),
                                     labels: (0 ..< 300).map { _ in generator.nextInt(below: 5) }, classCount: 5)
        let queries = ImageSet(height: 6, width: 6, features: FeatureMatrix(rows: 40, columns: 36, values: (0 ..< 40 * 36).map { _ in generator.nextUnitFloat() }))
        let model = try configuration(projection: projection, k: 4, trainingBlock: 64).fit(training, seed: 1, context: context).model
        let archive = model.archive
        #expect(archive.arrays.first { $0.name == "images" }?.array.typeName == "float32")
        let decoded = try KNearestNeighbors().decodeModel(archive)
        expectIdentical(try model.predict(queries, context: context), try decoded.predict(queries, context: context), "projection \(projection)")
    }

    @Test func decodeRejectsADamagedArchive() throws {
        let (training, _) = try TestData.mnistSample(training: 300, test: 1, seed: 3)
        let bounded = try configuration(projection: 8).fit(training, seed: 0, context: context).model.archive
        let plain = try configuration(projection: 0).fit(training, seed: 0, context: context).model.archive
        _ = try KNearestNeighbors().decodeModel(bounded)
        _ = try KNearestNeighbors().decodeModel(plain)
        let activeCount = try bounded.integers("activeColumns").count

        var damaged: [(String, ModelArchive)] = []
        damaged.append(("a label equal to the class count", try changing("labels", in: bounded) { $0[5] = 10 }))
        damaged.append(("a negative label", try changing("labels", in: plain) { $0[0] = -1 }))
        damaged.append(("an active column past the image", try changing("activeColumns", in: bounded) { $0[$0.count - 1] = 784 }))
        damaged.append(("active columns out of order", try changing("activeColumns", in: plain) { $0.swapAt(3, 4) }))
        damaged.append(("a repeated active column", try changing("activeColumns", in: plain) { $0[4] = $0[3] }))
        damaged.append(("k above the stored images", try changing("k", in: bounded) { $0 = [301] }))
        damaged.append(("k = 0", try changing("k", in: plain) { $0 = [0] }))
        damaged.append(("queryBlock = 0", try changing("queryBlock", in: plain) { $0 = [0] }))
        damaged.append(("trainingBlock not a multiple of 16", try changing("trainingBlock", in: bounded) { $0 = [100] }))
        damaged.append(("another input column count", try changing("inputColumns", in: plain) { $0 = [783] }))
        damaged.append(("projection dimensions of all active columns", try changing("projectionDimensions", in: bounded) { $0 = [activeCount] }))
        damaged.append(("projection dimensions 0", try changing("projectionDimensions", in: bounded) { $0 = [0] }))
        damaged.append(("two labels", try changing("labels", in: plain) { $0 = Array($0.prefix(2)) }))

        var truncatedImages = plain
        truncatedImages.put("images", bytes: Array(try plain.bytes("images").dropLast()))
        damaged.append(("truncated images", truncatedImages))
        var nanImages = bounded
        nanImages.put("images", floats: try bounded.pixels("images").enumerated().map { $0.offset == 17 ? .nan : $0.element })
        damaged.append(("a NaN pixel", nanImages))
        var truncatedBasis = bounded
        truncatedBasis.put("projectionBasis", floats: Array(try bounded.floats("projectionBasis").dropLast(8)))
        damaged.append(("truncated basis", truncatedBasis))
        var stretchedBasis = bounded
        stretchedBasis.put("projectionBasis", floats: try bounded.floats("projectionBasis").enumerated().map { $0.offset % 8 == 2 ? 2 * $0.element : $0.element })
        damaged.append(("a basis column of length 2", stretchedBasis))
        var infiniteMean = bounded
        infiniteMean.put("projectionMean", floats: try bounded.floats("projectionMean").enumerated().map { $0.offset == 0 ? .infinity : $0.element })
        damaged.append(("an infinite mean", infiniteMean))
        var otherSearch = plain
        otherSearch.put("search", text: "kd-tree")
        damaged.append(("an unknown search", otherSearch))
        var labelsAsFloats = plain
        labelsAsFloats.put("labels", floats: try plain.integers("labels").map(Float.init))
        damaged.append(("float32 labels", labelsAsFloats))
        var noClasses = plain
        noClasses.classCount = 0
        damaged.append(("no classes", noClasses))
        var fewerClasses = plain
        fewerClasses.classCount = 2
        damaged.append(("fewer classes than the labels use", fewerClasses))
        var otherHeight = plain
        otherHeight.inputHeight = 27
        damaged.append(("another input height", otherHeight))
        for name in ["labels", "activeColumns", "inputColumns", "k", "queryBlock", "trainingBlock", "images", "search"] {
            damaged.append(("no \(name)", removing(name, from: plain)))
        }
        for name in ["projectionDimensions", "projectionBasis", "projectionMean"] {
            damaged.append(("no \(name)", removing(name, from: bounded)))
        }
        for (what, archive) in damaged {
            #expect(throws: ModelArchiveError.self, "\(what)") { try KNearestNeighbors().decodeModel(archive) }
        }
    }

    @Test(arguments: [(0, 1), (0, 4), (64, 3), (64, 10)])
    func scoresAreVoteFractionsAndTheLabelHasTheLargest(projection: Int, k: Int) throws {
        let (training, test) = try TestData.mnistSample(training: 1_500, test: 200, seed: 11)
        let model = try configuration(projection: projection, k: k).fit(training, seed: 0, context: context).model as! NearestNeighborsModel
        let prediction = try model.predict(test.images, context: context)
        let neighbours = model.neighbours(of: test.images.features, context: context)
        #expect(prediction.scores.rows == test.count && prediction.scores.classCount == 10)
        for r in 0 ..< test.count {
            let row = prediction.scores.row(r)
            #expect(abs(row.reduce(0, +) - 1) < 1e-5, "row \(r) sums to \(row.reduce(0, +))")
            #expect(prediction.scores[r, prediction.labels[r]] == row.max(), "row \(r)")
            for c in 0 ..< 10 {
                let votes = neighbours[r].filter { training.labels[$0.index] == c }.count
                #expect(prediction.scores[r, c] == Float(votes) / Float(k), "row \(r), class \(c)")
            }
        }
        #expect((prediction.diagnostics.fact(named: "exact distances") != nil) == (projection > 0))
    }
}
