/// One option of a subcommand: its name, the placeholder of its value (`nil` for a flag) and
/// a help line. Every subcommand's parsing, `--help` and suggestions read one table of these.
struct OptionSpec: Sendable {
    let name: String
    let value: String?
    let help: String

    init(_ name: String, _ value: String?, _ help: String) {
        self.name = name
        self.value = value
        self.help = help
    }
}

/// The words of a command line split into options (in order, with their values) and
/// positional arguments, checked against an option table. Values come as `--name value` or
/// `--name=value`; a word `--` ends the options.
struct CommandWords {
    var options: [(name: String, value: String?)] = []
    var positionals: [String] = []

    /// - Throws: ``UsageError`` for an unknown option (with "Did you mean"), a missing value, a
    ///   value given to a flag, or a positional argument where the subcommand takes none.
    init(_ arguments: [String], table: [OptionSpec], takesPositionals: Bool) throws(UsageError) {
        let names = table.map(\.name)
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                guard takesPositionals else {
                    throw UsageError("Unexpected argument '\(argument)'.\(didYouMean(argument, names.map { String($0.dropFirst(2)) }, prefix: "--"))")
                }
                positionals.append(argument)
                continue
            }
            if argument == "--" { optionsEnded = true; continue }
            var name = argument
            var inline: String? = nil
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            if name == "-h" { name = "--help" }
            guard let option = table.first(where: { $0.name == name }) else {
                throw UsageError("Unknown option '\(name)'.\(didYouMean(name, names))")
            }
            guard let placeholder = option.value else {
                if inline != nil { throw UsageError("'\(name)' takes no value.") }
                options.append((name, nil))
                continue
            }
            if let inline {
                options.append((name, inline))
            } else {
                guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                    throw UsageError("Missing value for '\(name) \(placeholder)'.")
                }
                options.append((name, arguments[index]))
                index += 1
            }
        }
        // An option given twice is a mistake (which one was meant?), except the ones that add
        // to a list.
        for name in names where !Self.repeatable.contains(name) {
            let given = options.filter { $0.name == name }
            if given.count > 1 {
                let values = given.compactMap(\.value)
                throw UsageError("'\(name)' is given \(given.count) times\(values.isEmpty ? "" : " (\(values.map { "'\($0)'" }.joined(separator: ", ")))"); give it once.")
            }
        }
    }

    /// Options that may be given more than once, each adding to a list.
    static let repeatable: Set<String> = ["--set", "--grid"]

    /// Whether the flag `name` was given.
    func has(_ name: String) -> Bool { options.contains { $0.name == name } }
    /// The value of the last `name` given, if any.
    func value(_ name: String) -> String? { options.last { $0.name == name }?.value }
}

/// An integer option's value, in `range`.
func integerValue(_ text: String, _ name: String, _ range: ClosedRange<Int>) throws(UsageError) -> Int {
    guard let number = Int(text.trimmingWhitespace()) else { throw UsageError("The value of '\(name)' must be an integer. Got '\(text)' instead.") }
    guard range.contains(number) else {
        throw UsageError("The value of '\(name)' must be in \(range.lowerBound)...\(range.upperBound). Got \(number) instead.")
    }
    return number
}

/// A help page in swift-argument-parser's layout: OVERVIEW, USAGE, ARGUMENTS, OPTIONS,
/// then any further sections (EXAMPLES, EXIT STATUS, ...).
func helpPage(overview: String, usage: [String], arguments: [(name: String, help: String)] = [], options: [OptionSpec],
              sections: [(title: String, body: String)] = []) -> String {
    var text = "OVERVIEW: \(overview)\n\nUSAGE: \(usage[0])\n"
    for line in usage.dropFirst() { text += "       \(line)\n" }
    func rows(_ entries: [(String, String)]) -> String {
        let width = (entries.map { $0.0.count }.max() ?? 0) + 2
        return entries.map { "  " + $0.0 + String(repeating: " ", count: width - $0.0.count) + $0.1 + "\n" }.joined()
    }
    if !arguments.isEmpty { text += "\nARGUMENTS:\n" + rows(arguments.map { ($0.name, $0.help) }) }
    text += "\nOPTIONS:\n" + rows(options.map { ($0.name + ($0.value.map { " " + $0 } ?? ""), $0.help) })
    for section in sections { text += "\n\(section.title):\n\(section.body)" }
    return text
}
