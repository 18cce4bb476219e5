import BenchCore
import IDXData

extension FuzzTarget {
    /// The bytes as `bench predict` reads an IDX image file (``IDXDataset/readImages(bytes:path:)``:
    /// inflated when gzip, parsed as rank 3, turned into images), and as a label file (rank 1,
    /// whole numbers).
    static func idx(_ bytes: [UInt8]) -> Ending {
        if let labels = try? IDXFile(parsing: bytes, expectedRank: 1), let values = labels.integers() {
            require(values.count == labels.dimensions[0], "\(values.count) labels for a header of \(labels.dimensions[0])")
        }
        do {
            let images = try IDXDataset.readImages(bytes: bytes, path: "input")
            require(images.count >= 1 && images.height >= 1 && images.width >= 1, "an empty image set was accepted")
            require(images.features.columns == images.pixelCount && images.features.values.count == images.count * images.pixelCount,
                    "\(images.features.values.count) values for \(images.count) images of \(images.height)×\(images.width)")
            require(images.features.values.allSatisfy(\.isFinite), "pixel values that are not finite were accepted")
            return .value("\(images.count) image(s) of \(images.height)×\(images.width)")
        } catch {
            return .error(error.description)
        }
    }

    /// The bytes inflated as gzip with the limit the data loader uses, then with a limit of
    /// ``smallLimit`` bytes, which must give the same bytes when they fit and an error when not.
    static func gzip(_ bytes: [UInt8]) -> Ending {
        let limited = Result { () throws(GzipError) in try Gzip.decompress(bytes, limit: smallLimit) }
        let inflated: [UInt8]
        do {
            inflated = try Gzip.decompress(bytes)
        } catch {
            if case .success(let output) = limited { require(false, "the limit of \(smallLimit) bytes accepted \(output.count) bytes the loader's limit refused (\(error.reason))") }
            return .error(error.reason)
        }
        switch limited {
        case .success(let output): require(output == inflated, "the small limit gave other bytes (\(output.count), not \(inflated.count))")
        case .failure: require(inflated.count > smallLimit, "the small limit refused \(inflated.count) bytes")
        }
        return .value("\(inflated.count) bytes")
    }

    /// The output limit of the second inflation in ``gzip(_:)``: below the seeds' sizes, so that
    /// the limit's own path is exercised.
    static let smallLimit = 1_000
}
