import Dispatch
import Foundation

/// Progress lines on standard error, each stamped with the time since the run started.
///
/// Shared by every fold running in parallel; lines are written whole, one at a time.
public final class ProgressLog: Sendable {
    private let start: DispatchTime
    private let enabled: Bool
    private let lock = Locked<Void>(())

    /// A log that writes to standard error (or nothing, if `enabled` is false).
    public init(enabled: Bool = true) {
        self.start = .now()
        self.enabled = enabled
    }

    /// A log that drops everything, for tests.
    public static let silent = ProgressLog(enabled: false)

    /// Seconds since this log was made.
    public var elapsed: Double { Stopwatch.seconds(since: start) }

    /// Writes `[  12.3s] message` to standard error.
    public func log(_ message: String) {
        guard enabled else { return }
        let line = "[" + pad(String(format: "%.1f", elapsed) + "s", 8) + "] " + message + "\n"
        lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// Wall-clock timing on the monotonic clock.
public enum Stopwatch {
    /// Seconds elapsed since `start`.
    public static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Runs `body` and returns its result with the seconds it took.
    public static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = DispatchTime.now()
        let result = try body()
        return (result, seconds(since: start))
    }
}
