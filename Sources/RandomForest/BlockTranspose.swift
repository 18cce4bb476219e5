/// Copies the pixels of `count` images into a feature-major block:
/// `block[f * count + k] = images[rows[k] * featureCount + f]`.
///
/// The copy moves 8 × 8 tiles: eight 8-byte loads (eight pixels of eight images), a transpose
/// in registers, eight 8-byte stores (eight images of eight pixels); four tiles side by side
/// in the lanes of `SIMD4<UInt64>` where 32 pixels remain. Byte-by-byte copying would
/// scatter each image's 784 pixels over 784 cache lines, one store at a time; this is several
/// times faster. It is the one cost the node-local blocks of ``ByteSplitSearch`` add, and it
/// is bound by the memory latency of reading the images' rows.
/// - Complexity: O(count · featureCount).
func copyFeatureMajor(images: UnsafePointer<UInt8>, featureCount: Int, rows: UnsafePointer<Int32>, count: Int,
                      into block: UnsafeMutablePointer<UInt8>) {
    let d = featureCount
    let fullImages = count & ~7, fullFeatures = d & ~7, wideFeatures = d & ~31
    let destination = UnsafeMutableRawPointer(block)
    for k0 in Swift.stride(from: 0, to: fullImages, by: 8) {
        let source = rowPointers(images, d, rows + k0)
        var f0 = 0
        // Four 8 × 8 tiles at once: lane l holds pixels f0 + 8l ..< f0 + 8l + 8.
        while f0 < wideFeatures {
            var r0 = source.0.loadUnaligned(fromByteOffset: f0, as: SIMD4<UInt64>.self)
            var r1 = source.1.loadUnaligned(fromByteOffset: f0, as: SIMD4<UInt64>.self)
            var r2 = source.2.loadUnaligned(fromByteOffset: f0, as: SIMD4<UInt64>.self)
            var r3 = source.3.loadUnaligned(fromByteOffset: f0, as: SIMD4<UInt64>.self)
            var r4 = source.4.loadUnaligned(fromByteOffset: f0, as: SIMD4<UInt64>.self)
            var r5 = source.5.loadUnaligned(fromByteOffset: f0, as: SIMD4<UInt64>.self)
            var r6 = source.6.loadUnaligned(fromByteOffset: f0, as: SIMD4<UInt64>.self)
            var r7 = source.7.loadUnaligned(fromByteOffset: f0, as: SIMD4<UInt64>.self)
            transpose8x8(&r0, &r1, &r2, &r3, &r4, &r5, &r6, &r7)
            for lane in 0 ..< 4 {
                store(r0[lane], r1[lane], r2[lane], r3[lane], r4[lane], r5[lane], r6[lane], r7[lane],
                      to: destination + (f0 + 8 * lane) * count + k0, stride: count)
            }
            f0 += 32
        }
        while f0 < fullFeatures {
            var r0 = source.0.loadUnaligned(fromByteOffset: f0, as: UInt64.self)
            var r1 = source.1.loadUnaligned(fromByteOffset: f0, as: UInt64.self)
            var r2 = source.2.loadUnaligned(fromByteOffset: f0, as: UInt64.self)
            var r3 = source.3.loadUnaligned(fromByteOffset: f0, as: UInt64.self)
            var r4 = source.4.loadUnaligned(fromByteOffset: f0, as: UInt64.self)
            var r5 = source.5.loadUnaligned(fromByteOffset: f0, as: UInt64.self)
            var r6 = source.6.loadUnaligned(fromByteOffset: f0, as: UInt64.self)
            var r7 = source.7.loadUnaligned(fromByteOffset: f0, as: UInt64.self)
            transpose8x8(&r0, &r1, &r2, &r3, &r4, &r5, &r6, &r7)
            store(r0, r1, r2, r3, r4, r5, r6, r7, to: destination + f0 * count + k0, stride: count)
            f0 += 8
        }
        for f in fullFeatures ..< d {
            for k in k0 ..< k0 + 8 { block[f * count + k] = images[Int(rows[k]) * d + f] }
        }
    }
    for k in fullImages ..< count {
        let source = images + Int(rows[k]) * d
        for f in 0 ..< d { block[f * count + k] = source[f] }
    }
}

/// The first pixels of the eight images `rows[0 ..< 8]`.
@inline(__always)
private func rowPointers(_ images: UnsafePointer<UInt8>, _ d: Int, _ rows: UnsafePointer<Int32>)
    -> (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer,
        UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer) {
    (UnsafeRawPointer(images + Int(rows[0]) * d), UnsafeRawPointer(images + Int(rows[1]) * d),
     UnsafeRawPointer(images + Int(rows[2]) * d), UnsafeRawPointer(images + Int(rows[3]) * d),
     UnsafeRawPointer(images + Int(rows[4]) * d), UnsafeRawPointer(images + Int(rows[5]) * d),
     UnsafeRawPointer(images + Int(rows[6]) * d), UnsafeRawPointer(images + Int(rows[7]) * d))
}

