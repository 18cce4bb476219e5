import BenchCore
import Evaluation
import Foundation
import TestSupport
import Testing

@Suite struct GridTests {
    @Test func listsAndRanges() throws {
        #expect(try GridAxis.values("1,3, 5") == ["1", "3", "5"])
        #expect(try GridAxis.values("0..1:5") == ["0", "0.25", "0.5", "0.75", "1"])
        // 0.01 · 5^(i/3): 0.01, 0.0171, 0.02924, 0.05.
        #expect(try GridAxis.values("0.01..0.05:4:log") == ["0.01", "0.0170998", "0.0292402", "0.05"])
        #expect(try GridAxis.values("1..1000:4:log") == ["1", "10", "100", "1000"])
        for bad in ["1,,2", "1,1", "1..2", "2..1:3", "0..1:1", "0..1:3:lin", "0..1:3:log", "a..b:3", "1..2:x"] {
            #expect(throws: GridError.self, "'\(bad)'") { try GridAxis.values(bad) }
        }
    }

    @Test func candidatesAreTheProductFirstAxisSlowest() {
        let grid = Grid(axes: [GridAxis(parameter: "C", values: ["1", "2"]), GridAxis(parameter: "g", values: ["a", "b", "c"])])
        #expect(grid.count == 6)
        #expect(grid.candidates.map { $0.map { "\($0.parameter)=\($0.value)" }.joined(separator: " ") }
                == ["C=1 g=a", "C=1 g=b", "C=1 g=c", "C=2 g=a", "C=2 g=b", "C=2 g=c"])
    }
}

@Suite struct HalvingScheduleTests {
    @Test func roundsByHand() {
        // 12 candidates, η = 3: 1 + ⌊log₃ 12⌋ = 3 rounds keeping 12, ⌈12/3⌉ = 4, ⌈4/3⌉ = 2, on
        // 48,000 / 9, / 3 and all of each fold's training images.
        let schedule = HalvingSchedule(candidates: 12, factor: 3, foldTrainingSize: 48_000, minimum: 200)
        #expect(schedule.rounds == [.init(candidates: 12, trainingSubset: 5_333), .init(candidates: 4, trainingSubset: 16_000),
                                    .init(candidates: 2, trainingSubset: nil)])
        // 9 candidates: 1 + ⌊log₃ 9⌋ = 3 rounds (9, 3, 1).
        #expect(HalvingSchedule(candidates: 9, factor: 3, foldTrainingSize: 900, minimum: 10).rounds.map(\.candidates) == [9, 3, 1])
        // Too little data for three rounds: only as many as keep ≥ minimum images.
        #expect(HalvingSchedule(candidates: 12, factor: 3, foldTrainingSize: 500, minimum: 100).rounds
                == [.init(candidates: 12, trainingSubset: 166), .init(candidates: 4, trainingSubset: nil)])
        #expect(HalvingSchedule(candidates: 1, factor: 2, foldTrainingSize: 500, minimum: 10).rounds == [.init(candidates: 1, trainingSubset: nil)])
    }
}

@Suite struct TuningChoiceTests {
    func score(_ candidate: Int, _ accuracies: [Double?], fit: Double = 1) -> CandidateScore {
        CandidateScore(candidate: candidate, foldAccuracies: accuracies, meanFitSeconds: fit, meanPredictSeconds: 0)
    }

    @Test func highestMeanThenFasterThenEarlier() {
        #expect(TuningChoice.chosen([score(0, [0.9, 0.92]), score(1, [0.95, 0.92]), score(2, [0.94, 0.94])])?.candidate == 2)
        // A tie on the mean (0.94) goes to the lower fit time, then to the earlier candidate.
        #expect(TuningChoice.chosen([score(0, [0.94, 0.94], fit: 2), score(1, [0.93, 0.95], fit: 1)])?.candidate == 1)
        #expect(TuningChoice.chosen([score(3, [0.94], fit: 1), score(1, [0.94], fit: 1)])?.candidate == 1)
        // A failed fold counts as 0.
        #expect(TuningChoice.chosen([score(0, [0.99, nil]), score(1, [0.5, 0.5])])?.candidate == 1)
        // Between rounds only the accuracy and the grid order count (never a timing).
        #expect(TuningChoice.ranked([score(0, [0.9], fit: 9), score(1, [0.9], fit: 1), score(2, [0.95])]).map(\.candidate) == [2, 0, 1])
        #expect(abs(score(0, [0.9, 0.92]).std - 0.01) < 1e-12)
    }
}
