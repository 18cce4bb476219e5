import BenchCore

/// C = αAB + βC in single precision, with `threads` threads.
///
/// The method of Goto and van de Geijn (ACM TOMS 34(3), 2008) in the loop order of BLIS
/// (Van Zee and van de Geijn, ACM TOMS 41(3), 2015): for each block of `nc` columns, B's
/// block is packed for the whole depth, k block by k block, into 16-column slivers (in a
/// buffer reused for every block); then each work item, a (row block, column chunk) pair handed
/// to the threads from a shared counter, packs its rows of A into 6-row panels for every k
/// block and runs the 6 × 16 register kernel sliver by sliver, every k block in turn.
///
/// Deterministic: each element of C is β·C plus its k blocks (``GEMMBlocking/kBlock(_:depth:)``,
/// fixed by the depth alone) added in order, each block summed in order in registers, whatever
/// the tiling, the number of threads and whether A was packed.
/// - Complexity: 2·m·n·k floating-point operations; extra memory `k · nc` floats for B's
///   block and `mc · k` floats per work item for A's rows.
public func sgemm(_ a: MatrixOperand, _ b: MatrixOperand, into c: MatrixDestination,
                  alpha: Float = 1, beta: Float = 0, threads: Int = 1) {
    precondition(a.columns == b.rows, "sgemm: A is \(a.rows)x\(a.columns) but B is \(b.rows)x\(b.columns)")
    precondition(c.rows == a.rows && c.columns == b.columns, "sgemm: C is \(c.rows)x\(c.columns), expected \(a.rows)x\(b.columns)")
    let (m, n, depth) = (a.rows, b.columns, a.columns)
    guard m > 0 && n > 0 else { return }
    guard depth > 0 else { return scale(c, by: beta) }
    let threads = effectiveThreads(m, n, depth, threads)
    let (nr, nc) = (GEMMBlocking.nr, GEMMBlocking.nc)
    if sharesColumnBlocks(columns: n, threads: threads) {
        return shareColumnBlocks(columns: n, threads: threads) { j0, columns, widest in
            ScratchPool.shared.withBuffer(count: depth * widest) { buffer in
                let panels = (columns + nr - 1) / nr
                for p in 0 ..< GEMMBlocking.kBlocks(depth: depth) {
                    let block = GEMMBlocking.kBlock(p, depth: depth)
                    packRight(b, depth: block.lowerBound, block.count, columns: j0, columns,
                              into: buffer + PackedRightOperand.offset(kBlock: p, panel: 0, depth: depth, panels: panels), threads: 1)
                }
                multiplyBlock(a, packed: buffer, panels: panels, firstPanel: 0, columns: j0, columns, into: c,
                              alpha: alpha, beta: beta, threads: 1, skippingZeroSteps: false)
            }
        }
    }
    ScratchPool.shared.withBuffer(count: depth * ((min(nc, n) + nr - 1) / nr * nr)) { buffer in
        for j0 in stride(from: 0, to: n, by: nc) {
            let columns = min(nc, n - j0)
            let panels = (columns + nr - 1) / nr
            for p in 0 ..< GEMMBlocking.kBlocks(depth: depth) {
                let block = GEMMBlocking.kBlock(p, depth: depth)
                packRight(b, depth: block.lowerBound, block.count, columns: j0, columns,
                          into: buffer + PackedRightOperand.offset(kBlock: p, panel: 0, depth: depth, panels: panels), threads: threads)
            }
            multiplyBlock(a, packed: buffer, panels: panels, firstPanel: 0, columns: j0, columns, into: c,
                          alpha: alpha, beta: beta, threads: threads, skippingZeroSteps: false)
        }
    }
}

/// Runs `body(j0, columns)` over C's columns in blocks shared out between the threads, each
/// block packed (if B is not packed already) and multiplied by one thread against every row
/// of A: for a wide C (k-NN's 60,000 training images), where sharing each block between the
/// threads cost a wait for the slower thread after every packing and every block (five per
/// block, 150 per 1000-row product), and made both threads pack and stream the same block in
/// lockstep.
///
/// The blocks are equal (±16 columns, each starting on a 16-column panel) and their count a
/// multiple of the thread count, so the threads finish together when neither is disturbed;
/// they are taken from a shared counter, so a disturbed thread takes fewer. Each element's sum
/// is the same as on one thread.
private func shareColumnBlocks(columns n: Int, threads: Int, _ body: @Sendable (_ j0: Int, _ columns: Int, _ widest: Int) -> Void) {
    let nr = GEMMBlocking.nr
    let panels = (n + nr - 1) / nr
    let blocks = ((n + GEMMBlocking.nc - 1) / GEMMBlocking.nc + threads - 1) / threads * threads
    let widest = (panels + blocks - 1) / blocks * nr
    parallelFor(blocks, threads: threads) { block in
        let first = block * panels / blocks, last = (block + 1) * panels / blocks
        let j0 = first * nr, columns = min(last * nr, n) - j0
        if columns > 0 { body(j0, columns, widest) }
    }
}

