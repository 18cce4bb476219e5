import BenchCore
import Foundation

/// One searched hyperparameter and its values, as text the settings parse.
public struct GridAxis: Sendable, Equatable, Codable {
    public let parameter: String
    public let values: [String]

    public init(parameter: String, values: [String]) {
        self.parameter = parameter
        self.values = values
    }

    /// The values a `--grid` specification names: a list `V1,V2,...`, an evenly spaced range
    /// `lo..hi:n`, or a geometric one `lo..hi:n:log` (n ≥ 2 values, both ends included).
    /// Range values are written with up to 6 significant digits.
    /// - Throws: a message naming what is wrong.
    public static func values(_ specification: String) throws(GridError) -> [String] {
        let text = specification.trimmingWhitespace()
        guard text.contains("..") else {
            let values = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
            guard !values.contains(where: \.isEmpty) else { throw GridError("'\(specification)' has an empty value in its list.") }
            guard Set(values).count == values.count else { throw GridError("'\(specification)' names a value twice.") }
            return values
        }
        let parts = text.components(separatedBy: "..")
        let tail = parts.count == 2 ? parts[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init) : []
        guard parts.count == 2, tail.count == 2 || tail.count == 3, let low = Double(parts[0]), let high = Double(tail[0]),
              let count = Int(tail[1]), low.isFinite, high.isFinite else {
            throw GridError("A range is lo..hi:n or lo..hi:n:log, for example 0.01..0.05:4:log. Got '\(specification)' instead.")
        }
        guard count >= 2, count <= 1000 else { throw GridError("'\(specification)': a range needs 2 to 1000 values. Got \(count).") }
        guard low < high else { throw GridError("'\(specification)': the range must go up (lo < hi).") }
        let logarithmic = tail.count == 3
        if logarithmic {
            guard tail[2] == "log" else { throw GridError("'\(specification)': the third part of a range can only be 'log'. Got '\(tail[2])'.") }
            guard low > 0 else { throw GridError("'\(specification)': a log range needs lo > 0.") }
        }
        let values = (0 ..< count).map { i -> String in
            let t = Double(i) / Double(count - 1)
            let value = logarithmic ? exp(log(low) + t * (log(high) - log(low))) : low + t * (high - low)
            return Self.text(i == 0 ? low : i == count - 1 ? high : value)
        }
        guard Set(values).count == values.count else { throw GridError("'\(specification)': the range's values are too close to tell apart.") }
        return values
    }

    /// 6 significant digits, without trailing zeros: 0.0171, 10, 3.5e-05.
    static func text(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        var text = String(format: "%.6g", value)
        if text.contains("."), !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}

/// The candidates of a grid: every combination of the axes' values, the first axis varying
/// slowest (as scikit-learn's `ParameterGrid` over an ordered list).
public struct Grid: Sendable, Equatable, Codable {
    public let axes: [GridAxis]

    public init(axes: [GridAxis]) { self.axes = axes }

    /// Each candidate as `[(parameter, value)]`, in axis order.
    public var candidates: [[(parameter: String, value: String)]] {
        axes.reduce([[]]) { partial, axis in
            partial.flatMap { prefix in axis.values.map { prefix + [(axis.parameter, $0)] } }
        }
    }

    public var count: Int { axes.reduce(1) { $0 * $1.values.count } }
}

/// A `--grid` that names no values.
public struct GridError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
