/// Column selection for the algorithms that only need the pixels that are ever lit.
///
/// On MNIST, 67 of the 784 pixels are zero in every training image. A zero column adds nothing
/// to a dot product and the same amount to every distance from a query, so k-NN and the
/// kernel SVM leave those columns out exactly, and multiply 9% fewer numbers.
extension FeatureMatrix {
    /// The columns with at least one nonzero value, in increasing order.
    public func activeColumns() -> [Int] {
        var used = [Bool](repeating: false, count: columns)
        values.withUnsafeBufferPointer { values in
            for r in 0 ..< rows {
                for j in 0 ..< columns where values[r * columns + j] != 0 { used[j] = true }
            }
        }
        return used.indices.filter { used[$0] }
    }

    /// The matrix with only the given columns, in that order.
    public func selecting(columns chosen: [Int]) -> FeatureMatrix {
        if chosen == Array(0 ..< columns) { return self }
        let width = chosen.count
        // (See ImageSet.features(rows:columns:): no zero-capacity unsafeUninitializedCapacity.)
        guard rows * width > 0 else { return FeatureMatrix(rows: rows, columns: width, values: []) }
        let selected = [Float](unsafeUninitializedCapacity: rows * width) { out, initialized in
            values.withUnsafeBufferPointer { source in
                for r in 0 ..< rows {
                    for (c, j) in chosen.enumerated() { out[r * width + c] = source[r * columns + j] }
                }
            }
            initialized = rows * width
        }
        return FeatureMatrix(rows: rows, columns: width, values: selected)
    }

    /// ‖row‖² for every row.
    public func squaredRowNorms() -> [Float] {
        values.withUnsafeBufferPointer { values in
            (0 ..< rows).map { r in
                var sum: Float = 0
                for j in 0 ..< columns { sum += values[r * columns + j] * values[r * columns + j] }
                return sum
            }
        }
    }
}

/// The same selections made straight from an image set's stored form, so that images kept as
/// bytes are never turned into a full float copy only to be cut down (each gives exactly the
/// values of the same call on ``ImageSet/features``).
extension ImageSet {
    /// The pixels that are nonzero in at least one image, in increasing order.
    public func activeColumns() -> [Int] {
        guard let bytes else { return features.activeColumns() }
        let columns = pixelCount
        var used = [Bool](repeating: false, count: columns)
        bytes.withUnsafeBufferPointer { values in
            for r in 0 ..< count {
                for j in 0 ..< columns where values[r * columns + j] != 0 { used[j] = true }
            }
        }
        return used.indices.filter { used[$0] }
    }

    /// `features.rows(at: rows).selecting(columns: columns)`: the images at `rows` (all, in
    /// order, when nil), only the pixels `columns`, as features.
    public func features(rows: [Int]? = nil, columns chosen: [Int]) -> FeatureMatrix {
        guard let bytes else {
            let all = features
            return (rows.map { all.rows(at: $0) } ?? all).selecting(columns: chosen)
        }
        let columns = pixelCount, width = chosen.count
        let order = rows ?? Array(0 ..< count)
        // No values (no columns chosen, as for the pixels no image leaves dark when every pixel
        // has ink somewhere): `Array(unsafeUninitializedCapacity: 0)` would write its count
        // into the standard library's shared empty-array storage, a data race between threads
        // (ThreadSanitizer found it).
        guard order.count * width > 0 else { return FeatureMatrix(rows: order.count, columns: width, values: []) }
        let selected = [Float](unsafeUninitializedCapacity: order.count * width) { out, initialized in
            bytes.withUnsafeBufferPointer { source in
                for (r, image) in order.enumerated() {
                    let row = source.baseAddress! + image * columns
                    for (c, j) in chosen.enumerated() { out[r * width + c] = Float(row[j]) / 255 }
                }
            }
            initialized = order.count * width
        }
        return FeatureMatrix(rows: order.count, columns: width, values: selected)
    }

    /// ‖image‖² of every image, over every pixel (as `features.squaredRowNorms()`).
    public func squaredNorms() -> [Float] {
        guard let bytes else { return features.squaredRowNorms() }
        let columns = pixelCount
        return bytes.withUnsafeBufferPointer { values in
            (0 ..< count).map { r in
                var sum: Float = 0
                for j in 0 ..< columns {
                    let x = Float(values[r * columns + j]) / 255
                    sum += x * x
                }
                return sum
            }
        }
    }
}

extension ImageSet {
    /// Writes the features of images `range`, each value v as (v − shift) · scale, row after
    /// row into `destination` (`range.count × pixelCount` floats): a batch in the form a
    /// network reads, without a float copy of the whole set. With the defaults it writes
    /// exactly ``features``' values.
    public func copyFeatures(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>,
                             shift: Float = 0, scale: Float = 1) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "ImageSet: images \(range) of \(count)")
        let pixels = pixelCount, total = range.count * pixels, first = range.lowerBound * pixels
        if let bytes {
            bytes.withUnsafeBufferPointer { source in
                // Sixteen at a time: the same division, subtraction and product per value as the
                // scalar loop below (so the same floats), in vector instructions; a scalar
                // division per pixel took 8% of an MLP fit.
                typealias V = SIMD16<Float>
                let base = source.baseAddress! + first
                let divisor = V(repeating: 255), offset = V(repeating: shift), factor = V(repeating: scale)
                var i = 0
                while i + 16 <= total {
                    let values = V(UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt8>.self))
                    UnsafeMutableRawPointer(destination + i).storeBytes(of: (values / divisor - offset) * factor, as: V.self)
                    i += 16
                }
                for i in i ..< total { destination[i] = (Float(base[i]) / 255 - shift) * scale }
            }
        } else {
            features.values.withUnsafeBufferPointer { source in
                for i in 0 ..< total { destination[i] = (source[first + i] - shift) * scale }
            }
        }
    }
}
