import BenchCore

/// Memory for the kernel-row caches of one fit, handed from each finished class pair to the
/// next.
///
/// A pair's cache holds up to a few hundred megabytes of rows. Allocated anew for every pair,
/// that memory comes back from the system as fresh pages, and the kernel faults in and zeroes
/// each 4 KB page the first time it is written: measured on MNIST, a tenth of the fit's CPU
/// time went to the system, most of it there. Taken from this pool, a pair writes into pages
/// an earlier pair already touched. Everything is freed with the pool, when the fit ends, so
/// nothing outlives the fit that used it.
final class RowStoragePool: @unchecked Sendable {
    // @unchecked: `free` is only touched under its lock; a buffer handed out belongs to one
    // cache until it is given back.
    private struct Buffer {
        let pointer: UnsafeMutablePointer<Float>
        let count: Int
    }

    private let free = Locked<[Buffer]>([])

    init() {}

    deinit {
        free.withLock { buffers in
            for buffer in buffers { buffer.pointer.deallocate() }
        }
    }

    /// A buffer of at least `count` floats (contents undefined): the smallest free one that
    /// fits, or a new one of `reserving` floats if that is more (so that later, larger
    /// requests of the same kind fit it too; pages never written cost nothing).
    func take(_ count: Int, reserving: Int = 0) -> (pointer: UnsafeMutablePointer<Float>, count: Int) {
        let reused = free.withLock { buffers -> Buffer? in
            let fitting = buffers.indices.filter { buffers[$0].count >= count }
            guard let index = fitting.min(by: { buffers[$0].count < buffers[$1].count }) else { return nil }
            return buffers.remove(at: index)
        }
        let size = max(1, count, reserving)
        let buffer = reused ?? Buffer(pointer: .allocate(capacity: size), count: size)
        return (buffer.pointer, buffer.count)
    }

    /// Returns a buffer from ``take(_:)`` for a later cache.
    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        free.withLock { $0.append(Buffer(pointer: pointer, count: count)) }
    }
}
