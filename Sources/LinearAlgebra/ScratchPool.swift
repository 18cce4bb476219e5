import BenchCore
import Glibc

/// Packing buffers kept between GEMM calls, by each thread for itself.
///
/// A multi-megabyte allocation is served by the system as fresh pages, and touching them the
/// first time costs a page fault and zeroing per 4 KB: about a tenth of a 1024³ product.
/// Keeping the last few buffers (as BLAS libraries keep theirs) removes that cost. Each
/// thread keeps at most ``capacity`` (enough for its A and B buffers across the differently
/// sized layers of a network), freed when the thread ends; a request takes the smallest kept
/// buffer that fits.
///
/// Per thread, so that no request waits for a lock: the pool used to be one list behind a
/// mutex. Each chunk of a network's training step makes eight or more small products, each
/// taking a buffer or two, on two threads at once; when the mutex was contended the waiting
/// thread slept in the kernel, and on a virtual machine such a wake-up can take longer than a
/// product (docs/mlp.md).
final class ScratchPool: Sendable {
    static let shared = ScratchPool()
    static let capacity = 8

    /// The calling thread's ``ThreadBuffers``, created on its first request and released by
    /// the key's destructor when the thread exits.
    private let key: pthread_key_t

    private init() {
        var key = pthread_key_t()
        pthread_key_create(&key) { buffers in
            if let buffers { Unmanaged<ThreadBuffers>.fromOpaque(buffers).release() }
        }
        self.key = key
    }

    /// Runs `body` with a buffer of at least `count` floats (contents undefined).
    func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let buffers = threadBuffers()
        let block = buffers.take(count)
        defer { buffers.give(block) }
        return try body(block.pointer)
    }

    private func threadBuffers() -> ThreadBuffers {
        if let existing = pthread_getspecific(key) {
            return Unmanaged<ThreadBuffers>.fromOpaque(existing).takeUnretainedValue()
        }
        let created = ThreadBuffers()
        pthread_setspecific(key, Unmanaged.passRetained(created).toOpaque())
        return created
    }
}

/// One thread's kept packing buffers (used by that thread only).
private final class ThreadBuffers {
    struct Block {
        let pointer: UnsafeMutablePointer<Float>
        let count: Int
    }

    private var blocks: [Block] = []

    deinit { for block in blocks { block.pointer.deallocate() } }

    func take(_ count: Int) -> Block {
        var best: Int?
        for index in blocks.indices where blocks[index].count >= count {
            if best.map({ blocks[index].count < blocks[$0].count }) ?? true { best = index }
        }
        if let best { return blocks.remove(at: best) }
        return Block(pointer: allocateLineAligned(max(count, 1)), count: max(count, 1))
    }

    func give(_ block: Block) {
        blocks.append(block)
        guard blocks.count > ScratchPool.capacity else { return }
        // Drop the smallest: large buffers are the expensive ones to fault in again.
        var smallest = 0
        for index in blocks.indices where blocks[index].count < blocks[smallest].count { smallest = index }
        blocks.remove(at: smallest).pointer.deallocate()
    }
}

/// `count` floats starting on a 64-byte cache line (the system allocator aligns large blocks to
/// 16 bytes only). Packed panels are read 64 bytes per step of k; aligned, such a read is one
/// cache line instead of parts of two. Free with `deallocate()`.
func allocateLineAligned(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
        .bindMemory(to: Float.self, capacity: count)
}
