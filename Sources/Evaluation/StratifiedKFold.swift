import BenchCore

/// Stratified k-fold splitting: every fold gets each class's images in proportion, so class
/// counts per fold differ by at most one (as scikit-learn's `StratifiedKFold`).
///
/// Method: shuffle each class's indices with the seed, lay the classes end to end, and deal
/// the sequence round-robin into the folds. Dealing continues across class boundaries, so
/// fold sizes also differ by at most one.
public struct StratifiedKFold: Sendable {
    /// Number of folds, at least 2.
    public let folds: Int

    public init(folds: Int) {
        precondition(folds >= 2, "StratifiedKFold needs at least 2 folds")
        self.folds = folds
    }

    /// The held-out indices of each fold, each list ascending.
    /// - Parameters:
    ///   - labels: One class per sample, in `0 ..< classCount`.
    ///   - seed: Decides which samples of a class go to which fold.
    public func testIndices(labels: [Int], classCount: Int, seed: UInt64) -> [[Int]] {
        var generator = SplitMix64(seed: seed)
        var byClass = [[Int]](repeating: [], count: classCount)
        for (index, label) in labels.enumerated() { byClass[label].append(index) }
        var assignment = [[Int]](repeating: [], count: folds)
        var dealt = 0
        for var members in byClass {
            members.shuffle(using: &generator)
            for index in members {
                assignment[dealt % folds].append(index)
                dealt += 1
            }
        }
        return assignment.map { $0.sorted() }
    }

    /// The training indices of a fold: everything not in its test indices, ascending.
    public static func trainingIndices(count: Int, excluding test: [Int]) -> [Int] {
        var held = [Bool](repeating: false, count: count)
        for index in test { held[index] = true }
        return (0 ..< count).filter { !held[$0] }
    }
}

/// A stratified random subsample: `size` indices (ascending) whose class proportions match
/// `labels` as closely as whole numbers allow (largest-remainder rounding).
public func stratifiedSubsample(labels: [Int], classCount: Int, size: Int, seed: UInt64) -> [Int] {
    precondition(size >= 0 && size <= labels.count)
    if size == labels.count { return Array(0 ..< labels.count) }
    var byClass = [[Int]](repeating: [], count: classCount)
    for (index, label) in labels.enumerated() { byClass[label].append(index) }
    let exact = byClass.map { Double($0.count) * Double(size) / Double(labels.count) }
    var quota = exact.map { Int($0.rounded(.down)) }
    let remainders = exact.enumerated().map { ($0.offset, $0.element - $0.element.rounded(.down)) }
    let byRemainder = remainders.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    for (label, _) in byRemainder.prefix(size - quota.reduce(0, +)) { quota[label] += 1 }
    var generator = SplitMix64(seed: seed)
    var chosen: [Int] = []
    for (label, var members) in byClass.enumerated() {
        members.shuffle(using: &generator)
        chosen.append(contentsOf: members.prefix(quota[label]))
    }
    return chosen.sorted()
}
