import BenchCore

/// The blocking of the GEMM (Goto and van de Geijn, "Anatomy of high-performance matrix
/// multiplication", ACM TOMS 34(3), 2008; the BLIS loop structure of Van Zee and van de
/// Geijn, ACM TOMS 41(3), 2015).
///
/// C is computed in register tiles of `mr × nr`; k is split into blocks of `kc`, A into row
/// blocks of at most `mc`, and B is packed into `nr`-column panels.
public enum GEMMBlocking {
    /// Rows of the register tile: 6 rows × 2 vectors = 12 accumulators, plus 2 for B and 1
    /// for a broadcast of A, fills the 16 AVX2 vector registers.
    public static let mr = 6
    /// Columns of the register tile: two `SIMD8<Float>`.
    public static let nr = 16
    /// The deepest k block: a 6 × 256 sliver of A (6 KB) and a 256 × 16 sliver of B (16 KB)
    /// stay in the L1 cache while a register tile is computed. A depth is cut into
    /// ⌈depth / kc⌉ blocks of equal size (``kBlock(_:depth:)``), not into blocks of kc and a
    /// remainder: a convolution's 288 is two blocks of 144, not 256 and a 32 that would load
    /// and store C's tile for only 32 steps. (384 and 192 measured no better: docs/gemm.md.)
    public static let kc = 256
    /// When A needs no scaling and C has at most this many columns, the kernel reads A where it
    /// lies instead of packing it: with few columns, each value of A is used too few times
    /// (n / 16 register tiles) to repay copying it.
    public static let unpackedColumns = 512

    /// How many k blocks a product of depth `depth` has.
    @inline(__always)
    public static func kBlocks(depth: Int) -> Int { max(1, (depth + kc - 1) / kc) }

    /// The values of k in block `p` of a depth `depth`: blocks of equal size (±1), in order.
    @inline(__always)
    public static func kBlock(_ p: Int, depth: Int) -> Range<Int> {
        let blocks = kBlocks(depth: depth)
        return p * depth / blocks ..< (p + 1) * depth / blocks
    }
    /// Rows of one A block (packed for the whole depth: mc × k floats, 376 KB for k = 784,
    /// held in the L2 cache).
    public static let mc = 120
    /// Columns of one packed B block (kc × nc floats, 2 MB, streamed from L3).
    public static let nc = 2048
    /// From this many columns per thread, a product on several threads gives each thread
    /// column blocks of its own to pack and multiply (`shareColumnBlocks` in SGEMM.swift)
    /// rather than sharing every block: two blocks per thread at least, so that a disturbed
    /// thread can leave work to the other.
    public static let splitColumnsFrom = 2 * nc
    /// Columns of C per work item within a block: 32 panels, so that even a short A gives
    /// every thread several items.
    public static let chunk = 2048
}

/// B packed once for every k block: for k block `p` and column panel `q`, a `kc × nr` sliver
/// stored k-major (all `nr` columns of one k together), zero-padded past the last column.
///
/// Packing makes the micro-kernel's loads contiguous and aligned. A right-hand operand used
/// many times (k-NN's training images) is packed once and reused.
public final class PackedRightOperand: @unchecked Sendable {
    // @unchecked: written only in `init`, read-only afterwards.
    public let depth: Int
    public let columns: Int
    let panels: Int
    let storage: UnsafeMutablePointer<Float>
    private let count: Int

    /// Packs `b` (`depth × columns` as used), using up to `threads` threads.
    public init(_ b: MatrixOperand, threads: Int = 1) {
        let nr = GEMMBlocking.nr
        depth = b.rows
        columns = b.columns
        panels = (b.columns + nr - 1) / nr
        count = max(1, panels * nr * b.rows)
        storage = allocateLineAligned(count)
        let destination = DisjointWrites(UnsafeMutableBufferPointer(start: storage, count: count))
        let depth = self.depth, columns = self.columns, panels = self.panels
        for p in 0 ..< GEMMBlocking.kBlocks(depth: depth) {
            let block = GEMMBlocking.kBlock(p, depth: depth)
            packRight(b, depth: block.lowerBound, block.count, columns: 0, columns, into: destination.buffer.baseAddress!
                      + PackedRightOperand.offset(kBlock: p, panel: 0, depth: depth, panels: panels), threads: threads)
        }
    }

