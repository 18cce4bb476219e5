/// C = αAB + βC by the textbook triple loop: obviously correct, and slow. The fast
/// ``sgemm(_:_:into:alpha:beta:threads:)`` is tested against it.
public func referenceGEMM(_ a: MatrixOperand, _ b: MatrixOperand, into c: MatrixDestination, alpha: Float = 1, beta: Float = 0) {
    precondition(a.columns == b.rows && c.rows == a.rows && c.columns == b.columns, "referenceGEMM: shapes do not match")
    for i in 0 ..< a.rows {
        for j in 0 ..< b.columns {
            var sum: Float = 0
            for p in 0 ..< a.columns { sum += a.element(i, p) * b.element(p, j) }
            let old = beta == 0 ? 0 : beta * c.base[i * c.leadingDimension + j]
            c.base[i * c.leadingDimension + j] = alpha * sum + old
        }
    }
}