/// Whether a product is wide enough for ``shareColumnBlocks(columns:threads:_:)``: two blocks
/// per thread at least, so that a disturbed thread can leave work to the other.
private func sharesColumnBlocks(columns n: Int, threads: Int) -> Bool {
    threads > 1 && n >= GEMMBlocking.splitColumnsFrom * threads
}

/// C = αA·B[:, columns] + βC with B already packed (for a right-hand operand used many times,
/// such as k-NN's training images). Gives exactly the same result as the unpacked call.
/// - Parameters:
///   - columns: The columns of B to use (all by default); C has that many columns. The range
///     must start at a multiple of 16.
///   - skippingZeroSteps: Leave out the steps of k where a 6-row panel of A is all zero
///     (ZeroSteps.swift): for mostly-zero A such as images, fewer multiply-adds and, when B is
///     finite, the same result except possibly the sign of a zero. Needs `alpha` = 1.
public func sgemm(_ a: MatrixOperand, _ b: PackedRightOperand, columns: Range<Int>? = nil, into c: MatrixDestination,
                  alpha: Float = 1, beta: Float = 0, threads: Int = 1, skippingZeroSteps: Bool = false) {
    precondition(alpha == 1 || !skippingZeroSteps, "sgemm: skippingZeroSteps needs alpha = 1")
    let range = columns ?? 0 ..< b.columns
    precondition(a.columns == b.depth, "sgemm: A is \(a.rows)x\(a.columns) but B is \(b.depth)x\(b.columns)")
    precondition(range.lowerBound % GEMMBlocking.nr == 0 && range.upperBound <= b.columns, "sgemm: bad column range \(range)")
    precondition(c.rows == a.rows && c.columns == range.count, "sgemm: C is \(c.rows)x\(c.columns), expected \(a.rows)x\(range.count)")
    let (m, n, depth) = (a.rows, range.count, a.columns)
    guard m > 0 && n > 0 else { return }
    guard depth > 0 else { return scale(c, by: beta) }
    let threads = effectiveThreads(m, n, depth, threads)
    let (nr, nc) = (GEMMBlocking.nr, GEMMBlocking.nc)
    let firstPanel = range.lowerBound / nr
    if sharesColumnBlocks(columns: n, threads: threads) {
        return shareColumnBlocks(columns: n, threads: threads) { j0, columns, _ in
            multiplyBlock(a, packed: b.storage, panels: b.panels, firstPanel: firstPanel + j0 / nr, columns: j0, columns,
                          into: c, alpha: alpha, beta: beta, threads: 1, skippingZeroSteps: skippingZeroSteps)
        }
    }
    for j0 in stride(from: 0, to: n, by: nc) {
        multiplyBlock(a, packed: b.storage, panels: b.panels, firstPanel: (range.lowerBound + j0) / nr, columns: j0, min(nc, n - j0),
                      into: c, alpha: alpha, beta: beta, threads: threads, skippingZeroSteps: skippingZeroSteps)
    }
}

/// Small products are not worth waking a second thread.
private func effectiveThreads(_ m: Int, _ n: Int, _ depth: Int, _ threads: Int) -> Int {
    2 * m * n * depth < 1 << 21 ? 1 : max(1, threads)
}

private func scale(_ c: MatrixDestination, by beta: Float) {
    for i in 0 ..< c.rows {
        let row = c.base + i * c.leadingDimension
        for j in 0 ..< c.columns { row[j] = beta == 0 ? 0 : beta * row[j] }
    }
}

