import BenchCore
import Synchronization
import Testing

@Suite struct ParallelForTests {
    @Test(arguments: [1, 2, 3, 8])
    func visitsEveryIndexExactlyOnce(threads: Int) {
        let count = 1_000
        let visits = Mutex([Int](repeating: 0, count: count))
        parallelFor(count, threads: threads) { index in visits.withLock { $0[index] += 1 } }
        #expect(visits.withLock { $0 } == [Int](repeating: 1, count: count))
    }

    @Test(arguments: [1, 2, 5])
    func mapKeepsIndexOrder(threads: Int) {
        #expect(parallelMap(257, threads: threads) { $0 * $0 } == (0 ..< 257).map { $0 * $0 })
    }

    @Test func handlesEmptyAndSingleWork() {
        #expect(parallelMap(0, threads: 4) { $0 }.isEmpty)
        #expect(parallelMap(1, threads: 4) { $0 + 1 } == [1])
    }
}
