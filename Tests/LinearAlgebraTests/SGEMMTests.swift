import BenchCore
import LinearAlgebra
import Testing

@Suite struct SGEMMTests {
    /// Fills a buffer with values in [-1, 1) from `seed`.
    func random(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0 ..< count).map { _ in 2 * generator.nextUnitFloat() - 1 }
    }

    /// Runs the fast and the reference GEMM on the same random operands and compares them.
    func compare(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, alpha: Float = 1, beta: Float = 0,
                 threads: Int = 2, seed: UInt64 = 1, sourceLocation: SourceLocation = #_sourceLocation) {
        let a = random(m * k, seed: seed), b = random(k * n, seed: seed + 1), c0 = random(m * n, seed: seed + 2)
        var fast = c0, slow = c0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let opA = MatrixOperand(pa.baseAddress!, rows: m, columns: k, transposed: transposeA)
                let opB = MatrixOperand(pb.baseAddress!, rows: k, columns: n, transposed: transposeB)
                fast.withUnsafeMutableBufferPointer { pc in
                    sgemm(opA, opB, into: MatrixDestination(pc.baseAddress!, rows: m, columns: n), alpha: alpha, beta: beta, threads: threads)
                }
                slow.withUnsafeMutableBufferPointer { pc in
                    referenceGEMM(opA, opB, into: MatrixDestination(pc.baseAddress!, rows: m, columns: n), alpha: alpha, beta: beta)
                }
            }
        }
        let worst = zip(fast, slow).map { abs($0 - $1) }.max() ?? 0
        // Sums of k products of magnitude < 1, in a different order: error grows like √k · ε.
        #expect(worst <= 1e-5 * Float(k).squareRoot() * 4 + 1e-6,
                "m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB): off by \(worst)", sourceLocation: sourceLocation)
    }

    @Test(arguments: [1, 7, 17, 63])
    func awkwardShapesMatchTheReference(size: Int) {
        for (m, n, k) in [(size, size, size), (size, 1, size), (1, size, 7), (size, 33, 300), (6, 16, size), (size, 100, 257)] {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    compare(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
                }
            }
        }
    }

    @Test func largeAndNonMultipleShapesMatchTheReference() {
        compare(m: 1000, n: 130, k: 600, transposeA: false, transposeB: true)
        compare(m: 145, n: 2100, k: 520, transposeA: true, transposeB: false, threads: 3)
        // Narrow C: A read where it lies (transposed and not), three unequal k blocks, β = 1,
        // and a last partial panel of A (100 = 16 · 6 + 4 rows) packed.
        compare(m: 100, n: 64, k: 800, transposeA: true, transposeB: false, beta: 1, threads: 2)
        compare(m: 100, n: 64, k: 800, transposeA: false, transposeB: true, beta: 1)
    }

    @Test func alphaAndBetaScaleAsDocumented() {
        compare(m: 20, n: 37, k: 50, transposeA: false, transposeB: false, alpha: -0.5, beta: 0.25)
        compare(m: 20, n: 37, k: 50, transposeA: true, transposeB: true, alpha: 2, beta: 1)
    }

    @Test func resultsDoNotDependOnThreads() {
        let (m, n, k) = (301, 2500, 700)
        let a = random(m * k, seed: 5), b = random(k * n, seed: 6)
        var results: [[Float]] = []
        for threads in [1, 2, 3, 8] {
            var c = [Float](repeating: 0, count: m * n)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        sgemm(MatrixOperand(pa.baseAddress!, rows: m, columns: k), MatrixOperand(pb.baseAddress!, rows: k, columns: n),
                              into: MatrixDestination(pc.baseAddress!, rows: m, columns: n), threads: threads)
                    }
                }
            }
            results.append(c)
        }
        #expect(results.dropFirst().allSatisfy { $0 == results[0] })
    }

    /// From 4,096 columns per thread, each thread packs and multiplies column blocks of its own
    /// (`multiplyColumnBlocksApart`): the same bits as one thread, and the reference's values,
    /// with a ragged last panel, two k blocks, transposed operands, α and β.
    @Test func wideProductsSplitBetweenThreadsMatchOneThread() {
        let (m, n, k) = (40, 8_400, 300)
        compare(m: m, n: n, k: k, transposeA: false, transposeB: false, threads: 2)
        compare(m: m, n: n, k: k, transposeA: true, transposeB: true, alpha: -0.5, beta: 0.25, threads: 2)
        compare(m: 13, n: 12_290, k: 70, transposeA: false, transposeB: true, beta: 1, threads: 3)
        let a = random(m * k, seed: 7), b = random(k * n, seed: 8), c0 = random(m * n, seed: 9)
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            var c = c0
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        sgemm(MatrixOperand(pa.baseAddress!, rows: m, columns: k), MatrixOperand(pb.baseAddress!, rows: k, columns: n),
                              into: MatrixDestination(pc.baseAddress!, rows: m, columns: n), beta: 0.5, threads: threads)
                    }
                }
            }
            results.append(c)
        }
        #expect(results.dropFirst().allSatisfy { $0 == results[0] })
        // B packed beforehand: column ranges wide enough to be shared out, starting past 0.
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let opA = MatrixOperand(pa.baseAddress!, rows: m, columns: k)
                let packed = PackedRightOperand(MatrixOperand(pb.baseAddress!, rows: k, columns: n))
                for range in [0 ..< n, 16 ..< n, 4_096 ..< 4_200] {
                    var part = [Float](repeating: 0, count: m * range.count)
                    for i in 0 ..< m {
                        for j in range { part[i * range.count + j - range.lowerBound] = c0[i * n + j] }
                    }
                    part.withUnsafeMutableBufferPointer { pc in
                        sgemm(opA, packed, columns: range, into: MatrixDestination(pc.baseAddress!, rows: m, columns: range.count),
                              beta: 0.5, threads: 2)
                    }
                    for i in 0 ..< m {
                        #expect(Array(part[i * range.count ..< (i + 1) * range.count])
                                    == Array(results[0][i * n + range.lowerBound ..< i * n + range.upperBound]), "row \(i), columns \(range)")
                    }
                }
            }
        }
    }

    @Test func emptyDepthGivesBetaTimesC() {
        var c: [Float] = [1, 2, 3, 4]
        let empty: [Float] = [0]
        empty.withUnsafeBufferPointer { p in
            c.withUnsafeMutableBufferPointer { pc in
                sgemm(MatrixOperand(p.baseAddress!, rows: 2, columns: 0), MatrixOperand(p.baseAddress!, rows: 0, columns: 2),
                      into: MatrixDestination(pc.baseAddress!, rows: 2, columns: 2), beta: 0.5)
            }
        }
        #expect(c == [0.5, 1, 1.5, 2])
    }
}

