import Evaluation

/// `bench compare A B`: two results directories, algorithm by algorithm.
enum CompareCommand {
    static let table = [
        OptionSpec("--fail-on-regression", nil, "Exit 1 when an algorithm's accuracy drops significantly (for CI)."),
        OptionSpec("--help", nil, "Show this help and exit."),
    ]

    static let usage = "bench compare BEFORE AFTER [--fail-on-regression]"

    static var helpText: String {
        helpPage(
            overview: "Compare two results directories (two commits, two machines, two settings), algorithm by algorithm:\nthe accuracy change with McNemar's exact p on the same test images, the fit and predict time ratios, and a verdict.",
            usage: [usage],
            arguments: [("BEFORE", "A results directory (bench run --out), the baseline."), ("AFTER", "A results directory to compare with it.")],
            options: table,
            sections: [("EXIT STATUS", "  0 done (1 with --fail-on-regression when an accuracy drop is significant); 64 usage error; 66 a directory\n  without summary.csv; 65 unreadable or mismatched results.\n")])
    }

    static func main(_ arguments: [String]) -> Int32 {
        let words: CommandWords
        do {
            words = try CommandWords(arguments, table: table, takesPositionals: true)
        } catch {
            return BenchCommand.usageFailure(error, usage: usage, help: "bench compare --help")
        }
        if words.has("--help") { print(helpText, terminator: ""); return ExitStatus.success }
        guard words.positionals.count == 2 else {
            return BenchCommand.usageFailure(UsageError("'bench compare' takes two results directories. Got \(words.positionals.count)."),
                                             usage: usage, help: "bench compare --help")
        }
        let (before, after) = (words.positionals[0], words.positionals[1])
        let comparison: RunComparison
        do {
            comparison = try RunComparison(before: before, after: after)
        } catch {
            BenchCommand.printError("Error: \(error)")
            return error.reason.hasPrefix("no such file") ? ExitStatus.noInput : ExitStatus.dataError
        }
        print(comparison.text(before: before, after: after), terminator: "")
        return words.has("--fail-on-regression") && comparison.hasSignificantRegression ? ExitStatus.failure : ExitStatus.success
    }
}
