/// The class totals of one node's samples, computed once per node and shared by every
/// candidate feature's sweep.
///
/// Counts are weights: with bootstrap, a training image drawn k times counts k. All sums are
/// exact integers, so every split search computes identical scores from the same counts.
struct NodeStatistics {
    /// Weighted count per class (`classCount` entries).
    let totals: UnsafeMutablePointer<Int64>
    /// The classes with a nonzero total, ascending; only these are touched by sweeps.
    let present: UnsafeMutablePointer<Int32>
    var presentCount = 0
    /// Distinct training images at the node.
    var rows = 0
    /// Σ weights.
    var weight: Int64 = 0
    /// Σ over classes of total², so that the node's Gini impurity is 1 − squares / weight².
    var squares: Int64 = 0

    /// Weight × Gini impurity is `weight − squares / weight`; this is the `squares / weight` part.
    var score: Double { Double(squares) / Double(weight) }
}

/// The largest total weight (bootstrap draws, or images without bootstrap) for which the split
/// scores below stay exact in 64-bit integers: W³ < 2⁶³.
let largestExactWeight = 2_000_000

/// The running sums of a sweep over one feature's values at a node, from the smallest value
/// up: samples move one at a time (or one histogram bin at a time) from the right side to the
/// left, and the split between two consecutive distinct values is scored in between.
///
/// CART's Gini criterion (Breiman, Friedman, Olshen and Stone, *Classification and Regression
/// Trees*, 1984, §4.3) picks the split that most lowers w·G(node) − w_L·G(left) − w_R·G(right),
/// with G = 1 − Σ_c p_c². Since w·G = w − Σ_c n_c² / w, that is the split with the largest
///
///     score = Σ_c L_c² / w_L + Σ_c R_c² / w_R = (S_L · w_R + S_R · w_L) / (w_L · w_R),
///
/// and the impurity decrease is `score − Σ_c T_c² / w` (used for feature importances). The
/// sums of squares are updated exactly in integers and scores are compared as exact fractions
/// (``SplitCandidate``), so no rounding can make the histogram and sorting searches differ,
/// and two splits tie only when their gains are exactly equal.
struct GiniSweep {
    /// Weighted count per class on the left and right.
    let left: UnsafeMutablePointer<Int64>
    let right: UnsafeMutablePointer<Int64>
    var leftSquares: Int64 = 0
    var rightSquares: Int64 = 0
    var leftWeight: Int64 = 0
    var rightWeight: Int64 = 0
    /// Distinct images on each side, for minSamplesLeaf.
    var leftRows = 0
    var rightRows = 0

    init(left: UnsafeMutablePointer<Int64>, right: UnsafeMutablePointer<Int64>) {
        self.left = left
        self.right = right
    }

    /// Everything on the right, as at the start of a sweep.
    @inline(__always)
    mutating func reset(_ node: NodeStatistics) {
        for k in 0 ..< node.presentCount {
            let c = Int(node.present[k])
            left[c] = 0
            right[c] = node.totals[c]
        }
        leftSquares = 0
        rightSquares = node.squares
        leftWeight = 0
        rightWeight = node.weight
        leftRows = 0
        rightRows = node.rows
    }

    /// Everything on the left, as at the start of a sweep from the largest value down.
    @inline(__always)
    mutating func resetAllLeft(_ node: NodeStatistics) {
        for k in 0 ..< node.presentCount {
            let c = Int(node.present[k])
            left[c] = node.totals[c]
            right[c] = 0
        }
        leftSquares = node.squares
        rightSquares = 0
        leftWeight = node.weight
        rightWeight = 0
        leftRows = node.rows
        rightRows = 0
    }

    /// Moves weight `d` (possibly 0) of class `c` from the left to the right.
    @inline(__always)
    mutating func moveRight(class c: Int, weight d: Int64) {
        let l = left[c], r = right[c]
        leftSquares &+= d &* (d &- 2 &* l)
        rightSquares &+= d &* (2 &* r &+ d)
        left[c] = l &- d
        right[c] = r &+ d
        leftWeight &-= d
        rightWeight &+= d
    }

    /// Moves weight `d` (possibly 0) of class `c` from the right to the left:
    /// (L + d)² − L² = d(2L + d) and (R − d)² − R² = d(d − 2R).
    @inline(__always)
    mutating func move(class c: Int, weight d: Int64) {
        let l = left[c], r = right[c]
        leftSquares &+= d &* (2 &* l &+ d)
        rightSquares &+= d &* (d &- 2 &* r)
        left[c] = l &+ d
        right[c] = r &- d
        leftWeight &+= d
        rightWeight &-= d
    }

    /// The numerator of the score, S_L · w_R + S_R · w_L (both sides nonempty).
    @inline(__always)
    var numerator: Int64 { leftSquares &* rightWeight &+ rightSquares &* leftWeight }
    /// The denominator of the score, w_L · w_R.
    @inline(__always)
    var denominator: Int64 { leftWeight &* rightWeight }
}

/// The best split found so far at a node, over the candidate features swept so far.
///
/// `Value` is the type of a feature value: `UInt8` for pixel bytes, `Float` otherwise. The split
/// sends `x <= leftValue` left; `rightValue` is the next larger value present at the node.
struct SplitCandidate<Value: SplitValue> {
    /// The score as the fraction `numerator / denominator` (see ``GiniSweep``).
    var numerator: Int64 = 0
    var denominator: Int64 = 0
    /// The feature, or -1 before any split was offered.
    var feature = -1
    var leftValue: Value
    var rightValue: Value
    var leftWeight: Int64 = 0

