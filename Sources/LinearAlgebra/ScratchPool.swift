import BenchCore

/// Packing buffers kept between GEMM calls.
///
/// A multi-megabyte allocation is served by the system as fresh pages, and touching them the
/// first time costs a page fault and zeroing per 4 KB: about a tenth of a 1024³ product.
/// Keeping the last few buffers (as BLAS libraries keep theirs) removes that cost. At most
/// ``capacity`` buffers are kept (enough for every thread's A and B buffers across the
/// differently sized layers of a network); a request takes the smallest kept buffer that fits.
final class ScratchPool: Sendable {
    static let shared = ScratchPool()
    static let capacity = 16

    private struct Block: @unchecked Sendable {
        // @unchecked: a block is owned by exactly one caller between `take` and `give`.
        let pointer: UnsafeMutablePointer<Float>
        let count: Int
    }

    private let blocks = Locked<[Block]>([])

    /// Runs `body` with a buffer of at least `count` floats (contents undefined).
    func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let block = take(count)
        defer { give(block) }
        return try body(block.pointer)
    }

    private func take(_ count: Int) -> Block {
        let reused = blocks.withLock { blocks -> Block? in
            let fitting = blocks.indices.filter { blocks[$0].count >= count }
            guard let index = fitting.min(by: { blocks[$0].count < blocks[$1].count }) else { return nil }
            return blocks.remove(at: index)
        }
        return reused ?? Block(pointer: allocateLineAligned(max(count, 1)), count: max(count, 1))
    }

    private func give(_ block: Block) {
        let evicted = blocks.withLock { blocks -> Block? in
            blocks.append(block)
            guard blocks.count > ScratchPool.capacity else { return nil }
            // Drop the smallest: large buffers are the expensive ones to fault in again.
            let smallest = blocks.indices.min { blocks[$0].count < blocks[$1].count }!
            return blocks.remove(at: smallest)
        }
        evicted?.pointer.deallocate()
    }
}

/// `count` floats starting on a 64-byte cache line (the system allocator aligns large blocks to
/// 16 bytes only). Packed panels are read 64 bytes per step of k; aligned, such a read is one
/// cache line instead of parts of two. Free with `deallocate()`.
func allocateLineAligned(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
        .bindMemory(to: Float.self, capacity: count)
}