/// Stores eight 8-byte column pieces, `stride` bytes apart.
@inline(__always)
private func store(_ c0: UInt64, _ c1: UInt64, _ c2: UInt64, _ c3: UInt64, _ c4: UInt64, _ c5: UInt64, _ c6: UInt64,
                   _ c7: UInt64, to out: UnsafeMutableRawPointer, stride: Int) {
    out.storeBytes(of: c0, toByteOffset: 0, as: UInt64.self)
    out.storeBytes(of: c1, toByteOffset: stride, as: UInt64.self)
    out.storeBytes(of: c2, toByteOffset: 2 * stride, as: UInt64.self)
    out.storeBytes(of: c3, toByteOffset: 3 * stride, as: UInt64.self)
    out.storeBytes(of: c4, toByteOffset: 4 * stride, as: UInt64.self)
    out.storeBytes(of: c5, toByteOffset: 5 * stride, as: UInt64.self)
    out.storeBytes(of: c6, toByteOffset: 6 * stride, as: UInt64.self)
    out.storeBytes(of: c7, toByteOffset: 7 * stride, as: UInt64.self)
}

/// Transposes an 8 × 8 byte matrix held as eight little-endian rows (byte j of `r_i` is
/// element (i, j)): afterwards byte i of `r_j` is element (i, j). Three rounds swap 1-, 2- and
/// 4-byte blocks between row pairs (the recursive transpose of Warren, *Hacker's Delight*, §7-3).
/// On vectors, each lane holds its own matrix.
@inline(__always)
func transpose8x8<Rows: TransposableRows>(_ r0: inout Rows, _ r1: inout Rows, _ r2: inout Rows, _ r3: inout Rows,
                                          _ r4: inout Rows, _ r5: inout Rows, _ r6: inout Rows, _ r7: inout Rows) {
    @inline(__always)
    func exchange(_ a: inout Rows, _ b: inout Rows, _ shift: UInt64, _ mask: UInt64) {
        let t = a.shiftedRight(shift).xor(b).and(mask)
        b = b.xor(t)
        a = a.xor(t.shiftedLeft(shift))
    }
    exchange(&r0, &r1, 8, 0x00FF_00FF_00FF_00FF)
    exchange(&r2, &r3, 8, 0x00FF_00FF_00FF_00FF)
    exchange(&r4, &r5, 8, 0x00FF_00FF_00FF_00FF)
    exchange(&r6, &r7, 8, 0x00FF_00FF_00FF_00FF)
    exchange(&r0, &r2, 16, 0x0000_FFFF_0000_FFFF)
    exchange(&r1, &r3, 16, 0x0000_FFFF_0000_FFFF)
    exchange(&r4, &r6, 16, 0x0000_FFFF_0000_FFFF)
    exchange(&r5, &r7, 16, 0x0000_FFFF_0000_FFFF)
    exchange(&r0, &r4, 32, 0x0000_0000_FFFF_FFFF)
    exchange(&r1, &r5, 32, 0x0000_0000_FFFF_FFFF)
    exchange(&r2, &r6, 32, 0x0000_0000_FFFF_FFFF)
    exchange(&r3, &r7, 32, 0x0000_0000_FFFF_FFFF)
}

/// Eight bytes of a row (`UInt64`), or several rows' worth side by side (`SIMD4<UInt64>`).
protocol TransposableRows {
    func shiftedRight(_ bits: UInt64) -> Self
    func shiftedLeft(_ bits: UInt64) -> Self
    func xor(_ other: Self) -> Self
    func and(_ mask: UInt64) -> Self
}

extension UInt64: TransposableRows {
    @inline(__always) func shiftedRight(_ bits: UInt64) -> UInt64 { self >> bits }
    @inline(__always) func shiftedLeft(_ bits: UInt64) -> UInt64 { self << bits }
    @inline(__always) func xor(_ other: UInt64) -> UInt64 { self ^ other }
    @inline(__always) func and(_ mask: UInt64) -> UInt64 { self & mask }
}

extension SIMD4: TransposableRows where Scalar == UInt64 {
    @inline(__always) func shiftedRight(_ bits: UInt64) -> SIMD4<UInt64> { self &>> bits }
    @inline(__always) func shiftedLeft(_ bits: UInt64) -> SIMD4<UInt64> { self &<< bits }
    @inline(__always) func xor(_ other: SIMD4<UInt64>) -> SIMD4<UInt64> { self ^ other }
    @inline(__always) func and(_ mask: UInt64) -> SIMD4<UInt64> { self & mask }
}
