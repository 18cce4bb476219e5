/// Holm's step-down adjustment of p-values for multiple comparisons (S. Holm, "A simple
/// sequentially rejective multiple test procedure", Scandinavian Journal of Statistics 6(2),
/// 1979): with the m p-values sorted ascending, the i-th (from 1) becomes
/// max over j ≤ i of min(1, (m − j + 1) · p₍ⱼ₎). It controls the family-wise error rate
/// without assuming independence; as statsmodels' `multipletests(p, method="holm")`.
/// - Returns: The adjusted p-values, in the order of `p`.
public func holmAdjusted(_ p: [Double]) -> [Double] {
    let m = p.count
    let order = p.indices.sorted { p[$0] != p[$1] ? p[$0] < p[$1] : $0 < $1 }
    var adjusted = [Double](repeating: 1, count: m)
    var running = 0.0
    for (rank, index) in order.enumerated() {
        running = max(running, min(1, Double(m - rank) * p[index]))
        adjusted[index] = running
    }
    return adjusted
}
