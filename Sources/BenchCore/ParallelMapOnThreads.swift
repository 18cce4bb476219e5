import Dispatch
import Foundation
import Synchronization

/// ``parallelMap(_:threads:_:)`` on threads of its own, for work items that are themselves
/// parallel (whole cross-validation folds).
///
/// `parallelFor` uses Dispatch's `concurrentPerform`, and libdispatch gives a
/// `concurrentPerform` called inside another one only its share of the width: inside two
/// concurrent folds, a fold's own parallel loops run on one thread, even once the other fold
/// has finished and its core is idle. Items run here on plain threads, so the loops inside an
/// item get the full width Dispatch has free.
public func parallelMapOnThreads<T: Sendable>(_ count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let workers = min(max(threads, 1), count)
    if workers <= 1 { return (0 ..< count).map(body) }
    let slots = SlotBuffer<T>(count: count)
    let counter = SharedCounter()
    let finished = DispatchSemaphore(value: 0)
    for _ in 0 ..< workers {
        let thread = Thread {
            while true {
                let index = counter.next()
                if index >= count { break }
                slots.store(body(index), at: index)
            }
            finished.signal()
        }
        thread.stackSize = 16 << 20
        thread.start()
    }
    for _ in 0 ..< workers { finished.wait() }
    return slots.values()
}

/// 0, 1, 2, … handed out once each to whichever thread asks.
private final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
}
