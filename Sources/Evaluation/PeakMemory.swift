import Foundation

/// The process's peak resident memory (Linux: `VmHWM` in /proc/self/status), and its reset
/// (writing 5 to /proc/self/clear_refs, Linux 4.0 and later), so that each algorithm's
/// units can be measured on their own. `nil` where the system does not provide it.
public enum PeakMemory {
    /// Peak resident bytes since the process started or since the last ``reset()``.
    public static var bytes: Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else {
            var usage = rusage()
            guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return nil }
            return Int(usage.ru_maxrss) * 1024
        }
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first
        return kilobytes.map { $0 * 1024 }
    }

    /// Peak resident bytes of the whole process (never reset).
    public static var processBytes: Int? {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return nil }
        return Int(usage.ru_maxrss) * 1024
    }

    /// Starts a new peak from the current resident size; returns whether the system allowed it.
    @discardableResult
    public static func reset() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    /// "812 MB".
    public static func text(_ bytes: Int) -> String { String(format: "%.0f MB", Double(bytes) / 1_000_000) }
}
