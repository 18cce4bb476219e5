import Evaluation
import Testing

@Suite struct MetricsTests {
    // truth:     0 0 0 1 1 2 2 2 2   (class 3 exists but is never seen nor predicted)
    // predicted: 0 0 1 1 0 2 2 2 1
    let matrix = ConfusionMatrix(truth: [0, 0, 0, 1, 1, 2, 2, 2, 2], predicted: [0, 0, 1, 1, 0, 2, 2, 2, 1], classCount: 4)

    @Test func countsRowsAsTruthAndColumnsAsPredictions() {
        #expect(matrix[0, 0] == 2 && matrix[0, 1] == 1 && matrix[1, 0] == 1 && matrix[2, 1] == 1 && matrix[2, 2] == 3)
        #expect(matrix.total == 9)
        #expect(abs(matrix.accuracy - 6.0 / 9.0) < 1e-12)
    }

    @Test func perClassScoresMatchHandComputedValues() {
        let m = ClassificationMetrics(matrix)
        // class 0: tp 2, predicted 3, actual 3 -> p 2/3, r 2/3
        // class 1: tp 1, predicted 3, actual 2 -> p 1/3, r 1/2, f1 = 2(1/6)/(5/6) = 0.4
        // class 2: tp 3, predicted 3, actual 4 -> p 1, r 3/4, f1 = 6/7
        // class 3: never present, never predicted -> 0 by the zero-division rule
        let expected: [(Double, Double, Double, Int)] = [(2.0 / 3, 2.0 / 3, 2.0 / 3, 3), (1.0 / 3, 0.5, 0.4, 2), (1, 0.75, 6.0 / 7, 4), (0, 0, 0, 0)]
        for (c, (p, r, f, s)) in expected.enumerated() {
            #expect(abs(m.perClass[c].precision - p) < 1e-12, "class \(c) precision")
            #expect(abs(m.perClass[c].recall - r) < 1e-12, "class \(c) recall")
            #expect(abs(m.perClass[c].f1 - f) < 1e-12, "class \(c) f1")
            #expect(m.perClass[c].support == s)
        }
        #expect(abs(m.macro.precision - (2.0 / 3 + 1.0 / 3 + 1 + 0) / 4) < 1e-12)
        #expect(abs(m.macro.f1 - (2.0 / 3 + 0.4 + 6.0 / 7) / 4) < 1e-12)
        #expect(abs(m.weighted.recall - (3 * 2.0 / 3 + 2 * 0.5 + 4 * 0.75) / 9) < 1e-12)
        #expect(m.weighted.support == 9)
    }

    @Test func meanAndPopulationStandardDeviation() {
        let (mean, std) = meanAndStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9])
        #expect(mean == 5)
        #expect(std == 2)
    }
}
