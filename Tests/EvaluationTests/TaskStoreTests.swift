import BenchCore
import Evaluation
import Foundation
import IDXData
import TestSupport
import Testing

/// A small, complete outcome of a fold unit.
private func sampleOutcome(unit: WorkUnit = WorkUnit(algorithm: "softmax", kind: .fold(index: 2, count: 3, repeat: 1))) -> UnitOutcome {
    let predictions = [0, 1, 2, 1, 0, 2]
    let truth = [0, 1, 2, 2, 0, 1]
    let scores = ScoreMatrix(rows: 6, classCount: 3, values: (0 ..< 18).map { Float($0) / 17 + 1e-7 })!
    return UnitOutcome(unit: unit, trainingCount: 12, testCount: 6, fitSeconds: 0.125, predictSeconds: 1e-3, threads: 2,
                       predictions: predictions, scores: scores,
                       confusion: ConfusionMatrix(truth: truth, predicted: predictions, classCount: 3),
                       diagnostics: Diagnostics(facts: [Fact("iterations", "7")]), error: nil)
}

private func sampleIdentity(_ unit: WorkUnit = WorkUnit(algorithm: "softmax", kind: .fold(index: 2, count: 3, repeat: 1))) -> TaskIdentity {
    TaskIdentity(program: "0.1.0+abc", algorithm: unit.algorithm, settings: [("l2", "0.0001"), ("preprocess", "none")], unit: unit,
                 seed: 42, trainSize: 6000, data: [DataFileChecksum(file: "train-images-idx3-ubyte.gz", sha256: "00ff")])
}

@Suite struct TaskFileTests {
    @Test func roundTripsExactly() throws {
        let contents = TaskFile.Contents(identity: sampleIdentity(), outcome: sampleOutcome())
        let bytes = try TaskFile.encode(contents)
        #expect(Array(bytes.prefix(8)) == TaskFile.magic)
        let read = try TaskFile.decode(bytes, expectedKey: sampleIdentity().key)
        #expect(read == contents)
        #expect(read.outcome.scores!.values.map(\.bitPattern) == contents.outcome.scores!.values.map(\.bitPattern))
        #expect(try TaskFile.encode(read) == bytes, "the same outcome gives the same bytes")
    }

    @Test func everyTruncationAndEveryFlippedByteIsRefused() throws {
        let bytes = try TaskFile.encode(TaskFile.Contents(identity: sampleIdentity(), outcome: sampleOutcome()))
        for length in 0 ..< bytes.count {
            #expect(throws: TaskFileError.self) { try TaskFile.decode(Array(bytes.prefix(length))) }
        }
        for index in stride(from: 0, to: bytes.count, by: 7) {
            var changed = bytes
            changed[index] ^= 0x20
            #expect(throws: TaskFileError.self) { try TaskFile.decode(changed) }
        }
    }

