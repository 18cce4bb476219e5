/// One setting of a classifier that a user can change with `--set ALGO.NAME=VALUE`.
///
/// A classifier lists its hyperparameters once, with their kinds, ranges and defaults; the
/// command line, `--list`, validation and the reports all read that one list.
public struct Hyperparameter: Sendable {
    /// What values a hyperparameter takes.
    public enum Kind: Sendable, Equatable {
        /// A whole number in the range.
        case integer(ClosedRange<Int>)
        /// A real number greater than (or, if `inclusive`, equal to) `minimum` and at most `maximum`.
        case real(minimum: Double, inclusive: Bool, maximum: Double)
        /// `true` or `false`.
        case boolean
        /// One of the listed words.
        case choice([String])
        /// A comma-separated list of whole numbers, each in the range (layer sizes, for example).
        case integerList(ClosedRange<Int>)
    }

    /// The name used after the algorithm's name in `--set`.
    public let name: String
    /// What values it takes.
    public let kind: Kind
    /// The default, already valid.
    public let defaultValue: HyperparameterValue
    /// One line saying what it does.
    public let help: String

    public init(_ name: String, _ kind: Kind, default defaultValue: HyperparameterValue, help: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
    }

    /// A human-readable description of the accepted values, for `--list` and errors.
    public var accepted: String {
        switch kind {
        case .integer(let range): return "integer in \(range.lowerBound)...\(range.upperBound)"
        case .real(let minimum, let inclusive, let maximum):
            if !minimum.isFinite { return maximum.isFinite ? "real <= \(format(maximum))" : "real" }
            return "real \(inclusive ? ">=" : ">") \(format(minimum))" + (maximum.isFinite ? ", <= \(format(maximum))" : "")
        case .boolean: return "true or false"
        case .choice(let words): return words.joined(separator: " | ")
        case .integerList(let range): return "comma-separated integers in \(range.lowerBound)...\(range.upperBound)"
        }
    }

    /// Parses and validates `text` for this hyperparameter of `owner`.
    /// - Throws: ``ConfigurationError`` naming the parameter, what was expected and what was given.
    public func parse(_ text: String, owner: String) throws(ConfigurationError) -> HyperparameterValue {
        func invalid(_ expectation: String) -> ConfigurationError {
            ConfigurationError("The '\(name)' parameter of \(owner) must be \(expectation). Got '\(text)' instead.")
        }
        let trimmed = text.trimmingWhitespace()
        switch kind {
        case .integer(let range):
            guard let value = Int(trimmed) else { throw invalid("an integer") }
            guard range.contains(value) else { throw invalid("in \(range.lowerBound)...\(range.upperBound)") }
            return .integer(value)
        case .real(let minimum, let inclusive, let maximum):
            guard let value = Double(trimmed), value.isFinite else { throw invalid("a finite number") }
            let aboveMinimum = inclusive ? value >= minimum : value > minimum
            guard aboveMinimum else { throw invalid("\(inclusive ? ">=" : ">") \(format(minimum))") }
            guard value <= maximum else { throw invalid("<= \(format(maximum))") }
            return .real(value)
        case .boolean:
            switch trimmed.lowercased() {
            case "true", "yes", "1", "on": return .boolean(true)
            case "false", "no", "0", "off": return .boolean(false)
            default: throw invalid("true or false")
            }
        case .choice(let words):
            guard words.contains(trimmed) else { throw invalid("one of \(words.joined(separator: ", "))") }
            return .choice(trimmed)
        case .integerList(let range):
            let parts = trimmed.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
            var values: [Int] = []
            for part in parts {
                guard let value = Int(part) else { throw invalid("comma-separated integers") }
                guard range.contains(value) else { throw invalid("integers in \(range.lowerBound)...\(range.upperBound)") }
                values.append(value)
            }
            return .integerList(values)
        }
    }
}

