import BenchCore
import Evaluation
import Testing

@Suite struct StratifiedKFoldTests {
    /// Unbalanced labels: class c has 7 + 13c samples, shuffled.
    func labels(seed: UInt64) -> [Int] {
        var generator = SplitMix64(seed: seed)
        var labels: [Int] = []
        for c in 0 ..< 5 { labels += [Int](repeating: c, count: 7 + 13 * c) }
        labels.shuffle(using: &generator)
        return labels
    }

    @Test(arguments: 0 ..< 20)
    func foldsPartitionTheDataAndStratifyWithinOne(seed: UInt64) {
        let labels = labels(seed: seed)
        for k in [2, 3, 5, 7] {
            let folds = StratifiedKFold(folds: k).testIndices(labels: labels, classCount: 5, seed: seed)
            #expect(folds.count == k)
            #expect(folds.flatMap { $0 }.sorted() == Array(labels.indices), "seed \(seed), k \(k): not a partition")
            let sizes = folds.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1, "seed \(seed), k \(k): fold sizes \(sizes)")
            for c in 0 ..< 5 {
                let perFold = folds.map { fold in fold.filter { labels[$0] == c }.count }
                #expect(perFold.max()! - perFold.min()! <= 1, "seed \(seed), k \(k), class \(c): \(perFold)")
            }
        }
    }

    @Test func theSeedDecidesTheSplit() {
        let labels = labels(seed: 1)
        let kfold = StratifiedKFold(folds: 3)
        #expect(kfold.testIndices(labels: labels, classCount: 5, seed: 4) == kfold.testIndices(labels: labels, classCount: 5, seed: 4))
        #expect(kfold.testIndices(labels: labels, classCount: 5, seed: 4) != kfold.testIndices(labels: labels, classCount: 5, seed: 5))
    }

    @Test func trainingIndicesAreTheComplement() {
        #expect(StratifiedKFold.trainingIndices(count: 6, excluding: [1, 4]) == [0, 2, 3, 5])
    }

    @Test(arguments: [10, 99, 150])  // of 165 samples
    func subsamplesKeepClassProportions(size: Int) {
        let labels = labels(seed: 3)
        let sample = stratifiedSubsample(labels: labels, classCount: 5, size: size, seed: 11)
        #expect(sample.count == size)
        #expect(Set(sample).count == size)
        #expect(sample == sample.sorted())
        for c in 0 ..< 5 {
            let expected = Double(labels.filter { $0 == c }.count) * Double(size) / Double(labels.count)
            let got = Double(sample.filter { labels[$0] == c }.count)
            #expect(abs(got - expected) < 1, "class \(c): \(got) vs \(expected)")
        }
    }
}