    @Test func aLengthBeyondTheBytesIsRefusedWithoutAllocating() throws {
        var bytes = try TaskFile.encode(TaskFile.Contents(identity: sampleIdentity(), outcome: sampleOutcome()))
        for b in 12 ..< 20 { bytes[b] = 0xFF }
        #expect(throws: TaskFileError.damaged("the header says 18446744073709551615 bytes of JSON, the file holds \(bytes.count - 52)")) {
            try TaskFile.decode(bytes)
        }
    }

    @Test func anOutcomeOfAnotherKeyOrUnitIsRefused() throws {
        let bytes = try TaskFile.encode(TaskFile.Contents(identity: sampleIdentity(), outcome: sampleOutcome()))
        let other = sampleIdentity(WorkUnit(algorithm: "softmax", kind: .final))
        #expect(throws: TaskFileError.self) { try TaskFile.decode(bytes, expectedKey: other.key) }
        let mismatched = try TaskFile.encode(TaskFile.Contents(identity: other, outcome: sampleOutcome()))
        #expect(throws: TaskFileError.self) { try TaskFile.decode(mismatched) }
    }

    @Test func anInconsistentOutcomeIsRefused() throws {
        let good = sampleOutcome()
        let cases: [UnitOutcome] = [
            // One prediction too few.
            UnitOutcome(unit: good.unit, trainingCount: 12, testCount: 6, fitSeconds: 0, predictSeconds: 0, threads: 1,
                        predictions: Array(good.predictions.dropLast()), scores: good.scores, confusion: good.confusion,
                        diagnostics: Diagnostics(), error: nil),
            // A prediction the confusion matrix did not tally.
            UnitOutcome(unit: good.unit, trainingCount: 12, testCount: 6, fitSeconds: 0, predictSeconds: 0, threads: 1,
                        predictions: [0, 0, 2, 1, 0, 2], scores: good.scores, confusion: good.confusion,
                        diagnostics: Diagnostics(), error: nil),
            // Negative time.
            UnitOutcome(unit: good.unit, trainingCount: 12, testCount: 6, fitSeconds: -1, predictSeconds: 0, threads: 1,
                        predictions: good.predictions, scores: good.scores, confusion: good.confusion,
                        diagnostics: Diagnostics(), error: nil),
            // A score that is not a number.
            UnitOutcome(unit: good.unit, trainingCount: 12, testCount: 6, fitSeconds: 0, predictSeconds: 0, threads: 1,
                        predictions: good.predictions, scores: ScoreMatrix(rows: 6, classCount: 3, values: [.nan] + good.scores!.values.dropFirst()),
                        confusion: good.confusion, diagnostics: Diagnostics(), error: nil),
            // Scores of another shape.
            UnitOutcome(unit: good.unit, trainingCount: 12, testCount: 6, fitSeconds: 0, predictSeconds: 0, threads: 1,
                        predictions: good.predictions, scores: ScoreMatrix(rows: 3, classCount: 6, values: good.scores!.values),
                        confusion: good.confusion, diagnostics: Diagnostics(), error: nil),
        ]
        #expect(throws: Never.self) { try good.validate() }
        for outcome in cases {
            #expect(throws: InconsistentOutcome.self) { try outcome.validate() }
            let bytes = try TaskFile.encode(TaskFile.Contents(identity: sampleIdentity(), outcome: outcome))
            #expect(throws: TaskFileError.self) { try TaskFile.decode(bytes) }
        }
    }

    /// Hardening (docs/hardening.md): a confusion matrix whose counts overflow an Int when added
    /// up stopped the process in `validate()` (`ConfusionMatrix.total`, Int's trapping `+`)
    /// instead of being refused. The JSON below, framed as a task file, was the input.
    @Test func confusionCountsThatOverflowWhenAddedAreRefused() throws {
        func file(counts: String) -> [UInt8] {
            let json = #"{"identity":{"algorithm":"softmax","data":[],"program":"0.1.0","seed":"1","settings":[],"#
                + #""unit":{"algorithm":"softmax","kind":{"final":{}}}},"outcome":{"confusion":{"classCount":2,"counts":"#
                + counts + #"},"diagnostics":{"facts":[],"maps":[],"series":[],"tables":[]},"fitSeconds":0,"#
                + #""predictSeconds":0,"predictions":[0,1],"testCount":2,"threads":1,"trainingCount":2,"#
                + #""unit":{"algorithm":"softmax","kind":{"final":{}}}}}"#
            var bytes = TaskFile.magic + [1, 0, 0, 0]
            bytes += (0 ..< 8).map { UInt8(truncatingIfNeeded: json.utf8.count >> (8 * $0)) } + Array(json.utf8)
            return bytes + SHA256.digest(bytes)
        }
        #expect(try TaskFile.decode(file(counts: "[1,0,0,1]")).outcome.confusion?.total == 2)
        // ConfusionMatrix's decoder refuses counts whose sum overflows (its `total` would trap).
        #expect(throws: TaskFileError.self) {
            try TaskFile.decode(file(counts: "[9223372036854775807,0,0,1]"))
        }
    }

    @Test func storeWritesReadsAndReportsDamage() throws {
        let store = TaskStore(out: TestData.temporaryDirectory())
        let identity = sampleIdentity()
        guard case .missing = store.load(identity) else { Issue.record("an empty store has nothing"); return }
        try store.store(sampleOutcome(), identity: identity)
        guard case .found(let outcome) = store.load(identity) else { Issue.record("the stored outcome is found"); return }
        #expect(outcome == sampleOutcome())
        let path = store.taskPath(identity)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        guard case .damaged(let damagedPath, _) = store.load(identity) else { Issue.record("half a file is damaged"); return }
        #expect(damagedPath == path)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(leftovers.allSatisfy { !$0.hasSuffix(".tmp") }, "no temporary file is left behind")
    }

    @Test func keysChangeWithEverythingThatDeterminesAResult() {
        let base = sampleIdentity()
        let unit = base.unit
        let variants = [
            TaskIdentity(program: "0.1.0+abd", algorithm: "softmax", settings: [("l2", "0.0001"), ("preprocess", "none")], unit: unit, seed: 42, trainSize: 6000, data: base.data),
            TaskIdentity(program: "0.1.0+abc", algorithm: "softmax", settings: [("l2", "0.001"), ("preprocess", "none")], unit: unit, seed: 42, trainSize: 6000, data: base.data),
            TaskIdentity(program: "0.1.0+abc", algorithm: "softmax", settings: [("l2", "0.0001"), ("preprocess", "none")],
                         unit: WorkUnit(algorithm: "softmax", kind: .fold(index: 2, count: 4, repeat: 1)), seed: 42, trainSize: 6000, data: base.data),
            TaskIdentity(program: "0.1.0+abc", algorithm: "softmax", settings: [("l2", "0.0001"), ("preprocess", "none")],
                         unit: WorkUnit(algorithm: "softmax", kind: .fold(index: 2, count: 3, repeat: 2)), seed: 42, trainSize: 6000, data: base.data),
            TaskIdentity(program: "0.1.0+abc", algorithm: "softmax", settings: [("l2", "0.0001"), ("preprocess", "none")], unit: unit, seed: 43, trainSize: 6000, data: base.data),
            TaskIdentity(program: "0.1.0+abc", algorithm: "softmax", settings: [("l2", "0.0001"), ("preprocess", "none")], unit: unit, seed: 42, trainSize: nil, data: base.data),
            TaskIdentity(program: "0.1.0+abc", algorithm: "softmax", settings: [("l2", "0.0001"), ("preprocess", "none")], unit: unit, seed: 42, trainSize: 6000,
                         data: [DataFileChecksum(file: "train-images-idx3-ubyte.gz", sha256: "00fe")]),
        ]
        #expect(base.key.count == 32)
        #expect(Set(variants.map(\.key) + [base.key]).count == variants.count + 1)
        #expect(sampleIdentity().key == base.key, "the key is a function of the identity")
    }
}

