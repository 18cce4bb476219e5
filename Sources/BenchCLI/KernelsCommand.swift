import BenchCore
import Evaluation
import Foundation

/// `bench kernels`: the GEMM's speed on the shapes the classifiers use.
enum KernelsCommand {
    static let table = [
        OptionSpec("--jobs", "N", "Threads for the multi-threaded measurement. (default: the machine's active cores)"),
        OptionSpec("--out", "DIR", "Where kernels.csv goes. (default: results)"),
        OptionSpec("--quiet", nil, "No progress lines on standard error."),
        OptionSpec("--help", nil, "Show this help and exit."),
    ]

    static let usage = "bench kernels [--jobs N] [--out DIR] [--quiet]"

    static var helpText: String {
        helpPage(overview: "Measure the matrix multiply (SGEMM) in GFLOP/s on 1 and --jobs threads, on 1024³ and on the\nk-NN distance shape, and write <out>/kernels.csv. Compare with ../shared/tools/numpy_gemm.py.",
                 usage: [usage], options: table)
    }

    static func main(_ arguments: [String]) -> Int32 {
        var jobs = ProcessInfo.processInfo.activeProcessorCount, out = "results", quiet = false
        do {
            let words = try CommandWords(arguments, table: table, takesPositionals: false)
            for (name, value) in words.options {
                switch name {
                case "--jobs": jobs = try integerValue(value ?? "", name, 1 ... 1024)
                case "--out": out = try BenchOptions.pathValue(value ?? "", name)
                case "--quiet": quiet = true
                case "--help": print(helpText, terminator: ""); return ExitStatus.success
                default: break
                }
            }
        } catch {
            return BenchCommand.usageFailure(error, usage: usage, help: "bench kernels --help")
        }
        return measure(jobs: jobs, out: out, quiet: quiet)
    }

    static func measure(jobs: Int, out: String, quiet: Bool) -> Int32 {
        do {
            try AtomicFile.makeDirectory(out)
        } catch {
            BenchCommand.printError("Error: \(error)")
            return ExitStatus.cannotCreate
        }
        return KernelBenchmark.run(threads: jobs, out: out, progress: ProgressLog(enabled: !quiet))
    }
}
