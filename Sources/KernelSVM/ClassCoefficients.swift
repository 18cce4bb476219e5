/// The coefficients of one run of support vectors of the same class, in the pairs that class
/// is in: all the decision values need of them.
///
/// A support vector of class a has a nonzero coefficient y_t α_t only in pairs that include a:
/// k − 1 of the k(k − 1)/2 pairs. A dense product of the kernel values with the whole
/// coefficient matrix (support vectors × pairs) spends k/2 times the work on zeros: 5× for
/// MNIST's 10 classes, 40× for 80, where it outweighed the kernel itself (docs/scaling.md).
/// Per run it is one small GEMM, kernel values of the run × its coefficients.
struct ClassCoefficients: Sendable {
    /// Rows of the model's support vectors in the run (consecutive).
    let rows: Range<Int>
    /// The pairs the class is in, in the model's order of pairs.
    let pairs: [Int]
    /// `rows.count × pairs.count`, row-major: the coefficients of the run in those pairs.
    let values: [Float]

    /// The class of each support vector as its coefficients say: y_t α_t > 0 in pair (a, b)
    /// means class a, < 0 class b. `nil` for a vector whose coefficients are all zero (it adds
    /// nothing), and `.failure` naming the first vector whose coefficients disagree.
    static func classes(coefficients: [Float], pairs: [(positive: Int, negative: Int)], count: Int) -> Result<[Int?], ClassConflict> {
        var classes = [Int?](repeating: nil, count: count)
        let p = pairs.count
        for t in 0 ..< count {
            for (q, pair) in pairs.enumerated() {
                let value = coefficients[t * p + q]
                guard value != 0 else { continue }
                let implied = value > 0 ? pair.positive : pair.negative
                if let known = classes[t], known != implied { return .failure(ClassConflict(vector: t, first: known, second: implied)) }
                classes[t] = implied
            }
        }
        return .success(classes)
    }

    /// The runs of consecutive support vectors of one class (one per class for a fitted model,
    /// whose support vectors are class-sorted), each with its coefficients.
    static func runs(classes: [Int?], coefficients: [Float], pairs: [(positive: Int, negative: Int)]) -> [ClassCoefficients] {
        let p = pairs.count
        var runs: [ClassCoefficients] = []
        var start = 0
        while start < classes.count {
            guard let c = classes[start] else { start += 1; continue }
            var end = start + 1
            while end < classes.count && classes[end] == c { end += 1 }
            let involved = pairs.indices.filter { pairs[$0].positive == c || pairs[$0].negative == c }
            var values = [Float]()
            values.reserveCapacity((end - start) * involved.count)
            for t in start ..< end { for q in involved { values.append(coefficients[t * p + q]) } }
            runs.append(ClassCoefficients(rows: start ..< end, pairs: involved, values: values))
            start = end
        }
        return runs
    }
}

/// A support vector whose coefficients name two different classes (impossible after a fit).
struct ClassConflict: Error {
    let vector: Int, first: Int, second: Int
}
