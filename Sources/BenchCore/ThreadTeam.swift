import Foundation
import Synchronization

/// A fixed team of threads that stay awake between parallel loops, for work made of many
/// short loops in a row: a network's training step is two (the chunks of a mini-batch, then
/// the optimiser's update), and the MLP's take about a millisecond on two threads, 9,380 steps
/// per fit.
///
/// ``parallelFor(_:threads:_:)`` hands each loop to libdispatch, whose idle worker sleeps in the
/// kernel and must be woken for the next loop; the caller meanwhile takes the loop's items
/// itself, and on a virtual machine a wake-up can take longer than a step's work. Here the
/// team's other threads wait for the next loop by watching a counter, yielding the core
/// between checks but never sleeping, so they take their part of every loop, as OpenBLAS's
/// threads do between calls. In `bench --all` this took the voluntary context switches from
/// about 75,000 to about 9,000 and the CNN's two-thread fits from 18.8–19.8 s to 17.4–18.5 s
/// (docs/mlp.md, which also has what it did not change).
///
/// Like `parallelFor`, indices are handed out one at a time from a shared counter and nothing
/// may depend on which thread ran which index.
public final class ThreadTeam: @unchecked Sendable {
    // @unchecked: `job` is written by the caller only while every other member waits for the
    // next generation (after all have reported the last one finished), and read by them only
    // after the generation they wait for is published with release ordering.
    /// Threads in the team, the caller included.
    public let size: Int
    private let generation = Atomic<Int>(0)
    private let nextIndex = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let exited = Atomic<Int>(0)
    private var job: (count: Int, body: @Sendable (Int) -> Void)?

    /// Starts a team of `threads` threads: the caller, who runs the loops, and `threads - 1`
    /// others, until ``stop()``. With one thread, every loop runs on the caller.
    public init(threads: Int) {
        size = max(1, threads)
        for _ in 1 ..< size {
            let thread = Thread { [self] in serve() }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    /// Ends the team's other threads; call it when done (they never stop on their own).
    /// Calling it again does nothing.
    public func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var spins = 0
        while exited.load(ordering: .acquiring) < size - 1 { pause(&spins) }
    }

    /// Runs `body(index)` for every index in `0 ..< count` on the team's threads: on the
    /// caller alone when `threads` is 1 (or `count` is), else on the whole team.
    public func parallelFor(_ count: Int, threads: Int? = nil, _ body: @Sendable (Int) -> Void) {
        if size == 1 || count <= 1 || (threads ?? size) <= 1 {
            for index in 0 ..< count { body(index) }
            return
        }
        withoutActuallyEscaping(body) { body in
            job = (count, body)
            nextIndex.store(0, ordering: .relaxed)
            finished.store(0, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            work()
            var spins = 0
            while finished.load(ordering: .acquiring) < size - 1 { pause(&spins) }
            job = nil
        }
    }

    /// Runs `body(index)` for every index on the team and returns the results in index order.
    public func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let slots = SlotBuffer<T>(count: count)
        parallelFor(count) { index in slots.store(body(index), at: index) }
        return slots.values()
    }

    /// Takes indices of the current loop until there are none left.
    private func work() {
        guard let (count, body) = job else { return }
        while true {
            let index = nextIndex.add(1, ordering: .relaxed).oldValue
            if index >= count { return }
            body(index)
        }
    }

    /// A member's life: wait for each loop, take part in it, report it finished.
    private func serve() {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                if stopping.load(ordering: .acquiring) {
                    exited.add(1, ordering: .releasing)
                    return
                }
                pause(&spins)
            }
            seen += 1
            work()
            finished.add(1, ordering: .releasing)
        }
    }

    /// A short busy wait, then the core offered to any other thread between checks.
    @inline(__always)
    private func pause(_ spins: inout Int) {
        spins += 1
        if spins > 2_000 { sched_yield() }
    }
}
