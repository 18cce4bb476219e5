/// `bench list`: the algorithms and their hyperparameters.
enum ListCommand {
    static let table = [OptionSpec("--help", nil, "Show this help and exit.")]

    static var helpText: String {
        helpPage(overview: "List the algorithms and every hyperparameter, with its accepted values and default.",
                 usage: ["bench list"], options: table,
                 sections: [("SEE ALSO", "  bench run --set ALGO.PARAM=VALUE changes a hyperparameter.\n")])
    }

    static func main(_ arguments: [String]) -> Int32 {
        do {
            let words = try CommandWords(arguments, table: table, takesPositionals: false)
            print(words.has("--help") ? helpText : BenchOptions.listText, terminator: "")
            return ExitStatus.success
        } catch {
            return BenchCommand.usageFailure(error, usage: "bench list", help: "bench list --help")
        }
    }
}
