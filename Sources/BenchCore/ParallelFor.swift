import Dispatch
import Synchronization

/// Runs `body(index)` for every index in `0 ..< count` on up to `threads` threads.
///
/// Work is handed out one index at a time from a shared counter, so uneven items balance
/// themselves. Callers that need thread-independent results give each index its own output
/// slot and combine the slots afterwards in index order; nothing here depends on which
/// thread ran which index.
/// - Parameters:
///   - count: Number of items.
///   - threads: Maximum number of threads, at least 1; 1 runs everything on the caller's thread.
///   - body: The work for one index. It must be safe to call concurrently for distinct indices.
public func parallelFor(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
    let workers = min(max(threads, 1), count)
    if workers <= 1 {
        for index in 0 ..< count { body(index) }
        return
    }
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
            let index = next.add(1, ordering: .relaxed).oldValue
            if index >= count { break }
            body(index)
        }
    }
}

/// Runs `body(index)` for every index in parallel and returns the results in index order.
public func parallelMap<T: Sendable>(_ count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
    let slots = SlotBuffer<T>(count: count)
    parallelFor(count, threads: threads) { index in slots.store(body(index), at: index) }
    return slots.values()
}

/// A fixed array of write-once slots filled from several threads, each slot by one of them.
final class SlotBuffer<T: Sendable>: @unchecked Sendable {
    // Safety: every slot is written by exactly one `parallelFor` index, and read only after
    // `parallelFor` returns, which happens-after all its work items. The storage is a raw
    // allocation, so concurrent writes to distinct slots never touch a shared Swift array.
    private let slots: UnsafeMutablePointer<T?>
    private let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    func store(_ value: T, at index: Int) { slots[index] = value }

    func values() -> [T] { (0 ..< count).map { slots[$0]! } }
}

/// Hands a raw buffer to concurrent work items that each write their own disjoint part.
///
/// `UnsafeMutableBufferPointer` is not `Sendable`; this wrapper states the one condition under
/// which sharing it is sound: concurrent writers touch disjoint elements.
public struct DisjointWrites<Element>: @unchecked Sendable {
    public let buffer: UnsafeMutableBufferPointer<Element>
    public init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}

/// Hands a read-only buffer to concurrent work items.
public struct SharedReads<Element>: @unchecked Sendable {
    public let buffer: UnsafeBufferPointer<Element>
    public init(_ buffer: UnsafeBufferPointer<Element>) { self.buffer = buffer }
}
