import Foundation
import TestSupport
import Testing

/// The shards on a real scheduler: `scripts/slurm-e2e.sh` submits `bench run --shard auto` as
/// a Slurm job array, merges, and compares with one process. It needs a running Slurm, which
/// `.ci/run` starts (`scripts/slurm-local.sh`) before the tests; without one it is skipped
/// and says so.
@Suite struct SlurmEndToEndTests {
    static func run(_ command: String, _ arguments: [String], environment: [String: String]? = nil) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    static var slurmAnswers: Bool { run("scontrol", ["ping"]).output.contains("UP") }

    /// The release `bench` beside this test binary (built by `swift build -c release`).
    static var bench: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bench").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : TestData.packageRoot + "/.build/release/bench"
    }

    @Test(.enabled(if: slurmAnswers, "no Slurm controller answers (scripts/slurm-local.sh starts one; .ci/run does)"),
          .timeLimit(.minutes(2)))
    func jobArrayShardsMergeToOneProcessResults() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.bench), "build bench first: swift build -c release")
        let (status, output) = Self.run(TestData.packageRoot + "/scripts/slurm-e2e.sh", [], environment: ["BENCH": Self.bench])
        #expect(status == 0, "\(output)")
        #expect(output.contains("merged equal one process"), "\(output)")
    }
}
