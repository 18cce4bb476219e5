import BenchCore
import Evaluation
import Foundation
import ModelFile
import TestSupport
import Testing

/// `bench run` killed at random moments loses only the units in flight, and SIGINT stops it
/// cleanly. The release `bench` runs as a child process (built by `swift build`/`swift test`).
@Suite(.serialized) struct InterruptionTests {
    static func arguments(out: String, models: String) -> [String] {
        ["run", "--algo", "softmax,knn", "--folds", "3", "--train-size", "3000", "--data", TestData.mnistDirectory,
         "--out", out, "--models", models, "--quiet", "--set", "softmax.iterations=30", "--jobs", "2"]
    }

    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SlurmEndToEndTests.bench)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Every file the interrupted run left is whole: each stored outcome reads back, each
    /// report directory has all its files, each model file checks out.
    static func checkEverythingLeftIsValid(out: String, models: String) throws {
        let tasks = out + "/tasks"
        for path in (FileManager.default.enumerator(atPath: tasks)?.allObjects as? [String] ?? []) where path.hasSuffix(".task") {
            #expect(throws: Never.self, "\(path)") { try TaskFile.read(tasks + "/" + path) }
        }
        for algorithm in ["softmax", "knn"] where FileManager.default.fileExists(atPath: "\(out)/\(algorithm)") {
            for file in ["report.md", "metrics.csv", "confusion.csv", "cv_folds.csv", "predictions.csv", "confusion.svg"] {
                #expect(FileManager.default.fileExists(atPath: "\(out)/\(algorithm)/\(file)"), "\(algorithm)/\(file)")
            }
            let predictions = try String(contentsOfFile: "\(out)/\(algorithm)/predictions.csv", encoding: .utf8)
            #expect(predictions.split(separator: "\n").count == 10_001, "\(algorithm)/predictions.csv is whole")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: models)) ?? [] where name.hasSuffix(".model") {
            #expect(throws: Never.self, "\(name)") { try ModelFile.read(models + "/" + name) }
        }
        if let summary = try? String(contentsOfFile: out + "/summary.csv", encoding: .utf8) {
            #expect(CSVTable(parsing: summary) != nil)
        }
    }

    @Test(.timeLimit(.minutes(5))) func killedAtTwentyRandomMomentsThenRerunGivesTheSameResults() throws {
        try #require(FileManager.default.isExecutableFile(atPath: SlurmEndToEndTests.bench), "build bench first: swift build -c release")
        let base = TestData.temporaryDirectory()
        let started = Date()
        let reference = try Self.start(Self.arguments(out: base + "/reference", models: base + "/reference-models"))
        reference.waitUntilExit()
        #expect(reference.terminationStatus == 0)
        // Kill times spread over a whole run: loading, folds, final fits, saving, reports.
        var span = max(Date().timeIntervalSince(started), 0.5)

        let (out, models) = (base + "/killed", base + "/killed-models")
        var random = SplitMix64(seed: 20261127)
        var killedWhileRunning = 0, attempts = 0
        // 20 kills that land while the run works (a run that already finished does not count,
        // and narrows the window: the machine may be less loaded than when the span was measured).
        while killedWhileRunning < 20 && attempts < 60 {
            attempts += 1
            // --fresh: every attempt recomputes (and rewrites) every unit, so that each kill can
            // land in the middle of writing one; the last run below resumes without it.
            let process = try Self.start(Self.arguments(out: out, models: models) + ["--fresh"])
            usleep(UInt32(100_000 + random.nextInt(below: Int(span * 1_000_000))))
            if process.isRunning { killedWhileRunning += 1 } else { span = max(span * 0.8, 0.3) }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try Self.checkEverythingLeftIsValid(out: out, models: models)
        }
        #expect(killedWhileRunning == 20, "20 kills while the run works (\(attempts) attempts)")
        let last = try Self.start(Self.arguments(out: out, models: models))
        last.waitUntilExit()
        #expect(last.terminationStatus == 0)
        for algorithm in ["softmax", "knn"] {
            for file in ["predictions.csv", "metrics.csv", "confusion.csv"] {
                #expect(try String(contentsOfFile: "\(out)/\(algorithm)/\(file)", encoding: .utf8)
                        == String(contentsOfFile: "\(base)/reference/\(algorithm)/\(file)", encoding: .utf8), "\(algorithm)/\(file)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(models)/\(algorithm).model"))
                    == Data(contentsOf: URL(fileURLWithPath: "\(base)/reference-models/\(algorithm).model")))
        }
    }

    @Test(.timeLimit(.minutes(2))) func sigintKeepsWhatFinishedAndExits130() throws {
        try #require(FileManager.default.isExecutableFile(atPath: SlurmEndToEndTests.bench))
        let base = TestData.temporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SlurmEndToEndTests.bench)
        // A run long enough to be interrupted on any machine (the forest's folds come after the
        // others'), signalled as soon as its first unit is stored rather than after a fixed
        // time: a faster build once finished the smaller run within the 1.5 s this test waited.
        process.arguments = ["run", "--algo", "softmax,knn,forest", "--folds", "5", "--train-size", "10000",
                             "--data", TestData.mnistDirectory, "--out", base + "/out", "--models", base + "/models",
                             "--quiet", "--set", "softmax.iterations=30", "--jobs", "2"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        func storedUnits() -> Int {
            (FileManager.default.enumerator(atPath: base + "/out/tasks")?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".task") }.count
        }
        let start = Date()
        while storedUnits() == 0 && process.isRunning && Date().timeIntervalSince(start) < 60 { usleep(20_000) }
        try #require(process.isRunning, "the run ended before it could be interrupted")
        kill(process.processIdentifier, SIGINT)
        let message = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(message.contains("Interrupted: the units that finished are kept in \(base)/out/tasks"), "\(message)")
        #expect(message.contains("Run the same command again to resume"))
        try Self.checkEverythingLeftIsValid(out: base + "/out", models: base + "/models")
    }
}
