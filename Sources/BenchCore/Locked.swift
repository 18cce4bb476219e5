#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a `pthread_mutex_t`: the lock every shared mutable value here uses.
///
/// Why not the standard library's `Synchronization.Mutex`: on Linux it locks with atomics
/// and futex calls that ThreadSanitizer does not see, so every access it protects is
/// reported as a race (`scripts/sanitize.sh thread` stopped at the first, in `ScratchPool`);
/// ThreadSanitizer intercepts the pthread calls, so races it reports here are real ones.
/// The cost is the same uncontended (a compare-and-swap each way).
public final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `value` is only touched between lock and unlock.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
