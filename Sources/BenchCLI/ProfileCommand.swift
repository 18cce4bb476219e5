import BenchCore
import Evaluation
import Foundation
import NeuralNetwork

/// `bench profile`: where a network's training time goes, layer by layer (docs/cnn.md).
enum ProfileCommand {
    static let table = [
        OptionSpec("--algo", "NAME", "The network to profile: cnn or mlp. (default: cnn)"),
        OptionSpec("--steps", "N", "Timed training steps of one 64-image chunk each. (default: 100)"),
        OptionSpec("--out", "DIR", "Where profile-<algo>.csv goes. (default: results)"),
        OptionSpec("--help", nil, "Show this help and exit."),
    ]

    static let usage = "bench profile [--algo cnn|mlp] [--steps N] [--out DIR]"

    static var helpText: String {
        helpPage(overview: "Time each layer's forward and backward pass of a network's training step on one thread (28×28\nimages, 10 classes, random data, default settings), and write <out>/profile-<algo>.csv.",
                 usage: [usage], options: table,
                 sections: [("OUTPUT", "  Microseconds per image forward and backward, each layer's share, and its matrix products'\n  GFLOP/s; the epoch this rate gives for 60,000 images on 1 and 2 threads.\n")])
    }

    static func main(_ arguments: [String]) -> Int32 {
        var name = "cnn", steps = 100, out = "results"
        do {
            let words = try CommandWords(arguments, table: table, takesPositionals: false)
            for (option, value) in words.options {
                switch option {
                case "--algo": name = value ?? ""
                case "--steps": steps = try integerValue(value ?? "", option, 1 ... 1_000_000)
                case "--out": out = try BenchOptions.pathValue(value ?? "", option)
                case "--help": print(helpText, terminator: ""); return ExitStatus.success
                default: break
                }
            }
        } catch {
            return BenchCommand.usageFailure(error, usage: usage, help: "bench profile --help")
        }
        guard name == "cnn" || name == "mlp" else {
            return BenchCommand.usageFailure(UsageError("The value of '--algo' must be cnn or mlp (the networks). Got '\(name)' instead."),
                                             usage: usage, help: "bench profile --help")
        }
        guard let type = classifier(named: name), let configured = try? type.init(settings: type.defaultSettings),
              let classifier = configured as? any NetworkClassifier,
              let network = try? classifier.network(height: 28, width: 28, classes: 10) else {
            BenchCommand.printError("Error: \(name) is not a network.")
            return ExitStatus.usage
        }
        let timings = network.profile(steps: steps)
        let total = timings.reduce(0) { $0 + $1.forwardSeconds + $1.backwardSeconds }
        var rows: [[String]] = []
        print("\(name): one thread, \(steps) steps of 64 images; microseconds per image")
        print("layer                     forward   backward   share   GFLOP/s")
        for (index, t) in timings.enumerated() {
            let seconds = t.forwardSeconds + t.backwardSeconds
            // The backward pass multiplies twice (weights' and input's gradients), the first layer once.
            let flops = t.forwardFlops * (index == 0 ? 2 : 3)
            let rate = flops > 0 && seconds > 0 ? String(format: "%.1f", flops / seconds / 1e9) : ""
            print(t.name.padding(toLength: 24, withPad: " ", startingAt: 0)
                  + String(format: "%9.2f  %9.2f  %5.1f%%  %8@", t.forwardSeconds * 1e6, t.backwardSeconds * 1e6, seconds / total * 100, rate))
            rows.append([t.name, String(format: "%.3f", t.forwardSeconds * 1e6), String(format: "%.3f", t.backwardSeconds * 1e6),
                         String(format: "%.4f", seconds / total), rate])
        }
        let flops = timings.enumerated().reduce(0.0) { $0 + $1.element.forwardFlops * ($1.offset == 0 ? 2 : 3) }
        print(String(format: "total                   %9.2f µs per image, %.1f GFLOP/s; an epoch of 60,000 images: %.1f s on 1 thread, %.1f s on 2 at this rate",
                     total * 1e6, flops / total / 1e9, total * 60_000, total * 30_000))
        let path = (out as NSString).appendingPathComponent("profile-\(name).csv")
        do {
            try AtomicFile.makeDirectory(out)
            try AtomicFile.write(CSVTable(header: ["layer", "forward_us_per_image", "backward_us_per_image", "share", "gflops"], rows: rows).text, to: path)
        } catch {
            BenchCommand.printError("Error: \(error)")
            return ExitStatus.cannotCreate
        }
        print("wrote \(path)")
        return ExitStatus.success
    }
}