/// A parsed hyperparameter value.
public enum HyperparameterValue: Sendable, Equatable, CustomStringConvertible {
    case integer(Int)
    case real(Double)
    case boolean(Bool)
    case choice(String)
    case integerList([Int])

    public var description: String {
        switch self {
        case .integer(let value): return String(value)
        case .real(let value): return format(value)
        case .boolean(let value): return String(value)
        case .choice(let value): return value
        case .integerList(let values): return values.map(String.init).joined(separator: ",")
        }
    }
}

/// A complete assignment of values to a classifier's hyperparameters: defaults overridden by
/// whatever the user set. Every value is checked against its declaration when it is set, so a
/// settings value is valid by construction, and every classifier is validated the same way.
/// Reading a name the classifier did not declare is a programming error.
public struct HyperparameterSettings: Sendable, Equatable {
    /// The classifier's command-line name, for messages.
    public let owner: String
    /// The declarations, in the classifier's order.
    public let parameters: [Hyperparameter]
    private var values: [String: HyperparameterValue]

    /// The defaults of `parameters`, for the classifier called `owner`.
    public init(owner: String, parameters: [Hyperparameter]) {
        self.owner = owner
        self.parameters = parameters
        values = Dictionary(parameters.map { ($0.name, $0.defaultValue) }, uniquingKeysWith: { first, _ in first })
    }

    public static func == (lhs: HyperparameterSettings, rhs: HyperparameterSettings) -> Bool {
        lhs.owner == rhs.owner && lhs.declarations == rhs.declarations && lhs.values == rhs.values
    }

    /// The names, in declaration order.
    public var declarations: [String] { parameters.map(\.name) }

    /// Replaces one value, after checking it against its declaration.
    /// - Throws: ``ConfigurationError`` for an undeclared name, or a value of the wrong kind or
    ///   out of range, with the same message the command line gives.
    public mutating func set(_ name: String, _ value: HyperparameterValue) throws(ConfigurationError) {
        guard let declaration = parameters.first(where: { $0.name == name }) else {
            throw ConfigurationError("\(owner) has no hyperparameter '\(name)'. (It has: \(declarations.joined(separator: ", ")).)")
        }
        values[name] = try declaration.parse(value.description, owner: owner)
    }

    /// Parses `text` for the hyperparameter `name` and sets it.
    /// - Throws: ``ConfigurationError`` as ``set(_:_:)``.
    public mutating func set(_ name: String, text: String) throws(ConfigurationError) {
        guard let declaration = parameters.first(where: { $0.name == name }) else {
            throw ConfigurationError("\(owner) has no hyperparameter '\(name)'. (It has: \(declarations.joined(separator: ", ")).)")
        }
        values[name] = try declaration.parse(text, owner: owner)
    }

    /// `name = value` pairs in declaration order, for reports.
    public var entries: [(name: String, value: String)] {
        declarations.map { ($0, values[$0]!.description) }
    }

    /// The value of `name`.
    public func value(_ name: String) -> HyperparameterValue? { values[name] }

    public func integer(_ name: String) -> Int {
        guard case .integer(let value)? = values[name] else { preconditionFailure("\(name) is not an integer") }
        return value
    }

    public func real(_ name: String) -> Double {
        guard case .real(let value)? = values[name] else { preconditionFailure("\(name) is not a real") }
        return value
    }

    public func boolean(_ name: String) -> Bool {
        guard case .boolean(let value)? = values[name] else { preconditionFailure("\(name) is not a boolean") }
        return value
    }

    public func choice(_ name: String) -> String {
        guard case .choice(let value)? = values[name] else { preconditionFailure("\(name) is not a choice") }
        return value
    }

    public func integerList(_ name: String) -> [Int] {
        guard case .integerList(let value)? = values[name] else { preconditionFailure("\(name) is not a list") }
        return value
    }
}

/// A configuration that cannot be used, with a message for the user.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Shortest round-tripping text for a number, without a trailing ".0" on whole values.
public func format(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return "\(value)"
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    public func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