@Suite struct PlanRecordTests {
    @Test func aShardCountBeyondTheLimitIsRefused() throws {
        let store = TaskStore(out: TestData.temporaryDirectory())
        let plan = StoredPlan(program: "p", algorithms: [StoredPlan.Algorithm(name: "softmax", settings: [])], folds: 0, repeats: 1, seed: 1,
                              trainSize: nil, trainingCount: 10, fullTrainingCount: 10, testCount: 5, data: [], units: [])
        try PlanRecord(plan: plan, command: "bench run", shard: Shard(index: 1, count: 2), dataDirectory: "d", jobs: 1).write(to: store)
        #expect(try PlanRecord.read(from: store).shard == Shard(index: 1, count: 2))
        let path = PlanRecord.path(in: store)
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"count\" : 2", with: "\"count\" : 1000000000000")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: TaskFileError.self) { try PlanRecord.read(from: store) }
    }
}

@Suite struct ScoreMatrixCodingTests {
    @Test func bitExactRoundTripAndShapeCheck() throws {
        let values: [Float] = [0, -0.0, 1, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1.0 / 3, .infinity]
        let matrix = ScoreMatrix(rows: 7, classCount: 1, values: values)!
        let decoded = try JSONDecoder().decode(ScoreMatrix.self, from: JSONEncoder().encode(matrix))
        #expect(decoded.values.map(\.bitPattern) == values.map(\.bitPattern))
        let bad = #"{"rows":3,"classCount":3,"values":"AAAAAA=="}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ScoreMatrix.self, from: Data(bad.utf8)) }
        let huge = #"{"rows":4611686018427387904,"classCount":4,"values":""}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ScoreMatrix.self, from: Data(huge.utf8)) }
    }
}

