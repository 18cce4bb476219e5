/// The first `count` of `items` in the order `precedes` (a strict total order: of two
/// different items, exactly one precedes the other), in that order: the same as
/// `items.sorted(by: precedes).prefix(count)`, without sorting the rest.
///
/// Quickselect (Hoare, "Algorithm 65: Find", CACM 4(7), 1961) moves the first `count` to the
/// front in time proportional to `items.count` on typical inputs, then only they are sorted.
/// The pivot is the middle of the range, so the result and the work are the same every run.
/// - Complexity: O(n + count · log count) expected, n = `items.count`; O(n²) at worst.
public func firstInOrder(_ count: Int, of items: [Int], by precedes: (Int, Int) -> Bool) -> [Int] {
    guard count > 0 else { return [] }
    // Selecting a large share of the items gains little over sorting them all.
    guard count < items.count / 4 else { return Array(items.sorted(by: precedes).prefix(count)) }
    var items = items
    // Invariant: the first `count` in order are the items of 0 ..< lo and `count - lo` of lo ..< hi.
    var lo = 0, hi = items.count
    while hi - lo > 1 {
        let pivot = items[lo + (hi - lo) / 2]
        // lo ..< split: the items of the range that precede the pivot.
        let split = items[lo ..< hi].partition { !precedes($0, pivot) }
        if split == count { break }
        if split > count {
            hi = split
        } else {
            // Everything before the pivot is among the first; so is the pivot if room is left.
            let at = items[split ..< hi].firstIndex(of: pivot)!
            items.swapAt(split, at)
            lo = split + 1
            if lo >= count { break }
        }
    }
    return Array(items[..<count]).sorted(by: precedes)
}
