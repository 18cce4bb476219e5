import Foundation
import TestSupport
import Testing

/// Every option of every subcommand given a malformed, out-of-range, repeated or conflicting
/// value: exit 64, a message naming the option, and nothing written. One table; each row runs
/// the release `bench` as a child process in an empty directory, which must stay empty.
@Suite struct BadCommandLineTests {
    /// (arguments, what the message must contain)
    static let cases: [([String], String)] = [
        // bench run
        (["run", "--algo", "softmax", "--folds", "x"], "'--folds'"),
        (["run", "--algo", "softmax", "--folds", "1"], "'--folds'"),
        (["run", "--algo", "softmax", "--folds", "1001"], "'--folds'"),
        (["run", "--algo", "softmax", "--folds", "3", "--folds", "4"], "'--folds' is given 2 times"),
        (["run", "--algo", "softmax", "--repeats", "0"], "'--repeats'"),
        (["run", "--algo", "softmax", "--repeats", "101"], "'--repeats'"),
        (["run", "--algo", "softmax", "--seed", "-1"], "'--seed'"),
        (["run", "--algo", "softmax", "--seed", "18446744073709551616"], "'--seed'"),
        (["run", "--algo", "softmax", "--jobs", "0"], "'--jobs'"),
        (["run", "--algo", "softmax", "--jobs", "many"], "'--jobs'"),
        (["run", "--algo", "softmax", "--train-size", "0"], "'--train-size'"),
        (["run", "--algo", "softmax", "--data", ""], "'--data'"),
        (["run", "--algo", "softmax", "--out", ""], "'--out'"),
        (["run", "--algo", "softmax", "--models", ""], "'--models'"),
        (["run", "--algo", "softmax", "--models", "m", "--no-models"], "'--no-models'"),
        (["run", "--algo", "softmax", "--set", "softmax"], "'--set'"),
        (["run", "--algo", "softmax", "--set", "softmax.l2=-1"], "'l2'"),
        (["run", "--algo", "softmax", "--set", "softmax.zz=1"], "'zz'"),
        (["run", "--algo", "softmax", "--set", "svm.C=1"], "'svm'"),
        (["run", "--algo", "nope"], "'nope'"),
        (["run", "--algo", ""], "'--algo'"),
        (["run", "--algo", "softmax", "--algo", "knn"], "'--algo' is given 2 times"),
        (["run", "--all", "--algo", "softmax"], "'--all' or '--algo'"),
        (["run", "--algo", "softmax", "--shard", "0/2"], "'--shard"),
        (["run", "--algo", "softmax", "--shard", "3/2"], "'--shard"),
        (["run", "--algo", "softmax", "--shard", "half"], "'--shard'"),
        (["run", "--algo", "softmax", "--shard", "auto"], "SLURM_ARRAY_TASK_ID"),
        (["run", "--algo", "softmax", "--shard", "auto/3"], "JOB_COMPLETION_INDEX"),
        (["run", "--algo", "softmax", "--fresh=yes"], "'--fresh' takes no value"),
        (["run", "--algo", "softmax", "--quiet", "--quiet"], "'--quiet' is given 2 times"),
        (["run", "--kernels", "--algo", "softmax"], "'--kernels'"),
        (["run", "--algo", "softmax", "--foldz", "3"], "'--foldz'"),
        (["run", "--algo", "softmax", "extra"], "'extra'"),
        // bench tune
        (["tune", "--grid", "knn.k=1"], "'--algo NAME'"),
        (["tune", "--algo", "knn"], "'--grid"),
        (["tune", "--algo", "knn", "--grid", "knn.k=0,1"], "'k'"),
        (["tune", "--algo", "knn", "--grid", "knn.k=1..9:x"], "'--grid"),
        (["tune", "--algo", "knn", "--grid", "knn.k=1", "--grid", "knn.k=3"], "'--grid' names 'knn.k' twice"),
        (["tune", "--algo", "knn", "--grid", "svm.C=1"], "'svm'"),
        (["tune", "--algo", "knn", "--grid", "knn.k=1", "--set", "knn.k=3"], "both searched"),
        (["tune", "--algo", "knn", "--grid", "knn.k=1", "--factor", "3"], "'--factor'"),
        (["tune", "--algo", "knn", "--grid", "knn.k=1", "--halving", "--factor", "1"], "'--factor'"),
        (["tune", "--algo", "knn", "--grid", "knn.k=1", "--folds", "1"], "'--folds'"),
        (["tune", "--algo", "knn", "--grid", "knn.k=1", "--models", "m", "--no-models"], "'--no-models'"),
        (["tune", "--algo", "knn", "--grid", "knn.k=1", "--shard", "5/4"], "'--shard"),
        (["tune", "--algo", "knn", "--algo", "svm", "--grid", "knn.k=1"], "'--algo' is given 2 times"),
        // bench predict
        (["predict", "x.png"], "'--model"),
        (["predict", "--model", "m.model"], "image"),
        (["predict", "--model", "m.model", "--normalize", "sometimes", "x.png"], "'--normalize'"),
        (["predict", "--model", "m.model", "--jobs", "0", "x.png"], "'--jobs'"),
        (["predict", "--model", "a.model", "--model", "b.model", "x.png"], "'--model' is given 2 times"),
        (["predict", "--model", "m.model", "--output", "", "x.png"], "'--output'"),
        // bench merge
        (["merge", "a"], "'--out"),
        (["merge", "--out", "o"], "directories"),
        (["merge", "a", "--out", "o", "--models", "m", "--no-models"], "'--no-models'"),
        (["merge", "a", "--out", "o", "--out", "p"], "'--out' is given 2 times"),
        // bench compare, list, kernels, help
        (["compare", "a"], "two results directories"),
        (["compare", "a", "b", "--fail-on-regression=1"], "'--fail-on-regression' takes no value"),
        (["list", "--all"], "'--all'"),
        (["kernels", "--jobs", "0"], "'--jobs'"),
        (["kernels", "--out", "a", "--out", "b"], "'--out' is given 2 times"),
        (["profile", "--algo", "knn"], "'--algo'"),
        (["profile", "--steps", "0"], "'--steps'"),
        (["profile", "--steps", "many"], "'--steps'"),
        (["profile", "--algo", "cnn", "--algo", "mlp"], "'--algo' is given 2 times"),
        (["help", "nothing"], "'nothing'"),
        (["nothing"], "'nothing'"),
    ]

    @Test func everyBadCommandLineExits64NamingTheOptionAndWritesNothing() throws {
        let bench = SlurmEndToEndTests.bench
        try #require(FileManager.default.isExecutableFile(atPath: bench), "build bench first: swift build -c release")
        for (arguments, expected) in Self.cases {
            let directory = TestData.temporaryDirectory()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: bench)
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLURM_") && $0.key != "JOB_COMPLETION_INDEX" }
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 64, "\(arguments): \(message)")
            #expect(message.contains(expected), "\(arguments): expected \(expected) in: \(message)")
            #expect(message.contains("Usage:"), "\(arguments): the usage line")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            #expect(left.isEmpty, "\(arguments) wrote \(left)")
        }
    }
}
