import BenchCore
import Foundation
import Synchronization
import Testing

@Suite struct ThreadTeamTests {
    /// Many loops in a row on one team, of every small size and some large: each index once.
    @Test(arguments: [1, 2, 3])
    func everyLoopVisitsEveryIndexExactlyOnce(threads: Int) {
        let team = ThreadTeam(threads: threads)
        defer { team.stop() }
        for loop in 0 ..< 2_000 {
            let count = loop % 7 == 0 ? 300 : loop % 5
            let visits = Mutex([Int](repeating: 0, count: count))
            team.parallelFor(count) { index in visits.withLock { $0[index] += 1 } }
            #expect(visits.withLock { $0 } == [Int](repeating: 1, count: count), "loop \(loop)")
        }
        #expect(team.parallelMap(257) { $0 * $0 } == (0 ..< 257).map { $0 * $0 })
        #expect(team.parallelMap(0) { $0 }.isEmpty)
    }

    /// Every loop gets the whole team: item 0 waits until item 1 has run, which only another
    /// thread can do while the caller is in item 0 (on one thread the wait would run out).
    @Test func eachLoopRunsOnAllOfItsThreads() {
        let team = ThreadTeam(threads: 2)
        defer { team.stop() }
        let timedOut = Atomic<Int>(0)
        for _ in 0 ..< 200 where timedOut.load(ordering: .relaxed) == 0 {
            let other = Atomic<Bool>(false)
            team.parallelFor(2) { index in
                if index == 1 { other.store(true, ordering: .releasing); return }
                let deadline = Date().addingTimeInterval(2)
                while !other.load(ordering: .acquiring) {
                    if Date() > deadline { timedOut.add(1, ordering: .relaxed); return }
                }
            }
        }
        #expect(timedOut.load(ordering: .relaxed) == 0)
    }

    /// `threads: 1` keeps a loop on the caller; `stop()` twice is harmless.
    @Test func oneThreadLoopsStayOnTheCaller() {
        let team = ThreadTeam(threads: 3)
        let caller = pthread_self()
        let elsewhere = Atomic<Int>(0)
        team.parallelFor(50, threads: 1) { _ in
            if pthread_equal(pthread_self(), caller) == 0 { elsewhere.add(1, ordering: .relaxed) }
        }
        #expect(elsewhere.load(ordering: .relaxed) == 0)
        team.stop()
        team.stop()
    }
}
