/// Leaving out the steps of k where a 6-row panel of A is all zero.
///
/// MNIST's images are mostly background: of the 717 pixels that are ever lit, an image lights
/// about a fifth, and six images together about 45%. When A's rows are such images (the SVM's
/// kernel rows and its predictions multiply images by images), a register tile's step k with
/// all six of A's values zero adds only zeros to the tile, and more than half of the steps are
/// such steps. Packing A keeps, for each panel and k block, only the steps where one of the six
/// values is nonzero, and the list of those steps; the kernel reads B's sliver at the listed
/// steps (`microKernel(steps:…)`). Read that way, out of order, a sliver coming from memory
/// is not streamed in by the hardware prefetcher, and the kernel stalled on it until the item
/// asked for the next sliver ahead of time (``NextSliver``): 128 → 160 GFLOP/s (counted as the
/// dense product's) on the SVM's shape in `bench kernels`, against 97–99 for the dense product
/// with the same prefetch, so about 0.6 of its time.
///
/// **The same result, for a finite B, except possibly the sign of a zero.** Every step left
/// out would have added 0 · b = ±0 to an accumulator. Adding ±0 to a nonzero sum leaves it
/// unchanged; the only case where it changes anything is a sum that is exactly −0 (only zero
/// and underflowing negative products can make one), which adding +0 turns into +0. So the
/// sums agree except
/// possibly in the sign of a zero, and with nonnegative operands such as pixel values they
/// agree in every bit. The order of the steps that remain, and the k blocks, are those of the
/// dense product. (A B with infinities or NaNs would differ: 0 · ∞ is NaN.)

/// Packs rows `i0 ..< i0 + rows` of `a`, k block `k0 ..< k0 + depth`, into 6-row panels, each
/// keeping only its steps with a nonzero value: panel q's steps go to
/// `destination + q · panelStride · 6` (six values per step, zero-padded past the last row),
/// their offsets in the block (0 ..< depth) to `steps + q · panelStride`, and their number to
/// `counts[q · countStride]`.
@inline(__always)
func packLeftSkippingZeros(_ a: MatrixOperand, rows i0: Int, count rows: Int, depth k0: Int, _ depth: Int,
                           into destination: UnsafeMutablePointer<Float>, steps: UnsafeMutablePointer<Int32>,
                           panelStride: Int, counts: UnsafeMutablePointer<Int32>, countStride: Int) {
    let mr = GEMMBlocking.mr
    let panels = (rows + mr - 1) / mr
    let lda = a.leadingDimension
    @inline(__always) func value(_ row: Int, _ k: Int) -> Float {
        a.transposed ? a.base[(k0 + k) * lda + row] : a.base[(row) * lda + k0 + k]
    }
    for panel in 0 ..< panels {
        let out = destination + panel * panelStride * mr, list = steps + panel * panelStride
        let r0 = i0 + panel * mr, height = min(mr, i0 + rows - r0)
        var count = 0
        for k in 0 ..< depth {
            // The step's values are written at the next free place and kept only if one of
            // them is nonzero (a NaN counts as nonzero).
            var nonzero = false
            for r in 0 ..< height {
                let v = value(r0 + r, k)
                out[count * mr + r] = v
                nonzero = nonzero || v != 0
            }
            for r in height ..< mr { out[count * mr + r] = 0 }
            if nonzero {
                list[count] = Int32(truncatingIfNeeded: k)
                count += 1
            }
        }
        counts[panel * countStride] = Int32(truncatingIfNeeded: count)
    }
}