    deinit { storage.deallocate() }

    /// Where the sliver of k block `p` and panel `q` starts.
    @inline(__always)
    static func offset(kBlock p: Int, panel q: Int, depth: Int, panels: Int) -> Int {
        let nr = GEMMBlocking.nr, block = GEMMBlocking.kBlock(p, depth: depth)
        return block.lowerBound * panels * nr + q * block.count * nr
    }

    /// Bytes held.
    public var byteCount: Int { count * MemoryLayout<Float>.size }
}

/// Packs the block `k0 ..< k0 + depth` × `j0 ..< j0 + columns` of `b` into `nr`-column slivers,
/// one after another (sliver i at `destination + i * depth * nr`), each stored k-major and
/// zero-padded past the last column.
///
/// Work items are groups of 16 panels, each writing its own slivers. In a group, a row of an
/// untransposed B is read as one contiguous run of 256 floats, not as 16 strided pieces
/// (which would cost a TLB miss each on wide matrices).
func packRight(_ b: MatrixOperand, depth k0: Int, _ depth: Int, columns j0: Int, _ columns: Int,
               into destination: UnsafeMutablePointer<Float>, threads: Int) {
    let nr = GEMMBlocking.nr, group = 16
    let panels = (columns + nr - 1) / nr
    let groups = (panels + group - 1) / group
    let out = DisjointWrites(UnsafeMutableBufferPointer(start: destination, count: panels * depth * nr))
    parallelFor(groups, threads: groups < 4 ? 1 : threads) { g in
        let base = out.buffer.baseAddress!
        let firstPanel = g * group, lastPanel = min(panels, firstPanel + group)
        if !b.transposed {
            for k in 0 ..< depth {
                let source = b.base + (k0 + k) * b.leadingDimension + j0
                for q in firstPanel ..< lastPanel {
                    let row = base + q * depth * nr + k * nr
                    let width = min(nr, columns - q * nr)
                    if width == nr {
                        // One vector load and store, inline: `copyMemory` is a call to memmove per
                        // 64 bytes, and packing the networks' weights for every chunk made those
                        // calls 17% of an MLP fit in `perf`.
                        UnsafeMutableRawPointer(row).storeBytes(
                            of: UnsafeRawPointer(source + q * nr).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                    } else {
                        for j in 0 ..< width { row[j] = source[q * nr + j] }
                        for j in width ..< nr { row[j] = 0 }
                    }
                }
            }
        } else {
            for q in firstPanel ..< lastPanel {
                let sliver = base + q * depth * nr
                let width = min(nr, columns - q * nr)
                for j in 0 ..< nr {
                    if j < width {
                        let source = b.base + (j0 + q * nr + j) * b.leadingDimension + k0
                        for k in 0 ..< depth { sliver[k * nr + j] = source[k] }
                    } else {
                        for k in 0 ..< depth { sliver[k * nr + j] = 0 }
                    }
                }
            }
        }
    }
}

/// Packs rows `i0 ..< i0 + rows`, k range `k0 ..< k0 + depth` of `a` into `mr`-row panels,
/// each stored k-major (the `mr` values of one k together), zero-padded past the last row,
/// and multiplied by `alpha`.
@inline(__always)
func packLeft(_ a: MatrixOperand, rows i0: Int, count rows: Int, depth k0: Int, _ depth: Int, alpha: Float,
              into destination: UnsafeMutablePointer<Float>) {
    let mr = GEMMBlocking.mr
    let panels = (rows + mr - 1) / mr
    for panel in 0 ..< panels {
        let out = destination + panel * depth * mr
        let r0 = i0 + panel * mr, height = min(mr, i0 + rows - r0)
        if !a.transposed {
            for r in 0 ..< height {
                let source = a.base + (r0 + r) * a.leadingDimension + k0
                for k in 0 ..< depth { out[k * mr + r] = alpha * source[k] }
            }
        } else {
            for k in 0 ..< depth {
                let source = a.base + (k0 + k) * a.leadingDimension + r0
                for r in 0 ..< height { out[k * mr + r] = alpha * source[r] }
            }
        }
        if height < mr {
            for k in 0 ..< depth {
                for r in height ..< mr { out[k * mr + r] = 0 }
            }
        }
    }
}
