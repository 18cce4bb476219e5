import BenchCore
import RandomForest
import Testing

/// The three split searches against each other and against a plain reference, on random
/// byte data: many seeds, sizes, class counts, weights (bootstrap-like, with zeros), value
/// ranges (narrow ranges make many ties) and shares of zero pixels.
@Suite struct SplitSearchTests {
    /// A random node: images, bootstrap-like weights and the candidate features in drawn order.
    struct RandomNode {
        let data: LabeledImages
        let weights: [Int]
        let candidates: [Int]
        let minSamplesLeaf: Int
    }

    func randomNode(seed: UInt64) -> RandomNode {
        var generator = SplitMix64(seed: seed)
        let count = 2 + generator.nextInt(below: 300)
        let features = 1 + generator.nextInt(below: 12)
        // Sometimes more than 16 classes (grouped histogram walks, two groups), sometimes more
        // than 64 (five groups; the deep nodes' class-by-class walk when few are present).
        let classes = 2 + generator.nextInt(below: seed % 10 == 0 ? 70 : seed % 5 == 0 ? 20 : 5)
        let range = [2, 4, 16, 256][generator.nextInt(below: 4)]  // value range: small ranges tie often
        let zeroShare = generator.nextInt(below: 100)  // percent of pixels forced to 0
        var bytes: [UInt8] = []
        for _ in 0 ..< count * features {
            bytes.append(generator.nextInt(below: 100) < zeroShare ? 0 : UInt8(generator.nextInt(below: range)))
        }
        let labels = (0 ..< count).map { _ in generator.nextInt(below: classes) }
        var weights = [Int](repeating: 0, count: count)
        for _ in 0 ..< count { weights[generator.nextInt(below: count)] += 1 }
        let candidates = Array((0 ..< features).shuffled(using: &generator).prefix(1 + generator.nextInt(below: features)))
        let images = ImageSet(height: 1, width: features, bytes: bytes)
        return RandomNode(data: LabeledImages(images: images, labels: labels, classCount: classes), weights: weights,
                          candidates: candidates, minSamplesLeaf: 1 + generator.nextInt(below: 3))
    }

    /// The best split by brute force: every candidate, every threshold between two distinct
    /// values present, class counts recounted from scratch, scores compared as exact fractions.
    /// Ties: the wider margin (b − a as feature values, in single precision), then the earlier
    /// candidate, then the lower threshold.
    func referenceSplit(_ node: RandomNode) -> (feature: Int, threshold: Float, leftRows: Int)? {
        let data = node.data, bytes = data.images.bytes!, width = data.images.width
        let used = (0 ..< data.count).filter { node.weights[$0] > 0 }
        var best: (feature: Int, threshold: Float, leftRows: Int, numerator: Int, denominator: Int, margin: Float)?
        for feature in node.candidates {
            let values = Set(used.map { bytes[$0 * width + feature] }).sorted()
            for (a, b) in zip(values, values.dropFirst()) {
                var left = [Int](repeating: 0, count: data.classCount), right = left
                var leftRows = 0, rightRows = 0
                for i in used {
                    if bytes[i * width + feature] <= a {
                        left[data.labels[i]] += node.weights[i]
                        leftRows += 1
                    } else {
                        right[data.labels[i]] += node.weights[i]
                        rightRows += 1
                    }
                }
                guard leftRows >= node.minSamplesLeaf && rightRows >= node.minSamplesLeaf else { continue }
                // Σ L² / w_L + Σ R² / w_R as one fraction.
                let wl = left.reduce(0, +), wr = right.reduce(0, +)
                let sl = left.reduce(0) { $0 + $1 * $1 }, sr = right.reduce(0) { $0 + $1 * $1 }
                let numerator = sl * wr + sr * wl, denominator = wl * wr
                let margin = Float(b) / 255 - Float(a) / 255
                let better = best.map { best in
                    let candidate = numerator * best.denominator, incumbent = best.numerator * denominator
                    return candidate > incumbent || (candidate == incumbent && margin > best.margin)
                } ?? true
                if better {
                    let threshold = (Float(a) / 255) / 2 + (Float(b) / 255) / 2
                    best = (feature, threshold, leftRows, numerator, denominator, margin)
                }
            }
        }
        return best.map { ($0.feature, $0.threshold, $0.leftRows) }
    }

