/// Why a data file could not be used. Every case names the file.
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// The file (or a whole data directory) is not there.
    case missing(path: String, hint: String)
    /// The file is there but cannot be read.
    case unreadable(path: String, reason: String)
    /// The file's content is not what it should be.
    case damaged(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path, let hint): return "\(path): no such file. \(hint)"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .damaged(let path, let reason): return "\(path): \(reason)"
        }
    }

    /// True for a missing input (exit 66), false for bad content (exit 65).
    public var isMissingInput: Bool {
        if case .missing = self { return true }
        return false
    }
}
