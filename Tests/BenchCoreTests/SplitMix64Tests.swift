import BenchCore
import Testing

@Suite struct SplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        // First outputs of Vigna's reference splitmix64.c seeded with 0 and with 1234567.
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
        #expect(zero.next() == 0x6E78_9E6A_A1B9_65F4)
        var other = SplitMix64(seed: 1_234_567)
        #expect(other.next() == 6_457_827_717_110_365_317)
        #expect(other.next() == 3_203_168_211_198_807_973)
    }

    @Test func streamsAreReproducibleAndDistinct() {
        var a = SplitMix64(seed: 42, stream: 3), b = SplitMix64(seed: 42, stream: 3), c = SplitMix64(seed: 42, stream: 4)
        let first = (0 ..< 8).map { _ in a.next() }
        #expect(first == (0 ..< 8).map { _ in b.next() })
        #expect(first != (0 ..< 8).map { _ in c.next() })
        #expect(SplitMix64.derive(1, 2) == SplitMix64.derive(1, 2))
        #expect(SplitMix64.derive(1, 2) != SplitMix64.derive(2, 1))
    }

    @Test func uniformFloatsStayInTheUnitInterval() {
        var generator = SplitMix64(seed: 9)
        var sum = 0.0
        for _ in 0 ..< 100_000 {
            let u = generator.nextUnitFloat()
            #expect(u >= 0 && u < 1)
            sum += Double(u)
        }
        #expect(abs(sum / 100_000 - 0.5) < 0.01)
    }

    @Test func gaussiansHaveUnitVariance() {
        var generator = SplitMix64(seed: 5)
        let samples = (0 ..< 200_000).map { _ in generator.nextGaussian() }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples.count)
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.02)
    }
}
