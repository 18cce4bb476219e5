import BenchCore
import Dispatch
import Foundation

/// Progress of the units a process computes: units done of its total, elapsed time, and the
/// time left, estimated from the units' estimated costs (``Classifier/estimatedSeconds(_:)``)
/// scaled by how long the finished ones actually took on this machine.
public final class RunProgress: Sendable {
    private struct State {
        var reused: Int
        var done = 0
        var costDone = 0.0
        var costLeft: Double
    }

    private let log: ProgressLog
    private let total: Int
    private let start = DispatchTime.now()
    private let state: Locked<State>

    /// Progress over `total` units of this process, `reused` of them already stored, the
    /// others estimated to cost `estimatedSeconds` in all.
    public init(log: ProgressLog, total: Int, reused: Int, estimatedSeconds: Double) {
        self.log = log
        self.total = total
        self.state = Locked(State(reused: reused, costLeft: max(estimatedSeconds, 0)))
    }

    /// Records `count` more units found in the store (a tuning round's, known only when the
    /// round starts), and `estimate` seconds of units that will not run after all.
    public func reuse(_ count: Int, estimate: Double = 0) {
        state.withLock { $0.reused += count; $0.costLeft = max(0, $0.costLeft - estimate) }
    }

    /// Sets the estimated cost of what is left (when a round narrows the candidates).
    public func setEstimateLeft(_ seconds: Double) {
        state.withLock { $0.costLeft = max(0, seconds) }
    }

    /// Records that a unit estimated at `estimate` seconds has finished, and logs the line.
    public func finished(_ unit: WorkUnit, estimate: Double) {
        let elapsed = Stopwatch.seconds(since: start)
        let (done, reused, left) = state.withLock { state -> (Int, Int, Double?) in
            state.done += 1
            state.costDone += estimate
            state.costLeft = max(0, state.costLeft - estimate)
            return (state.done, state.reused, state.costDone > 0 ? elapsed * state.costLeft / state.costDone : nil)
        }
        let finishedCount = reused + done
        let estimateText = left.map { done < total - reused ? ", about \(Self.duration($0)) left" : "" } ?? ""
        log.log("progress: \(finishedCount)/\(total) units done\(reused > 0 ? " (\(reused) reused from the store)" : ""), \(Self.duration(elapsed)) elapsed\(estimateText)")
    }

    /// "42 s", "3 min 05 s", "1 h 02 min".
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return String(format: "%d min %02d s", s / 60, s % 60) }
        return String(format: "%d h %02d min", s / 3600, (s % 3600) / 60)
    }
}