    @Test func histogramSortingAndFloatSearchesAgreeWithTheReference() {
        for seed in UInt64(1) ... 400 {
            let node = randomNode(seed: seed)
            let found = BestSplit.Method.allCases.map { method in
                BestSplit.search(node.data, weights: node.weights, candidates: node.candidates,
                                 minSamplesLeaf: node.minSamplesLeaf, method: method)
            }
            #expect(found[0] == found[1], "seed \(seed): histogram \(String(describing: found[0])) vs sorted bytes \(String(describing: found[1]))")
            #expect(found[0] == found[2], "seed \(seed): histogram \(String(describing: found[0])) vs sorted floats \(String(describing: found[2]))")
            let reference = referenceSplit(node)
            #expect(found[0]?.feature == reference?.feature && found[0]?.threshold == reference?.threshold
                        && found[0]?.leftRows == reference?.leftRows,
                    "seed \(seed): histogram \(String(describing: found[0])) vs reference \(String(describing: reference))")
        }
    }

    @Test func tiesGoToTheWiderMarginThenTheFirstCandidateThenTheLowestThreshold() throws {
        let ones = [1, 1, 1, 1]
        // Two identical pixels, so equal scores and margins: the one drawn first wins.
        let twins = LabeledImages(images: ImageSet(height: 1, width: 2, bytes: [5, 5, 9, 9, 7, 7, 3, 3]),
                                  labels: [0, 1, 1, 0], classCount: 2)
        // Two pixels that both split the classes perfectly, pixel 1 with the wider gap
        // (between 10 and 200, against 40 and 50 for pixel 0): it wins in either order.
        let perfect = LabeledImages(images: ImageSet(height: 1, width: 2, bytes: [30, 0, 40, 10, 50, 200, 60, 255]),
                                    labels: [0, 0, 1, 1], classCount: 2)
        // Labels 0 1 1 0 in value order: splitting after the first or after the third value
        // both score 1 + 5/3. With equal gaps (101 − 100 and 201 − 200 are the same float) the
        // lower threshold wins; with a wider gap above the third value, the higher one.
        let equalGaps = LabeledImages(images: ImageSet(height: 1, width: 1, bytes: [100, 101, 200, 201]),
                                      labels: [0, 1, 1, 0], classCount: 2)
        let widerHigh = LabeledImages(images: ImageSet(height: 1, width: 1, bytes: [1, 2, 3, 40]),
                                      labels: [0, 1, 1, 0], classCount: 2)
        // The same with a 0 first, so that the tie involves the zero group, which the byte
        // sweeps handle apart from the nonzero values: first the zero group's gap is wider,
        // then the one above the third value.
        let widerZero = LabeledImages(images: ImageSet(height: 1, width: 1, bytes: [0, 2, 3, 4]),
                                      labels: [0, 1, 1, 0], classCount: 2)
        let widerAboveZero = LabeledImages(images: ImageSet(height: 1, width: 1, bytes: [0, 1, 3, 40]),
                                           labels: [0, 1, 1, 0], classCount: 2)
        func midpoint(_ a: UInt8, _ b: UInt8) -> Float { (Float(a) / 255) / 2 + (Float(b) / 255) / 2 }
        for method in BestSplit.Method.allCases {
            #expect(BestSplit.search(twins, weights: ones, candidates: [0, 1], method: method)?.feature == 0, "\(method)")
            #expect(BestSplit.search(twins, weights: ones, candidates: [1, 0], method: method)?.feature == 1, "\(method)")
            for order in [[0, 1], [1, 0]] {
                let split = try #require(BestSplit.search(perfect, weights: ones, candidates: order, method: method))
                #expect(split.feature == 1 && split.threshold == midpoint(10, 200), "\(method) \(order)")
            }
            let expected: [(LabeledImages, leftRows: Int, threshold: Float)] = [
                (equalGaps, 1, midpoint(100, 101)), (widerHigh, 3, midpoint(3, 40)),
                (widerZero, 1, midpoint(0, 2)), (widerAboveZero, 3, midpoint(3, 40)),
            ]
            for (index, (data, leftRows, threshold)) in expected.enumerated() {
                let split = try #require(BestSplit.search(data, weights: ones, candidates: [0], method: method))
                #expect(split.leftRows == leftRows && split.threshold == threshold, "\(method), case \(index)")
            }
        }
    }

    @Test func aConstantFeatureHasNoSplit() {
        let images = ImageSet(height: 1, width: 2, bytes: [7, 0, 7, 0, 7, 0])
        let data = LabeledImages(images: images, labels: [0, 1, 0], classCount: 2)
        for method in BestSplit.Method.allCases {
            #expect(BestSplit.search(data, weights: [1, 1, 1], candidates: [0, 1], method: method) == nil, "\(method)")
        }
    }

    @Test func theImpurityDecreaseIsTheGiniDecrease() throws {
        // Node (3, 2, 2): the split {0, 0, 0} | {1, 1, 2, 2} lowers w·G from 7 − 17/7 to 0 + (4 − 8/4).
        let images = ImageSet(height: 1, width: 1, bytes: [10, 20, 30, 201, 225, 210, 230])
        let data = LabeledImages(images: images, labels: [0, 0, 0, 1, 1, 2, 2], classCount: 3)
        let split = try #require(BestSplit.search(data, weights: [1, 1, 1, 1, 1, 1, 1], candidates: [0], method: .histogram))
        #expect(split.leftRows == 3 && split.leftWeight == 3)
        #expect(abs(split.impurityDecrease - (7 - 17.0 / 7 - 2)) < 1e-12)
    }
}
