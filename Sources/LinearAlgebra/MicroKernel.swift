/// The register tile: C[0..<6, 0..<16] = β·C + Σₖ a[k, 0..<6] ⊗ b[k, 0..<16] over `depth` values
/// of k (β = 0 writes C without reading it, so old NaNs do not survive).
///
/// `a` is a 6-row panel: row i's value at step k is `a[i · rowStride + k · depthStride]`, so
/// the same kernel reads a packed panel (1, 6), a row-major A where it lies (lda, 1) and a
/// transposed one (1, lda). `b` is a packed 16-column sliver (two vectors per k). Twelve `SIMD8<Float>` accumulators hold the tile for the whole loop, so every
/// iteration is 2 vector loads, 6 broadcasts and 12 fused multiply-adds. The sum over k runs
/// in order from zero and is then added to C, so its value does not depend on how C was tiled.
/// `rows` and `columns` (at most 6 and 16) say how much of the tile is inside C.
@inline(__always)
func microKernel(depth: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int, b: UnsafePointer<Float>,
                 c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, beta: Float) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
    let bv = UnsafeRawPointer(b).assumingMemoryBound(to: SIMD8<Float>.self)
    // Callers pass the strides as literals where they can, so that inlining specialises the
    // loop (the packed case compiles to six loads at constant offsets).
    let (a0, a1, a2) = (a, a + rowStride, a + 2 &* rowStride)
    let (a3, a4, a5) = (a + 3 &* rowStride, a + 4 &* rowStride, a + 5 &* rowStride)
    var offset = 0
    for k in 0 ..< depth {
        let b0 = bv[2 * k], b1 = bv[2 * k + 1]
        var s = SIMD8<Float>(repeating: a0[offset])
        c00.addProduct(s, b0); c01.addProduct(s, b1)
        s = SIMD8<Float>(repeating: a1[offset])
        c10.addProduct(s, b0); c11.addProduct(s, b1)
        s = SIMD8<Float>(repeating: a2[offset])
        c20.addProduct(s, b0); c21.addProduct(s, b1)
        s = SIMD8<Float>(repeating: a3[offset])
        c30.addProduct(s, b0); c31.addProduct(s, b1)
        s = SIMD8<Float>(repeating: a4[offset])
        c40.addProduct(s, b0); c41.addProduct(s, b1)
        s = SIMD8<Float>(repeating: a5[offset])
        c50.addProduct(s, b0); c51.addProduct(s, b1)
        offset &+= depthStride
    }
    storeTile(c, ldc: ldc, rows: rows, columns: columns, beta: beta,
              (c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51))
}

/// Writes a 6 × 16 register tile (row r in elements 2r and 2r + 1) to C as β·C + tile, only
/// the `rows × columns` part that is inside C.
@inline(__always)
func storeTile(_ c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, beta: Float,
               _ t: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
                     SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)) {
    if rows == 6 && columns == 16 {
        update(c, t.0, t.1, beta); update(c + ldc, t.2, t.3, beta); update(c + 2 * ldc, t.4, t.5, beta)
        update(c + 3 * ldc, t.6, t.7, beta); update(c + 4 * ldc, t.8, t.9, beta); update(c + 5 * ldc, t.10, t.11, beta)
        return
    }
    // An edge tile: only part of it is inside C.
    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 12) { tile in
        tile[0] = t.0; tile[1] = t.1; tile[2] = t.2; tile[3] = t.3; tile[4] = t.4; tile[5] = t.5
        tile[6] = t.6; tile[7] = t.7; tile[8] = t.8; tile[9] = t.9; tile[10] = t.10; tile[11] = t.11
        for r in 0 ..< rows {
            for j in 0 ..< columns {
                let sum = tile[2 * r + j / 8][j % 8]
                c[r * ldc + j] = beta == 0 ? sum : beta * c[r * ldc + j] + sum
            }
        }
    }
}

@inline(__always)
private func update(_ c: UnsafeMutablePointer<Float>, _ low: SIMD8<Float>, _ high: SIMD8<Float>, _ beta: Float) {
    let raw = UnsafeMutableRawPointer(c)
    if beta == 0 {
        raw.storeBytes(of: low, as: SIMD8<Float>.self)
        raw.storeBytes(of: high, toByteOffset: 32, as: SIMD8<Float>.self)
    } else if beta == 1 {
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self) + low, as: SIMD8<Float>.self)
        raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) + high, toByteOffset: 32, as: SIMD8<Float>.self)
    } else {
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self) * beta + low, as: SIMD8<Float>.self)
        raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) * beta + high, toByteOffset: 32, as: SIMD8<Float>.self)
    }
}