/// C[:, j0 ..< j0 + columns] = β·C + α·A·B[:, j0 ..< j0 + columns], with B packed in the layout
/// of ``PackedRightOperand`` (`panels` panels in all; this block's first is `firstPanel`).
///
/// Each work item is one tile of C (a row block × a column chunk) and runs every k block over
/// it in order, sliver by sliver, so each 16-column strip of the tile stays in L1 from the
/// first k block to the last.
private func multiplyBlock(_ a: MatrixOperand, packed: UnsafePointer<Float>, panels: Int, firstPanel: Int,
                           columns j0: Int, _ columns: Int, into c: MatrixDestination, alpha: Float, beta: Float, threads: Int,
                           skippingZeroSteps: Bool) {
    let (mr, nr, mc, chunk) = (GEMMBlocking.mr, GEMMBlocking.nr, GEMMBlocking.mc, GEMMBlocking.chunk)
    // A read where it lies (no packing) when it needs no scaling and C is narrow; its last,
    // partial 6-row panel is still packed (zero-padded), so the kernel never reads past A.
    let unpacked = alpha == 1 && columns <= GEMMBlocking.unpackedColumns
    let (m, depth) = (a.rows, a.columns)
    // Row blocks of at most mc rows, as many as a multiple of the thread count, with the
    // 6-row panels shared out evenly, so that the work divides evenly between threads. The
    // result does not depend on this choice: only the order of k is fixed.
    let rowPanels = (m + mr - 1) / mr
    let rowBlocks = min(rowPanels, ((m + mc - 1) / mc + threads - 1) / threads * threads)
    let chunks = (columns + chunk - 1) / chunk
    let b = SharedReads(UnsafeBufferPointer(start: packed, count: panels * nr * depth))
    parallelFor(rowBlocks * chunks, threads: threads) { item in
        let (block, part) = item.quotientAndRemainder(dividingBy: chunks)
        let i0 = block * rowPanels / rowBlocks * mr
        let rows = min((block + 1) * rowPanels / rowBlocks * mr, m) - i0
        let chunkStart = part * chunk, chunkEnd = min(chunkStart + chunk, columns)
        if skippingZeroSteps {
            return multiplyItemSkippingZeros(a, rows: i0, count: rows, b: b.buffer.baseAddress!, panels: panels, firstPanel: firstPanel,
                                             columns: j0, columns, chunk: chunkStart, chunkEnd, into: c, beta: beta)
        }
        let fullPanels = unpacked ? rows / mr : 0
        // Rows of A packed (the last, partial panel, or all when A is not read in place), for
        // every k block at once: block p's panels start at packedA + packedRows · k0.
        let packedRows = (rows - fullPanels * mr + mr - 1) / mr * mr
        let kBlocks = GEMMBlocking.kBlocks(depth: depth)
        ScratchPool.shared.withBuffer(count: packedRows * depth) { packedA in
            if packedRows > 0 {
                for p in 0 ..< kBlocks {
                    let block = GEMMBlocking.kBlock(p, depth: depth)
                    packLeft(a, rows: i0 + fullPanels * mr, count: rows - fullPanels * mr, depth: block.lowerBound, block.count,
                             alpha: alpha, into: packedA + packedRows * block.lowerBound)
                }
            }
            // Sliver by sliver, every k block in turn: the C tiles of one sliver (rows × 16)
            // stay in L1 from the first k block to the last, instead of being stored after
            // one k block and read back from L2 or L3 a whole block of columns later.
            for jj in stride(from: chunkStart, to: chunkEnd, by: nr) {
                let width = min(nr, columns - jj)
                for p in 0 ..< kBlocks {
                    let block = GEMMBlocking.kBlock(p, depth: depth)
                    let (k0, depthHere) = (block.lowerBound, block.count)
                    let tileBeta = p == 0 ? beta : 1
                    let sliver = b.buffer.baseAddress!
                        + PackedRightOperand.offset(kBlock: p, panel: firstPanel + jj / nr, depth: depth, panels: panels)
                    // Before each panel, a part of the next sliver of B is asked for, and in the
                    // last k block the next strip of C, so that neither stalls the kernel when its
                    // turn comes (SliverPrefetch.swift; docs/gemm.md has the figures).
                    let next = NextSliver(after: jj, kBlock: p, end: chunkEnd, packed: b.buffer.baseAddress!, panels: panels,
                                          firstPanel: firstPanel, depth: depth)
                    let parts = (rows + mr - 1) / mr, stripAhead = p == kBlocks - 1 && jj + nr < chunkEnd
                    @inline(__always) func askAhead(panelAt r: Int) {
                        next.prefetch(part: r / mr, of: parts)
                        if stripAhead {
                            prefetchStrip(c.base + (i0 + r) * c.leadingDimension + j0 + jj + nr, rows: min(mr, rows - r),
                                          ldc: c.leadingDimension)
                        }
                    }
                    var r = 0
                    // Whole panels read from A itself: row r + i, step k at base + i·rowStride + k·depthStride.
                    let lda = a.leadingDimension
                    for panel in 0 ..< fullPanels {
                        askAhead(panelAt: r)
                        let target = c.base + (i0 + r) * c.leadingDimension + j0 + jj
                        if a.transposed {
                            microKernel(depth: depthHere, a: a.base + k0 * lda + i0 + r, rowStride: 1, depthStride: lda, b: sliver,
                                        c: target, ldc: c.leadingDimension, rows: mr, columns: width, beta: tileBeta)
                        } else {
                            microKernel(depth: depthHere, a: a.base + (i0 + r) * lda + k0, rowStride: lda, depthStride: 1, b: sliver,
                                        c: target, ldc: c.leadingDimension, rows: mr, columns: width, beta: tileBeta)
                        }
                        r = (panel + 1) * mr
                    }
                    var packedRow = 0
                    while r < rows {
                        askAhead(panelAt: r)
                        microKernel(depth: depthHere, a: packedA + packedRows * k0 + packedRow * depthHere, rowStride: 1, depthStride: 6,
                                    b: sliver, c: c.base + (i0 + r) * c.leadingDimension + j0 + jj, ldc: c.leadingDimension,
                                    rows: min(mr, rows - r), columns: width, beta: tileBeta)
                        r += mr
                        packedRow += mr
                    }
                }
            }
        }
    }
}
