import BenchCore
import KernelSVM
import Testing

/// The solver's vector scans against their plain loops, bit for bit: on residuals drawn from
/// a few values (so that ties are common and must go to the first sample), with sets that are
/// empty, full or mixed, and lengths that leave every remainder of 8.
@Suite struct SMOScansTests {
    struct Case {
        var residual: [Double]
        var upMask: [Double]
        var lowMask: [Double]
        var diagonal: [Float]
        var rowI: [Float]
        var rowJ: [Float]
    }

    /// `membership`: 0 mixed, 1 nobody in either set, 2 everybody in both.
    func makeCase(count: Int, membership: Int, seed: UInt64) -> Case {
        var generator = SplitMix64(seed: seed)
        func member() -> Bool { membership == 2 || (membership == 0 && generator.next() % 3 != 0) }
        let residual = (0 ..< count).map { _ in [-1.5, -0.0, 0.0, 0.25, 0.75, 1.0][Int(generator.next() % 6)] }
        let upMask = (0 ..< count).map { _ in member() ? 0 : -Double.infinity }
        let lowMask = (0 ..< count).map { _ in member() ? 0 : Double.infinity }
        // K_tt = 1 as for RBF; K_it from a few values, so that some a = 2 − 2K_it are 0 (τ).
        let diagonal = [Float](repeating: 1, count: count)
        let rowI = (0 ..< count).map { _ in [Float(1), 0.5, 0.25, 0.125][Int(generator.next() % 4)] }
        let rowJ = (0 ..< count).map { _ in 2 * generator.nextUnitFloat() - 1 }
        return Case(residual: residual, upMask: upMask, lowMask: lowMask, diagonal: diagonal, rowI: rowI, rowJ: rowJ)
    }

    static let counts = [0, 1, 7, 8, 9, 15, 16, 17, 64, 203]

    @Test(arguments: counts)
    func largestResidualIsThePlainLoops(count: Int) {
        for membership in 0 ..< 3 {
            for seed in UInt64(1) ... 5 {
                let c = makeCase(count: count, membership: membership, seed: seed)
                c.residual.withUnsafeBufferPointer { r in
                    c.upMask.withUnsafeBufferPointer { up in
                        #expect(SMOScans.largestResidual(r, upMask: up) == SMOScans.largestResidualReference(r, upMask: up),
                                "count \(count), membership \(membership), seed \(seed)")
                    }
                }
            }
        }
    }

    @Test(arguments: counts)
    func partnerIsThePlainLoops(count: Int) {
        for membership in 0 ..< 3 {
            for seed in UInt64(1) ... 5 {
                let c = makeCase(count: count, membership: membership, seed: seed)
                for rMax in [-2.0, 0.0, 0.5, 1.0, 3.0] {
                    let (fast, plain) = c.residual.withUnsafeBufferPointer { r in
                        c.lowMask.withUnsafeBufferPointer { low in
                            c.diagonal.withUnsafeBufferPointer { d in
                                c.rowI.withUnsafeBufferPointer { row in
                                    (SMOScans.partner(rMax: rMax, kii: 1, tau: SMOSolver.tau, residual: r, lowMask: low,
                                                      diagonal: d.baseAddress!, row: row.baseAddress!),
                                     SMOScans.partnerReference(rMax: rMax, kii: 1, tau: SMOSolver.tau, residual: r, lowMask: low,
                                                               diagonal: d.baseAddress!, row: row.baseAddress!))
                                }
                            }
                        }
                    }
                    // rMin as a number: a zero's sign may differ (documented in SMOScans).
                    #expect(fast.j == plain.j && fast.rMin == plain.rMin,
                            "count \(count), membership \(membership), seed \(seed), rMax \(rMax): \(fast) against \(plain)")
                }
            }
        }
    }

    @Test(arguments: counts)
    func updateIsThePlainLoops(count: Int) {
        for membership in 0 ..< 3 {
            for seed in UInt64(1) ... 5 {
                let c = makeCase(count: count, membership: membership, seed: seed)
                for step in [0.0, 0.3, -1.7] {
                    var fast = c.residual, plain = c.residual
                    let (i, iPlain) = c.rowI.withUnsafeBufferPointer { rowI in
                        c.rowJ.withUnsafeBufferPointer { rowJ in
                            c.upMask.withUnsafeBufferPointer { up in
                                (fast.withUnsafeMutableBufferPointer {
                                    SMOScans.update($0, step: step, rowI: rowI.baseAddress!, rowJ: rowJ.baseAddress!, upMask: up)
                                },
                                 plain.withUnsafeMutableBufferPointer {
                                    SMOScans.updateReference($0, step: step, rowI: rowI.baseAddress!, rowJ: rowJ.baseAddress!, upMask: up)
                                })
                            }
                        }
                    }
                    #expect(i == iPlain, "count \(count), membership \(membership), seed \(seed), step \(step)")
                    #expect(fast.map(\.bitPattern) == plain.map(\.bitPattern), "count \(count), membership \(membership), seed \(seed), step \(step)")
                }
            }
        }
    }
}
