import BenchCore
import SoftmaxRegression
import Testing

@Suite struct SoftmaxObjectiveTests {
    /// Random sparse-ish features in 0–1 and random labels.
    func problem(rows: Int, columns: Int, classes: Int, seed: UInt64) -> (FeatureMatrix, [Int], [Double]) {
        var generator = SplitMix64(seed: seed)
        let values = (0 ..< rows * columns).map { _ in generator.nextUnitFloat() < 0.4 ? generator.nextUnitFloat() : 0 }
        let labels = (0 ..< rows).map { _ in generator.nextInt(below: classes) }
        let theta = (0 ..< (columns + 1) * classes).map { _ in 0.3 * generator.nextGaussian() }
        return (FeatureMatrix(rows: rows, columns: columns, values: values), labels, theta)
    }

    // 3, 10 and 20 classes exercise the SIMD8, SIMD16 and SIMD32 paths; 33 to 130 the groups of 16.
    @Test(arguments: [3, 10, 20, 33, 40, 47, 70, 130])
    func fastPathMatchesTheReference(classes: Int) {
        // More rows than one chunk, so chunked summation is exercised too.
        let (x, labels, theta) = problem(rows: SoftmaxObjective.chunkSize + 77, columns: 13, classes: classes, seed: UInt64(classes))
        var reference = [Double](repeating: 0, count: theta.count)
        let expected = SoftmaxObjective.reference(features: x, labels: labels, classCount: classes, l2: 0.01, theta: theta, gradient: &reference)
        for threads in [1, 2] {
            let objective = SoftmaxObjective(data: SparseRows(x), labels: labels, classCount: classes, l2: 0.01, threads: threads)
            var gradient = [Double](repeating: 0, count: theta.count)
            let value = objective.evaluate(theta, gradient: &gradient)
            #expect(abs(value - expected) < 1e-4 * max(1, abs(expected)), "classes \(classes), threads \(threads)")
            let worst = zip(gradient, reference).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-4, "classes \(classes), threads \(threads): gradient off by \(worst)")
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func referenceGradientMatchesFiniteDifferences(seed: UInt64) {
        let (x, labels, theta) = problem(rows: 9, columns: 4, classes: 3, seed: seed)
        var gradient = [Double](repeating: 0, count: theta.count)
        _ = SoftmaxObjective.reference(features: x, labels: labels, classCount: 3, l2: 0.1, theta: theta, gradient: &gradient)
        var scratch = gradient
        for i in theta.indices {
            var plus = theta, minus = theta
            plus[i] += 1e-6
            minus[i] -= 1e-6
            let numeric = (SoftmaxObjective.reference(features: x, labels: labels, classCount: 3, l2: 0.1, theta: plus, gradient: &scratch)
                - SoftmaxObjective.reference(features: x, labels: labels, classCount: 3, l2: 0.1, theta: minus, gradient: &scratch)) / 2e-6
            #expect(abs(numeric - gradient[i]) < 1e-6, "seed \(seed), parameter \(i)")
        }
    }

    @Test func threadCountDoesNotChangeTheValueBitForBit() {
        let (x, labels, theta) = problem(rows: 3 * SoftmaxObjective.chunkSize + 5, columns: 20, classes: 10, seed: 8)
        var results: [[Double]] = []
        for threads in [1, 2, 3] {
            let objective = SoftmaxObjective(data: SparseRows(x), labels: labels, classCount: 10, l2: 1e-3, threads: threads)
            var gradient = [Double](repeating: 0, count: theta.count)
            results.append([objective.evaluate(theta, gradient: &gradient)] + gradient)
        }
        #expect(results[0] == results[1] && results[1] == results[2])
    }
}

@Suite struct SparseRowsTests {
    /// The nonzeros, found plainly.
    func reference(_ x: FeatureMatrix) -> (rowStart: [Int], columnIndex: [Int32], value: [Float]) {
        var rowStart = [0], columnIndex: [Int32] = [], value: [Float] = []
        for r in 0 ..< x.rows {
            for c in 0 ..< x.columns where x[r, c] != 0 { columnIndex.append(Int32(c)); value.append(x[r, c]) }
            rowStart.append(value.count)
        }
        return (rowStart, columnIndex, value)
    }

    /// More rows than one build block, read from bytes and from floats, with 1, 2 and 3 threads.
    @Test func bytesAndFeaturesGiveTheSameEntriesForAnyThreads() {
        var generator = SplitMix64(seed: 21)
        let (rows, columns) = (2 * 4096 + 333, 11)
        let bytes = (0 ..< rows * columns).map { _ in generator.nextInt(below: 3) == 0 ? UInt8(1 + generator.nextInt(below: 255)) : 0 }
        let images = ImageSet(height: 1, width: columns, bytes: bytes)
        let expected = reference(images.features)
        for threads in [1, 2, 3] {
            for sparse in [SparseRows(images, threads: threads), SparseRows(images.features, threads: threads)] {
                #expect(sparse.rowStart == expected.rowStart && sparse.columnIndex == expected.columnIndex
                        && sparse.value == expected.value, "threads \(threads)")
            }
        }
    }
}
