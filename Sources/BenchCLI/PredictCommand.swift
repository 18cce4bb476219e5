import BenchCore
import Evaluation
import Foundation
import IDXData
import Imaging
import ModelFile

/// `bench predict`: a saved model's labels and per-class scores for image files: PNG, PGM and
/// PPM (one digit each, normalised to MNIST's form when needed, docs/predict.md) and IDX.
///
/// Output is a table for a person when standard output is a terminal and there is no
/// `--output`; otherwise CSV, `source,index,predicted,confidence,score_0,...,score_<k-1>`: `source` the
/// path as given, `index` the image's position in that file, `confidence` the predicted
/// class's score. Scores are printed as the shortest decimal that reads back as the same
/// float, so a CSV holds exactly what the model computed.
enum PredictCommand {
    static let table = [
        OptionSpec("--model", "FILE", "The saved model (from 'bench run --models DIR': DIR/<algorithm>.model). Required."),
        OptionSpec("--output", "FILE", "Write the CSV here (atomically) instead of to standard output."),
        OptionSpec("--normalize", "MODE", "auto: bring each image to MNIST's form (white ink on black, fitted in a 20×20 box, centred by mass) unless it already has the model's size and a dark background; always; never. (default: auto)"),
        OptionSpec("--save-normalized", "DIR", "Write each image as the model sees it, as PNG, into DIR."),
        OptionSpec("--jobs", "N", "Threads to use. (default: the machine's active cores)"),
        OptionSpec("--quiet", nil, "No progress lines on standard error."),
        OptionSpec("--help", nil, "Show this help and exit."),
    ]

    static let usage = "bench predict --model FILE [--output FILE] [--normalize auto|always|never] [--save-normalized DIR] [--jobs N] [--quiet] PATH..."

    static var helpText: String {
        helpPage(
            overview: "Predict digits in image files with a saved model: PNG, PGM/PPM or IDX files, or directories of them.\nA digit drawn, photographed or scanned is first brought to MNIST's form (see --normalize and docs/predict.md).",
            usage: [usage],
            arguments: [("PATH...", "Image files (PNG of any colour type, bit depth or interlace; PGM/PPM P2, P3, P5, P6; IDX, raw or .gz), or directories: a directory stands for its image files, sorted by name.")],
            options: table,
            sections: [
                ("OUTPUT", """
                  On a terminal without --output: a table (file, predicted digit, confidence, runner-up and its score).
                  Otherwise CSV with the header source,index,predicted,confidence,score_0,...,score_<k-1>: one row per
                  image, in file order; source is the path, index the image's position in its file, confidence the
                  predicted class's score. Scores are probabilities (softmax, mlp, cnn), vote fractions (knn, forest) or
                  normalised one-vs-one votes (svm); each row sums to 1.

                """),
                ("EXAMPLES", """
                  swift run -c release bench run --algo svm --folds 0 --models models
                  swift run -c release bench predict --model models/svm.model data/mnist/t10k-images-idx3-ubyte.gz --output p.csv
                  swift run -c release bench predict --model models/svm.model docs/examples/ --save-normalized /tmp/seen

                """),
                ("EXIT STATUS", """
                  0 success; 64 usage error; 65 a damaged model file, or an image file that is damaged, unsupported or (with
                  --normalize never) of another size: named on standard error and skipped, the others are still predicted;
                  66 a missing model or image file; 73 an output cannot be written.

                """),
            ])
    }