@Suite struct ShardTests {
    @Test func parsesEveryForm() throws {
        #expect(try Shard.parse("2/3", environment: [:]) == Shard(index: 2, count: 3))
        // Slurm: --array=0-2 gives IDs 0,1,2 with MIN 0; --array=1-3 gives 1,2,3 with MIN 1.
        #expect(try Shard.parse("auto", environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "0"]) == Shard(index: 1, count: 3))
        #expect(try Shard.parse("auto", environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"]) == Shard(index: 3, count: 3))
        #expect(try Shard.parse("auto/4", environment: ["JOB_COMPLETION_INDEX": "3"]) == Shard(index: 4, count: 4))
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "/", "1/3/5", "-1/3", "auto/x"] {
            #expect(throws: ShardError.self, "'\(bad)'") { try Shard.parse(bad, environment: ["JOB_COMPLETION_INDEX": "0"]) }
        }
        #expect(throws: ShardError.self) { try Shard.parse("auto", environment: [:]) }
        #expect(throws: ShardError.self) { try Shard.parse("auto/3", environment: ["JOB_COMPLETION_INDEX": "3"]) }
        #expect(throws: ShardError.self) { try Shard.parse("auto", environment: ["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "3"]) }
    }

    @Test func longestFirstAssignmentByHand() {
        // 5 → s0; 4 → s1; 3 → s1 (4 < 5); 3 → s0 (5 < 7); 2 → s1 (7 < 8); 1 → s0 (8 < 9): loads 9 and 9.
        #expect(Shard.assign(costs: [5, 4, 3, 3, 2, 1], shards: 2) == [0, 1, 1, 0, 1, 0])
        // Ties go to the earlier unit and the lower shard.
        #expect(Shard.assign(costs: [1, 1, 1, 1], shards: 3) == [0, 1, 2, 0])
        #expect(Shard.assign(costs: [2, 1], shards: 5) == [0, 1])
        // Units too cheap to measure are dealt out evenly.
        #expect(Shard.assign(costs: [0, 0, 0, 0, 0], shards: 2) == [0, 1, 0, 1, 0])
    }

    @Test func balancedWithinGrahamsBoundOnRandomCosts() {
        var random = SplitMix64(seed: 9)
        for _ in 0 ..< 200 {
            let shards = Int(random.next() % 6) + 1
            let costs = (0 ..< Int(random.next() % 40) + 1).map { _ in Double(random.next() % 1000) / 10 }
            let owners = Shard.assign(costs: costs, shards: shards)
            var load = [Double](repeating: 0, count: shards)
            for (cost, owner) in zip(costs, owners) { load[owner] += cost }
            // Graham's bound for any list schedule: the mean load plus (1 − 1/m) of the largest unit.
            let bound = costs.reduce(0, +) / Double(shards) + (1 - 1 / Double(shards)) * costs.max()!
            #expect(load.max()! <= bound + 1e-9)
            #expect(Shard.assign(costs: costs, shards: shards) == owners, "deterministic")
        }
    }
}
