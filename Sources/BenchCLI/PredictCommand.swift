import BenchCore
import Evaluation
import Foundation
import IDXData
import ModelFile

/// `bench predict`: a saved model's labels and per-class scores for the images of IDX files.
///
/// Output is CSV, `source,index,predicted,confidence,score_0,...,score_<k-1>`: `source` the
/// path as given, `index` the image's position in that file, `confidence` the predicted
/// class's score. Scores are printed as the shortest decimal that reads back as the same
/// float, so a CSV holds exactly what the model computed.
enum PredictCommand {
    static let table = [
        OptionSpec("--model", "FILE", "The saved model (from 'bench run --models DIR': DIR/<algorithm>.model). Required."),
        OptionSpec("--output", "FILE", "Write the CSV here (atomically) instead of to standard output."),
        OptionSpec("--jobs", "N", "Threads to use. (default: the machine's active cores)"),
        OptionSpec("--quiet", nil, "No progress lines on standard error."),
        OptionSpec("--help", nil, "Show this help and exit."),
    ]

    static let usage = "bench predict --model FILE [--output FILE] [--jobs N] [--quiet] PATH..."

    static var helpText: String {
        helpPage(
            overview: "Predict the images of IDX image files (raw or .gz) with a saved model: labels and per-class scores as CSV.",
            usage: [usage],
            arguments: [("PATH...", "IDX image files (for example data/mnist/t10k-images-idx3-ubyte.gz). Each must hold images of the model's size.")],
            options: table,
            sections: [
                ("OUTPUT", """
                  CSV with the header source,index,predicted,confidence,score_0,...,score_<k-1>: one row per image, in file
                  order; source is the path as given, index the image's position in its file, confidence the predicted
                  class's score. Scores are probabilities (softmax, mlp, cnn), vote fractions (knn, forest) or normalised
                  one-vs-one votes (svm); each row sums to 1.

                """),
                ("EXAMPLES", """
                  swift run -c release bench run --algo svm --folds 0 --models models
                  swift run -c release bench predict --model models/svm.model data/mnist/t10k-images-idx3-ubyte.gz --output p.csv

                """),
                ("EXIT STATUS", """
                  0 success; 64 usage error; 65 a damaged model file, or an image file that is damaged or of another size
                  (named on standard error and skipped: the others are still predicted); 66 a missing model or image file;
                  73 the output cannot be written.

                """),
            ])
    }

    struct Options {
        var model: String?
        var output: String?
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
        let context = ExecutionContext(threads: options.jobs, progress: progress, label: "predict")
        var csv = "source,index,predicted,confidence" + (0 ..< model.classCount).map { ",score_\($0)" }.joined() + "\n"
        var status = ExitStatus.success
        for path in options.paths {
            let images: ImageSet
            do {
                images = try IDXDataset.readImages(path: path)
            } catch {
                BenchCommand.printError("Error: \(error) Skipped.")
                status = max(status, error.isMissingInput ? ExitStatus.noInput : ExitStatus.dataError)
                continue
            }
            let prediction: Prediction
            do {
                let (result, seconds) = try Stopwatch.time { try model.predict(images, context: context) }
                prediction = result
                progress.log("\(path): \(images.count) images in \(Evaluation.seconds(seconds))")
            } catch {
                BenchCommand.printError("Error: \(path): \(error) Skipped.")
                status = ExitStatus.dataError
                continue
            }
            csv += rows(source: CSVTable.escape(path), prediction)
        }
        if status == ExitStatus.noInput && options.paths.count > 1 { status = ExitStatus.dataError }
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