    struct Options {
        var model: String?
        var output: String?
        var normalize = MNISTNormalization.Mode.auto
        var saveNormalized: String?
        var jobs = ProcessInfo.processInfo.activeProcessorCount
        var quiet = false
        var help = false
        var paths: [String] = []
    }

    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        let words = try CommandWords(arguments, table: table, takesPositionals: true)
        for (name, value) in words.options {
            let value = value ?? ""
            switch name {
            case "--model":
                guard options.model == nil else { throw UsageError("'--model' is given twice; predict with one model at a time.") }
                options.model = try BenchOptions.pathValue(value, name)
            case "--output":
                guard options.output == nil else { throw UsageError("'--output' is given twice.") }
                options.output = try BenchOptions.pathValue(value, name)
            case "--normalize":
                guard let mode = MNISTNormalization.Mode(rawValue: value) else {
                    throw UsageError("The value of '--normalize' must be one of auto, always, never. Got '\(value)' instead.\(didYouMean(value, MNISTNormalization.Mode.allCases.map(\.rawValue)))")
                }
                options.normalize = mode
            case "--save-normalized":
                guard options.saveNormalized == nil else { throw UsageError("'--save-normalized' is given twice.") }
                options.saveNormalized = try BenchOptions.pathValue(value, name)
            case "--jobs": options.jobs = try integerValue(value, name, 1 ... 1024)
            case "--quiet": options.quiet = true
            case "--help": options.help = true
            default: break
            }
        }
        options.paths = words.positionals
        if options.help { return options }
        guard options.model != nil else { throw UsageError("'bench predict' needs '--model FILE' (a file saved by 'bench run').") }
        guard !options.paths.isEmpty else { throw UsageError("'bench predict' needs at least one image file to predict.") }
        return options
    }

    static func main(_ arguments: [String]) -> Int32 {
        let options: Options
        do {
            options = try parse(arguments)
        } catch {
            return BenchCommand.usageFailure(error, usage: usage, help: "bench predict --help")
        }
        if options.help { print(helpText, terminator: ""); return ExitStatus.success }
        let progress = ProgressLog(enabled: !options.quiet)
        let modelPath = options.model!
        let loaded: ModelFile.Loaded
        do {
            let (result, seconds) = try Stopwatch.time { try ModelFile.load(modelPath, registry: registeredClassifiers) }
            loaded = result
            progress.log("loaded \(modelPath): \(loaded.envelope.algorithm), \(loaded.model.inputHeight)×\(loaded.model.inputWidth) images, \(loaded.model.classCount) classes, in \(Evaluation.seconds(seconds))")
        } catch let error as ModelFileError {
            BenchCommand.printError("Error: \(error)")
            if case .missing = error { return ExitStatus.noInput }
            return ExitStatus.dataError
        } catch {
            BenchCommand.printError("Error: \(modelPath): \(error)")
            return ExitStatus.dataError
        }
        let model = loaded.model
        if let directory = options.saveNormalized {
            do {
                try AtomicFile.makeDirectory(directory)
            } catch {
                BenchCommand.printError("Error: \(error)")
                return ExitStatus.cannotCreate
            }
        }
        let context = ExecutionContext(threads: options.jobs, progress: progress, label: "predict")
        let normalization = MNISTNormalization(height: model.inputHeight, width: model.inputWidth)
        var results: [(source: String, prediction: Prediction)] = []
        var status = ExitStatus.success
        func fail(_ message: String, _ code: Int32) {
            BenchCommand.printError("Error: \(message) (skipped)")
            status = max(status, code)
        }
        for (path, problem) in ImageFile.expand(options.paths) {
            if let problem { fail("\(problem)", problem.isMissingInput ? ExitStatus.noInput : ExitStatus.dataError); continue }
            let images: [GreyImage], format: ImageFile.Format
            do {
                (images, format) = try ImageFile.read(path)
            } catch {
                fail("\(error)", error.isMissingInput ? ExitStatus.noInput : ExitStatus.dataError)
                continue
            }
            var bytes: [UInt8] = []
            var decisions: [MNISTNormalization.Decision: Int] = [:]
            do throws(ImageError) {
                bytes.reserveCapacity(images.count * model.inputHeight * model.inputWidth)
                for (index, image) in images.enumerated() {
                    let (pixels, decision) = try normalization.prepare(image, mode: options.normalize, fromIDX: format == .idx)
                    bytes += pixels
                    decisions[decision, default: 0] += 1
                    if let directory = options.saveNormalized {
                        try save(pixels, as: normalizedName(path, index: index, of: images.count), in: directory, normalization)
                    }
                }
            } catch {
                fail("\(path): \(error)", error.reason.hasPrefix("cannot write") ? ExitStatus.cannotCreate : ExitStatus.dataError)
                continue
            }
            let set = ImageSet(height: model.inputHeight, width: model.inputWidth, bytes: bytes)
            do {
                let (prediction, seconds) = try Stopwatch.time { try model.predict(set, context: context) }
                results.append((path, prediction))
                let done = decisions.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", ")
                progress.log("\(path): \(images.count) image(s) (\(done)) in \(Evaluation.seconds(seconds))")
            } catch {
                fail("\(path): \(error)", ExitStatus.dataError)
            }
        }
        if status == ExitStatus.noInput && options.paths.count > 1 && !results.isEmpty { status = ExitStatus.dataError }
        if options.output == nil && isatty(STDOUT_FILENO) == 1 {
            print(table(results), terminator: "")
            return status
        }
        var csv = "source,index,predicted,confidence" + (0 ..< model.classCount).map { ",score_\($0)" }.joined() + "\n"
        for (source, prediction) in results { csv += rows(source: CSVTable.escape(source), prediction) }
        if let output = options.output {
            do {
                try AtomicFile.write(csv, to: output)
            } catch {
                BenchCommand.printError("Error: \(error)")
                return ExitStatus.cannotCreate
            }
        } else {
            FileHandle.standardOutput.write(Data(csv.utf8))
        }
        return status
    }

    /// `digit.png` for a one-image file, `t10k-images-idx3-ubyte.gz-17.png` for image 17 of many.
    static func normalizedName(_ path: String, index: Int, of count: Int) -> String {
        let base = (path as NSString).lastPathComponent
        let stem = base.lowercased().hasSuffix(".png") || base.lowercased().hasSuffix(".pgm") || base.lowercased().hasSuffix(".ppm")
            ? String(base.dropLast(4)) : base
        return count == 1 ? "\(stem).png" : "\(stem)-\(index).png"
    }

    /// Writes one image as the model sees it.
    static func save(_ bytes: [UInt8], as name: String, in directory: String, _ size: MNISTNormalization) throws(ImageError) {
        let image = GreyImage(width: size.width, height: size.height, pixels: bytes.map { Float($0) / 255 })
        do {
            try AtomicFile.write(Data(PNGEncoder.encode(image)), to: (directory as NSString).appendingPathComponent(name))
        } catch {
            throw ImageError("cannot write \(error)")
        }
    }

    /// The table a person reads: one line per image.
    static func table(_ results: [(source: String, prediction: Prediction)]) -> String {
        var lines: [[String]] = [["file", "digit", "confidence", "runner-up", "its score"]]
        for (source, prediction) in results {
            for (index, label) in prediction.labels.enumerated() {
                let scores = Array(prediction.scores.row(index))
                let second = scores.indices.filter { $0 != label }.max { scores[$0] < scores[$1] }
                let name = prediction.labels.count == 1 ? source : "\(source) #\(index)"
                lines.append([name, String(label), String(format: "%.1f%%", scores[label] * 100),
                              second.map(String.init) ?? "-", second.map { String(format: "%.1f%%", scores[$0] * 100) } ?? "-"])
            }
        }
        let widths = (0 ..< 5).map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { line in
            line.enumerated().map { column, text in
                let pad = String(repeating: " ", count: widths[column] - text.count)
                return column == 0 ? text + pad : pad + text
            }.joined(separator: "   ")
        }.joined(separator: "\n") + "\n"
    }

    /// The CSV rows of one file's prediction.
    static func rows(source: String, _ prediction: Prediction) -> String {
        var text = ""
        text.reserveCapacity(prediction.labels.count * (24 + 12 * prediction.scores.classCount))
        for (index, label) in prediction.labels.enumerated() {
            text += "\(source),\(index),\(label),\(prediction.scores[index, label].description)"
            for score in prediction.scores.row(index) { text += ",\(score.description)" }
            text += "\n"
        }
        return text
    }
}