@Suite struct PackedOperandTests {
    @Test func prepackedOperandGivesTheSameBitsOnAnyColumnRange() {
        var generator = SplitMix64(seed: 9)
        let (m, n, k) = (37, 300, 290)
        let a = (0 ..< m * k).map { _ in generator.nextUnitFloat() }
        let stored = (0 ..< n * k).map { _ in generator.nextUnitFloat() }  // n × k: B is its transpose
        a.withUnsafeBufferPointer { pa in
            stored.withUnsafeBufferPointer { ps in
                let opA = MatrixOperand(pa.baseAddress!, rows: m, columns: k)
                let opB = MatrixOperand(ps.baseAddress!, rows: k, columns: n, transposed: true)
                var direct = [Float](repeating: 0, count: m * n)
                direct.withUnsafeMutableBufferPointer { pc in
                    sgemm(opA, opB, into: MatrixDestination(pc.baseAddress!, rows: m, columns: n), threads: 2)
                }
                let packed = PackedRightOperand(opB, threads: 2)
                for range in [0 ..< n, 16 ..< 300, 32 ..< 33, 288 ..< 300] {
                    var part = [Float](repeating: -1, count: m * range.count)
                    part.withUnsafeMutableBufferPointer { pc in
                        sgemm(opA, packed, columns: range, into: MatrixDestination(pc.baseAddress!, rows: m, columns: range.count))
                    }
                    for i in 0 ..< m {
                        #expect(Array(part[i * range.count ..< (i + 1) * range.count]) == Array(direct[i * n + range.lowerBound ..< i * n + range.upperBound]),
                                "row \(i), columns \(range)")
                    }
                }
            }
        }
    }
}
