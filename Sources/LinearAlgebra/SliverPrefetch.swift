import CPrefetch

/// The sliver of B that a work item reads after sliver `jj`'s k block `p`, to be asked for
/// while this one is used.
///
/// A work item reads B's slivers in order, each k block of a sliver after the other (the
/// `(jj, p)` loops of `multiplyBlock` and `multiplyItemSkippingZeros`), and a wide B comes from
/// memory. Asking for the next sliver a part at a time, before each panel's kernel, has it in
/// the cache when its turn comes, without a stall: a prefetch, unlike a load, never holds up
/// the instructions after it.
struct NextSliver {
    /// The next sliver's first value, and its length in 64-byte lines (one per step of k).
    let base: UnsafePointer<Float>
    let lines: Int

    /// - Parameters:
    ///   - packed: B packed as ``PackedRightOperand`` (`panels` panels in all, this block's
    ///     first at `firstPanel`), of depth `depth`.
    ///   - jj, p: The sliver's first column in the block, and its k block.
    ///   - end: The item's last column in the block (exclusive): no sliver past it.
    @inline(__always)
    init(after jj: Int, kBlock p: Int, end: Int, packed: UnsafePointer<Float>, panels: Int, firstPanel: Int, depth: Int) {
        let nr = GEMMBlocking.nr
        let (nextJ, nextP) = p + 1 < GEMMBlocking.kBlocks(depth: depth) ? (jj, p + 1) : (jj + nr, 0)
        lines = nextJ < end ? GEMMBlocking.kBlock(nextP, depth: depth).count : 0
        base = packed + PackedRightOperand.offset(kBlock: nextP, panel: firstPanel + nextJ / nr, depth: depth, panels: panels)
    }

    /// Asks for part `part` of `parts` of the sliver's lines (with no effect on any value).
    @inline(__always)
    func prefetch(part: Int, of parts: Int) {
        for line in part * lines / parts ..< (part + 1) * lines / parts {
            mnistbench_prefetch(base + line * GEMMBlocking.nr)
        }
    }
}

/// Asks for a 16-column strip of C, `rows` rows from `start` (each row's 16 floats may
/// straddle two cache lines), before the item's next sliver writes there. A read prefetch:
/// x86-64-v3 has no write prefetch (PRFCHW), and `__builtin_prefetch`'s write hint would
/// become the same `prefetcht0`.
@inline(__always)
func prefetchStrip(_ start: UnsafeMutablePointer<Float>, rows: Int, ldc: Int) {
    for i in 0 ..< rows {
        mnistbench_prefetch(start + i * ldc)
        mnistbench_prefetch(start + i * ldc + GEMMBlocking.nr - 1)
    }
}
