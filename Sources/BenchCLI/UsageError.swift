/// A mistake on the command line (exit status 64), with the message shown after "Error: ".
public struct UsageError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Exit statuses, from BSD's sysexits.h.
public enum ExitStatus {
    public static let success: Int32 = 0
    /// A fit failed: some reports were not written.
    public static let failure: Int32 = 1
    /// The command was used incorrectly.
    public static let usage: Int32 = 64
    /// An input file's content is wrong.
    public static let dataError: Int32 = 65
    /// An input file is missing.
    public static let noInput: Int32 = 66
    /// An output file or directory cannot be created.
    public static let cannotCreate: Int32 = 73
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
public func suggestion(for word: String, among candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    let allowed = max(2, word.count / 3)
    if best.1 <= allowed { return best.0 }
    return candidates.first { $0.hasPrefix(word) && !word.isEmpty }
}

/// Levenshtein distance between two strings.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0 ... b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1 ... a.count {
        current[0] = i
        for j in 1 ... b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// " Did you mean 'x'?" or "".
func didYouMean(_ word: String, _ candidates: [String], prefix: String = "") -> String {
    suggestion(for: word, among: candidates).map { " Did you mean '\(prefix)\($0)'?" } ?? ""
}
