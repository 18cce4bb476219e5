import BenchCore
import Foundation
import Testing

@Suite struct VectorMathTests {
    @Test func exponentialMatchesTheCLibraryAcrossItsRange() {
        var worst: Float = 0
        var x: Float = -87
        while x < 87.7 {
            var v = SIMD16<Float>()
            for lane in 0 ..< 16 { v[lane] = x + Float(lane) * 0.0137 }
            let fast = exponential(v)
            for lane in 0 ..< 16 {
                let exact = Foundation.exp(Double(v[lane]))
                worst = max(worst, Float(abs(Double(fast[lane]) - exact) / exact))
            }
            x += 0.173
        }
        #expect(worst < 3e-7, "largest relative error \(worst)")
    }

    @Test func exponentialClampsInsteadOfOverflowing() {
        let v = exponential(SIMD8<Float>(-1000, -100, -87.3, 0, 1, 88, 100, 1000))
        #expect(v[0] > 0 && v[0] < 1e-38 && v[1] == v[0])
        #expect(abs(v[2] / Float(Foundation.exp(Double(Float(-87.3)))) - 1) < 1e-6)
        #expect(v[3] == 1)
        #expect(abs(v[4] - Float(M_E)) < 1e-6)
        #expect(abs(v[5] / Float(Foundation.exp(88.0)) - 1) < 1e-6)
        #expect(v[6].isFinite && v[6] > 1e38 && v[7] == v[6])
    }

    @Test func everyVectorWidthAgrees() {
        let x: [Float] = (0 ..< 64).map { Float($0) * 0.7 - 20 }
        let wide = exponential(SIMD64<Float>(x))
        let narrow = exponential(SIMD8<Float>(x[8 ..< 16]))
        let middle = exponential(SIMD32<Float>(x[32 ..< 64]))
        for lane in 0 ..< 8 { #expect(narrow[lane] == wide[8 + lane]) }
        for lane in 0 ..< 32 { #expect(middle[lane] == wide[32 + lane]) }
    }

    @Test func rectifiedIsExactMaxWithZero() {
        let v = rectified(SIMD8<Float>(-3, -0.0, 0, 1e-30, 2.5, -1e-30, .greatestFiniteMagnitude, -.greatestFiniteMagnitude))
        #expect(v == SIMD8<Float>(0, 0, 0, 1e-30, 2.5, 0, .greatestFiniteMagnitude, 0))
        #expect(rectified(SIMD8<Float>(repeating: 0.1)) == SIMD8<Float>(repeating: 0.1))
    }

    /// Each width's largest lane, against the plain maximum, on random scores with the spare
    /// lanes at −1e30 as the softmax sets them; the largest lane moves through every position.
    @Test func largestLaneIsTheMaximum() {
        var generator = SplitMix64(seed: 11)
        func check<V: FloatVector>(_: V.Type, valid: Int) {
            for position in 0 ..< valid {
                var v = V(repeating: -1e30)
                for lane in 0 ..< valid { v[lane] = Float(generator.nextGaussian()) * 10 }
                v[position] = 40 + Float(generator.nextGaussian())
                let exact = (0 ..< V.scalarCount).map { v[$0] }.max()!
                let largest = V.largestLane(v)
                #expect(largest == exact, "\(V.self), largest at lane \(position): \(largest) vs \(exact)")
            }
        }
        check(SIMD8<Float>.self, valid: 8)
        check(SIMD16<Float>.self, valid: 10)
        check(SIMD32<Float>.self, valid: 20)
        check(SIMD64<Float>.self, valid: 64)
    }
}
