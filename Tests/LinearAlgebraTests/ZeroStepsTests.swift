import BenchCore
import LinearAlgebra
import Testing

/// `sgemm(…, skippingZeroSteps: true)` leaves out the steps where a 6-row panel of A is all
/// zero; with a finite B it must give the dense product's bits, except possibly the sign of a
/// zero (ZeroSteps.swift).
@Suite struct ZeroStepsTests {
    /// An m × k matrix that is mostly zero, in runs and in whole rows, like images: each value
    /// is zero with probability `zeros`, otherwise in (0, 1], or in [-1, 1] when `signed`.
    func sparse(_ m: Int, _ k: Int, zeros: Float, signed: Bool, generator: inout SplitMix64) -> [Float] {
        var values = [Float](repeating: 0, count: m * k)
        for i in 0 ..< m where generator.nextUnitFloat() > 0.1 {  // a tenth of the rows all zero
            // A lit stretch of the row, as a digit lights the middle of an image.
            let from = Int(generator.nextUnitFloat() * Float(k) / 2), to = from + Int(generator.nextUnitFloat() * Float(k - from))
            for j in from ..< to where generator.nextUnitFloat() >= zeros {
                let v = 1 - generator.nextUnitFloat()
                values[i * k + j] = signed && generator.nextUnitFloat() < 0.5 ? -v : v
            }
        }
        return values
    }

    /// The product with and without skipping, on the same packed B and the same starting C.
    /// With `transposedA`, `a` is stored k × m and used transposed.
    func both(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, columns: Range<Int>, beta: Float, threads: Int,
              start: [Float], transposedA: Bool = false) -> (dense: [Float], skipping: [Float]) {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let packed = PackedRightOperand(MatrixOperand(pb.baseAddress!, rows: k, columns: n))
                let opA = MatrixOperand(pa.baseAddress!, rows: m, columns: k, transposed: transposedA)
                var dense = start, skipping = start
                for (skip, result) in [(false, 0), (true, 1)] {
                    var c = result == 0 ? dense : skipping
                    c.withUnsafeMutableBufferPointer { pc in
                        sgemm(opA, packed, columns: columns, into: MatrixDestination(pc.baseAddress!, rows: m, columns: columns.count),
                              beta: beta, threads: threads, skippingZeroSteps: skip)
                    }
                    if result == 0 { dense = c } else { skipping = c }
                }
                return (dense, skipping)
            }
        }
    }

    @Test(arguments: [(1, 3), (5, 17), (7, 240), (13, 257), (64, 784), (121, 290)])
    func nonnegativeOperandsGiveTheDenseProductsBits(m: Int, k: Int) {
        var generator = SplitMix64(seed: UInt64(m * 1000 + k))
        let n = 100
        let a = sparse(m, k, zeros: 0.7, signed: false, generator: &generator)
        let b = (0 ..< k * n).map { _ in generator.nextUnitFloat() }
        for (columns, beta, threads) in [(0 ..< n, Float(0), 1), (16 ..< 100, 1, 2), (32 ..< 48, 0.5, 2)] {
            let start = (0 ..< m * columns.count).map { _ in generator.nextUnitFloat() }
            let (dense, skipping) = both(a, b, m: m, n: n, k: k, columns: columns, beta: beta, threads: threads, start: start)
            let differing = zip(dense, skipping).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "m \(m) k \(k) columns \(columns) beta \(beta): \(differing) values differ")
        }
    }

    /// Column blocks past the first (2,048 columns each) and column ranges that start inside
    /// B, on two threads; and A read transposed (stored k × m), which packs it by columns.
    @Test func wideProductsAndTransposedAGiveTheDenseProductsBits() {
        var generator = SplitMix64(seed: 11)
        let (m, n, k) = (20, 2_200, 300)
        let a = sparse(m, k, zeros: 0.6, signed: false, generator: &generator)
        let stored = (0 ..< k * m).map { a[($0 % m) * k + $0 / m] }  // stored[kk · m + i] = a[i · k + kk]
        let b = (0 ..< k * n).map { _ in generator.nextUnitFloat() }
        for columns in [0 ..< n, 16 ..< n, 2_048 ..< n] {
            let start = [Float](repeating: .nan, count: m * columns.count)
            let (dense, skipping) = both(a, b, m: m, n: n, k: k, columns: columns, beta: 0, threads: 2, start: start)
            let (_, transposed) = both(stored, b, m: m, n: n, k: k, columns: columns, beta: 0, threads: 2, start: start,
                                       transposedA: true)
            for (name, result) in [("skipping", skipping), ("transposed A, skipping", transposed)] {
                let differing = zip(dense, result).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differing == 0, "columns \(columns), \(name): \(differing) values differ")
            }
        }
    }

    @Test func signedOperandsDifferAtMostInTheSignOfAZero() {
        var generator = SplitMix64(seed: 5)
        let (m, n, k) = (50, 64, 600)
        let a = sparse(m, k, zeros: 0.8, signed: true, generator: &generator)
        let b = (0 ..< k * n).map { _ in 2 * generator.nextUnitFloat() - 1 }
        let (dense, skipping) = both(a, b, m: m, n: n, k: k, columns: 0 ..< n, beta: 0, threads: 2,
                                     start: [Float](repeating: .nan, count: m * n))
        for (x, y) in zip(dense, skipping) {
            // Equal as numbers (+0 == −0), and bit for bit unless zero.
            #expect(x == y && (x == 0 || x.bitPattern == y.bitPattern), "\(x) against \(y)")
        }
        // Rows that are all zero, with β = 0 over a NaN start, give zeros either way.
        #expect(zip(dense, skipping).allSatisfy { !$0.isNaN && !$1.isNaN })
        #expect(dense.contains(0))
    }

    @Test func aNaNInAIsAStepKept() {
        let (m, n, k) = (6, 16, 10)
        var a = [Float](repeating: 0, count: m * k)
        a[2 * k + 7] = .nan
        let b = (0 ..< k * n).map { Float($0 % 7) + 1 }
        let (dense, skipping) = both(a, b, m: m, n: n, k: k, columns: 0 ..< n, beta: 0, threads: 1,
                                     start: [Float](repeating: 0, count: m * n))
        #expect(dense[2 * n ..< 3 * n].allSatisfy(\.isNaN) && skipping[2 * n ..< 3 * n].allSatisfy(\.isNaN))
        var others = Array(0 ..< m * n)
        others.removeSubrange(2 * n ..< 3 * n)
        #expect(others.allSatisfy { dense[$0].bitPattern == skipping[$0].bitPattern })
    }
}
