import BenchCore

/// Damaging a model archive one value at a time, for the decoders' tests.
extension ModelArchive {
    /// A copy of the archive with `change` applied.
    public func changed(_ change: (inout ModelArchive) -> Void) -> ModelArchive {
        var copy = self
        change(&copy)
        return copy
    }

    /// A copy with the float array `name` changed by `change`.
    public func changingFloats(_ name: String, _ change: (inout [Float]) -> Void) throws -> ModelArchive {
        var values = try floats(name)
        change(&values)
        return changed { $0.put(name, floats: values) }
    }
}

extension Array {
    /// A copy with the element at `index` replaced by `value`.
    public func replacing(at index: Int, with value: Element) -> [Element] {
        var copy = self
        copy[index] = value
        return copy
    }
}