/// The register tile over the listed steps only: C[0..<6, 0..<16] = β·C + Σₜ a[t, 0..<6] ⊗
/// b[steps[t], 0..<16]. `a` holds six values per listed step (as ``packLeftSkippingZeros``
/// writes them) and `b` is a packed 16-column sliver. The sum runs over the steps in their
/// order, from zero, and is then added to C, as in the dense kernel.
@inline(__always)
func microKernel(steps count: Int, a: UnsafePointer<Float>, at steps: UnsafePointer<Int32>, b: UnsafePointer<Float>,
                 c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, beta: Float) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
    let bv = UnsafeRawPointer(b).assumingMemoryBound(to: SIMD8<Float>.self)
    var a = a
    for t in 0 ..< count {
        let k = Int(steps[t])
        let b0 = bv[2 &* k], b1 = bv[2 &* k &+ 1]
        var s = SIMD8<Float>(repeating: a[0])
        c00.addProduct(s, b0); c01.addProduct(s, b1)
        s = SIMD8<Float>(repeating: a[1])
        c10.addProduct(s, b0); c11.addProduct(s, b1)
        s = SIMD8<Float>(repeating: a[2])
        c20.addProduct(s, b0); c21.addProduct(s, b1)
        s = SIMD8<Float>(repeating: a[3])
        c30.addProduct(s, b0); c31.addProduct(s, b1)
        s = SIMD8<Float>(repeating: a[4])
        c40.addProduct(s, b0); c41.addProduct(s, b1)
        s = SIMD8<Float>(repeating: a[5])
        c50.addProduct(s, b0); c51.addProduct(s, b1)
        a += 6
    }
    storeTile(c, ldc: ldc, rows: rows, columns: columns, beta: beta,
              (c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51))
}

/// One work item of the zero-skipping product: rows `i0 ..< i0 + rows` of C, its columns
/// `chunkStart ..< chunkEnd` of the block that starts at column `j0`, every k block in order.
/// A's rows are packed once for the item (with ``packLeftSkippingZeros``), then each
/// 16-column sliver runs every k block over every panel, as in the dense item.
@inline(__always)
func multiplyItemSkippingZeros(_ a: MatrixOperand, rows i0: Int, count rows: Int, b: UnsafePointer<Float>, panels: Int,
                               firstPanel: Int, columns j0: Int, _ columns: Int, chunk chunkStart: Int, _ chunkEnd: Int,
                               into c: MatrixDestination, beta: Float) {
    let (mr, nr) = (GEMMBlocking.mr, GEMMBlocking.nr)
    let depth = a.columns
    let rowPanels = (rows + mr - 1) / mr
    let kBlocks = GEMMBlocking.kBlocks(depth: depth)
    ScratchPool.shared.withBuffer(count: rowPanels * mr * depth) { packedA in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: rowPanels * (depth + kBlocks)) { lists in
            // Panel q's steps of block p: values at packedA + (q · depth + k0) · 6, offsets
            // at steps + q · depth + k0, count at counts[q · kBlocks + p].
            let steps = lists.baseAddress!, counts = steps + rowPanels * depth
            for p in 0 ..< kBlocks {
                let block = GEMMBlocking.kBlock(p, depth: depth)
                packLeftSkippingZeros(a, rows: i0, count: rows, depth: block.lowerBound, block.count,
                                      into: packedA + block.lowerBound * mr, steps: steps + block.lowerBound,
                                      panelStride: depth, counts: counts + p, countStride: kBlocks)
            }
            for jj in stride(from: chunkStart, to: chunkEnd, by: nr) {
                let width = min(nr, columns - jj)
                for p in 0 ..< kBlocks {
                    let k0 = GEMMBlocking.kBlock(p, depth: depth).lowerBound
                    let tileBeta = p == 0 ? beta : 1
                    let sliver = b + PackedRightOperand.offset(kBlock: p, panel: firstPanel + jj / nr, depth: depth, panels: panels)
                    let next = NextSliver(after: jj, kBlock: p, end: chunkEnd, packed: b, panels: panels, firstPanel: firstPanel, depth: depth)
                    for q in 0 ..< rowPanels {
                        let r = q * mr
                        next.prefetch(part: q, of: rowPanels)
                        microKernel(steps: Int(counts[q * kBlocks + p]), a: packedA + (q * depth + k0) * mr,
                                    at: steps + q * depth + k0, b: sliver,
                                    c: c.base + (i0 + r) * c.leadingDimension + j0 + jj, ldc: c.leadingDimension,
                                    rows: min(mr, rows - r), columns: width, beta: tileBeta)
                    }
                }
            }
        }
    }
}