    init(placeholder: Value) {
        leftValue = placeholder
        rightValue = placeholder
    }

    /// The score in double precision.
    var score: Double { Double(numerator) / Double(denominator) }

    /// Records the sweep's current split if it is better than the best so far.
    ///
    /// The rule every search implements: the highest score; among equal scores, the widest
    /// margin (the gap b − a between the values on either side of the threshold, see
    /// ``SplitValue``); among equal margins, the feature drawn first; within it, the lowest
    /// threshold. Features are swept in the drawn order, so a later feature must score higher
    /// or, on an equal score, have a strictly wider margin. Within a feature, a sweep in
    /// increasing order keeps the first of equal splits and a sweep in decreasing order
    /// (`descending: true`) the last. Scores are compared exactly, by cross-multiplying in
    /// 128 bits, and margins as the same single-precision numbers in every search, so the rule
    /// picks the same split whatever the search.
    ///
    /// Why the margin: equal scores are common in small nodes (in a node of two images of
    /// different classes, every feature on which they differ splits it perfectly). Taking the
    /// widest gap leaves the most room on both sides of the threshold for unseen images, the
    /// maximum-margin idea of support vector machines applied to one feature. It raised
    /// 5-fold cross-validation accuracy on the MNIST training set for each of 8 seeds
    /// (docs/forest.md).
    @inline(__always)
    mutating func consider(_ sweep: GiniSweep, feature: Int, leftValue: Value, rightValue: Value, minSamplesLeaf: Int,
                           descending: Bool = false) {
        guard sweep.leftRows >= minSamplesLeaf && sweep.rightRows >= minSamplesLeaf else { return }
        let n = sweep.numerator, d = sweep.denominator
        let better: Bool
        if self.feature < 0 {
            better = true
        } else {
            let candidate = UInt64(n).multipliedFullWidth(by: UInt64(denominator))
            let incumbent = UInt64(numerator).multipliedFullWidth(by: UInt64(d))
            let higher = candidate.high > incumbent.high || (candidate.high == incumbent.high && candidate.low > incumbent.low)
            if higher {
                better = true
            } else if candidate == incumbent {
                let margin = Value.margin(leftValue, rightValue), incumbentMargin = Value.margin(self.leftValue, self.rightValue)
                better = margin > incumbentMargin || (margin == incumbentMargin && descending && self.feature == feature)
            } else {
                better = false
            }
        }
        if better {
            numerator = n
            denominator = d
            self.feature = feature
            self.leftValue = leftValue
            self.rightValue = rightValue
            leftWeight = sweep.leftWeight
        }
    }
}

/// The threshold rule, shared by both split searches: the midpoint of the two consecutive
/// distinct values `a < b`, computed in single precision, as scikit-learn does; if rounding
/// puts it on `b`, `a` itself. Then `a <= t < b`, so `x <= t` separates the node's samples
/// exactly as `x <= a` does.
@inline(__always)
func splitThreshold(_ a: Float, _ b: Float) -> Float {
    let middle = a / 2 + b / 2
    return middle < b ? middle : a
}

/// The value of a pixel byte as a feature, exactly as ``ImageSet`` computes it.
@inline(__always)
func featureValue(ofByte byte: UInt8) -> Float { Float(byte) / 255 }

/// The thresholds of a byte split between consecutive distinct bytes `a < b`: the float
/// threshold `t` is ``splitThreshold(_:_:)`` of their feature values, the same number the float
/// search computes on the same data, and the byte threshold is the largest byte whose feature
/// value is `<= t`. So `byte <= byteThreshold` exactly when `Float(byte) / 255 <= t`, for
/// every byte, not only those seen in training.
func byteThresholds(_ a: UInt8, _ b: UInt8) -> (threshold: Float, byteThreshold: UInt8) {
    let threshold = splitThreshold(featureValue(ofByte: a), featureValue(ofByte: b))
    var byteThreshold = a
    while byteThreshold < b - 1 && featureValue(ofByte: byteThreshold + 1) <= threshold { byteThreshold += 1 }
    return (threshold, byteThreshold)
}

/// A feature value type the split searches handle.
protocol SplitValue {
    /// The margin of a split between the consecutive values `a < b` present at a node: the gap
    /// `b − a` between the feature values, in single precision. A byte is first turned into the
    /// feature value the float search sees (``featureValue(ofByte:)``), so both searches
    /// compute the same number. Rounding makes equal byte gaps differ in the last bit where a
    /// pair's values straddle a power of two (bytes 63 and 64: 0.247 and 0.251); every search
    /// sees the same numbers, so this only decides which of two equally wide splits wins.
    static func margin(_ a: Self, _ b: Self) -> Float
}

extension UInt8: SplitValue {
    @inline(__always)
    static func margin(_ a: UInt8, _ b: UInt8) -> Float { featureValue(ofByte: b) - featureValue(ofByte: a) }
}

extension Float: SplitValue {
    @inline(__always)
    static func margin(_ a: Float, _ b: Float) -> Float { b - a }
}
