import BenchCore
import Foundation

/// A training and a test set read from a directory of four IDX files.
///
/// The directory holds `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`, each raw or gzip-compressed
/// (`.gz`); the dotted names of some mirrors (`train-images.idx3-ubyte`) work too. If the
/// directory has a `SHA256SUMS` file (`sha256sum` format, over the decompressed content),
/// every file it lists must match; the shipped `data/mnist` has one.
public struct IDXDataset: Sendable {
    /// The labelled training images.
    public let training: LabeledImages
    /// The labelled test images.
    public let test: LabeledImages
    /// What was read, with checksums, in the order train images, train labels, test images, test labels.
    public let files: [DataFile]
    /// The directory it came from.
    public let directory: String

    /// One file that was read.
    public struct DataFile: Sendable, Equatable {
        /// The path as found.
        public let path: String
        /// SHA-256 of the decompressed content.
        public let sha256: String
        /// True if a `SHA256SUMS` entry matched it.
        public let verified: Bool
    }

    /// The standard file stems, in the order of ``files``.
    public static let stems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    /// Reads and checks the four files in `directory`.
    /// - Throws: ``DataError`` naming the file: `.missing` when the directory or a file is
    ///   absent; `.damaged` for a bad checksum, a gzip error, a bad IDX header, counts that
    ///   disagree or labels out of range.
    public static func load(directory: String) throws(DataError) -> IDXDataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .missing(path: directory, hint: "Expected a directory holding the four MNIST IDX files (\(stems.joined(separator: ", ")), raw or .gz).")
        }
        let checksums = try readChecksums(directory)
        var files: [DataFile] = []
        var contents: [IDXFile] = []
        for (index, stem) in stems.enumerated() {
            let path = try locate(stem, in: directory)
            let bytes = try readContent(path)
            let digest = SHA256.hexDigest(bytes)
            var verified = false
            if let expected = checksums[stem] {
                guard expected == digest else {
                    throw .damaged(path: path, reason: "SHA-256 of the content is \(digest), but \(directory)/SHA256SUMS expects \(expected): the file is damaged or was replaced. Restore it (git checkout -- \(path)) or remove its line from SHA256SUMS.")
                }
                verified = true
            }
            do {
                contents.append(try IDXFile(parsing: bytes, expectedRank: index % 2 == 0 ? 3 : 1))
            } catch {
                throw .damaged(path: path, reason: error.reason)
            }
            files.append(DataFile(path: path, sha256: digest, verified: verified))
        }
        let trainingImages = try images(contents[0], path: files[0].path)
        let testImages = try images(contents[2], path: files[2].path)
        guard trainingImages.height == testImages.height, trainingImages.width == testImages.width else {
            throw .damaged(path: files[2].path, reason: "holds \(testImages.height)x\(testImages.width) images, but the training images are \(trainingImages.height)x\(trainingImages.width)")
        }
        let trainingLabels = try labels(contents[1], path: files[1].path, count: trainingImages.count, imagesPath: files[0].path)
        let testLabels = try labels(contents[3], path: files[3].path, count: testImages.count, imagesPath: files[2].path)
        let classCount = (trainingLabels.max() ?? 0) + 1
        guard trainingLabels.count > 0 else { throw .damaged(path: files[1].path, reason: "holds no labels") }
        if let index = testLabels.firstIndex(where: { $0 >= classCount }) {
            throw .damaged(path: files[3].path, reason: "label \(testLabels[index]) at index \(index) is not a class of the training set (labels 0...\(classCount - 1))")
        }
        return IDXDataset(
            training: LabeledImages(images: trainingImages, labels: trainingLabels, classCount: classCount),
            test: LabeledImages(images: testImages, labels: testLabels, classCount: classCount),
            files: files, directory: directory)
    }

    /// The images of one IDX image file (raw or gzip), as `bench predict` reads them.
    /// - Throws: ``DataError`` naming the file: `.missing` when it is absent, `.damaged` for a
    ///   gzip error, a header that does not match the bytes present, or not a rank-3 image file.
    public static func readImages(path: String) throws(DataError) -> ImageSet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missing(path: path, hint: "Expected an IDX image file (raw or .gz).")
        }
        guard !isDirectory.boolValue else { throw .damaged(path: path, reason: "is a directory; expected an IDX image file") }
        return try readImages(bytes: try readBytes(path), path: path)
    }

    /// The images of an IDX image file's bytes (raw or gzip): what ``readImages(path:)`` does
    /// once the file is read, kept apart so that the bytes alone can be checked (the `idx`
    /// fuzz target, docs/hardening.md).
    /// - Parameter path: Names the file in errors; nothing is read from it.
    /// - Throws: ``DataError/damaged(path:reason:)`` for a gzip error, a header that does not
    ///   match the bytes present, or not a rank-3 image file.
    public static func readImages(bytes raw: [UInt8], path: String) throws(DataError) -> ImageSet {
        let bytes = try inflated(raw, path: path)
        do {
            return try images(try IDXFile(parsing: bytes, expectedRank: 3), path: path)
        } catch let error as IDXFormatError {
            throw .damaged(path: path, reason: error.reason)
        } catch let error as DataError {
            throw error
        } catch {
            throw .damaged(path: path, reason: "\(error)")
        }
    }

    /// The largest label value accepted: labels are class indices, and a file with larger
    /// values is not a classification label file.
    public static let maximumLabel = 255

    private static func images(_ file: IDXFile, path: String) throws(DataError) -> ImageSet {
        let (count, height, width) = (file.dimensions[0], file.dimensions[1], file.dimensions[2])
        guard count > 0, height > 0, width > 0 else {
            throw .damaged(path: path, reason: "holds \(count) images of \(height)x\(width) pixels; expected at least one non-empty image")
        }
        if file.elementType == .unsignedByte {
            return ImageSet(height: height, width: width, bytes: Array(file.payload))
        }
        let values = file.floats()
        guard values.allSatisfy(\.isFinite) else { throw .damaged(path: path, reason: "holds pixel values that are not finite numbers") }
        return ImageSet(height: height, width: width, features: FeatureMatrix(rows: count, columns: height * width, values: values))
    }

    private static func labels(_ file: IDXFile, path: String, count: Int, imagesPath: String) throws(DataError) -> [Int] {
        guard let labels = file.integers() else {
            throw .damaged(path: path, reason: "holds real numbers; labels must be whole numbers (IDX type 08, 09, 0b or 0c)")
        }
        guard labels.count == count else {
            throw .damaged(path: path, reason: "holds \(labels.count) labels, but \(imagesPath) holds \(count) images")
        }
        if let index = labels.firstIndex(where: { $0 < 0 || $0 > maximumLabel }) {
            throw .damaged(path: path, reason: "label \(labels[index]) at index \(index) is out of range (labels must be class numbers 0...\(maximumLabel))")
        }
        return labels
    }

    private static func locate(_ stem: String, in directory: String) throws(DataError) -> String {
        let dotted = stem.replacingOccurrences(of: "-idx", with: ".idx")
        for name in [stem, stem + ".gz", dotted, dotted + ".gz"] {
            let path = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw .missing(path: (directory as NSString).appendingPathComponent(stem + ".gz"),
                       hint: "Expected \(stem) or \(stem).gz in \(directory).")
    }

    /// The content of the file at `path`, inflated when it is gzip.
    private static func readContent(_ path: String) throws(DataError) -> [UInt8] {
        try inflated(try readBytes(path), path: path)
    }

    /// `raw`, inflated when it is gzip.
    private static func inflated(_ raw: [UInt8], path: String) throws(DataError) -> [UInt8] {
        guard Gzip.isCompressed(raw) else { return raw }
        do { return try Gzip.decompress(raw) } catch { throw .damaged(path: path, reason: error.reason) }
    }

    private static func readBytes(_ path: String) throws(DataError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "permission denied or not a regular file")
        }
        return [UInt8](data)
    }

    /// `SHA256SUMS` entries keyed by file stem (a `.gz` suffix on a listed name is dropped).
    private static func readChecksums(_ directory: String) throws(DataError) -> [String: String] {
        let path = (directory as NSString).appendingPathComponent("SHA256SUMS")
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let text = String(data: Data(try readBytes(path)), encoding: .utf8) else {
            throw .damaged(path: path, reason: "is not UTF-8 text")
        }
        var sums: [String: String] = [:]
        for (number, line) in text.split(separator: "\n").enumerated() where !String(line).trimmingWhitespace().isEmpty {
            let parts = line.split(separator: " ", maxSplits: 1).map { String($0).trimmingWhitespace() }
            guard parts.count == 2, parts[0].count == 64, parts[0].allSatisfy(\.isHexDigit) else {
                throw .damaged(path: path, reason: "line \(number + 1) is not '<64 hex digits>  <file name>'")
            }
            var name = parts[1].hasPrefix("*") ? String(parts[1].dropFirst()) : parts[1]
            if name.hasSuffix(".gz") { name.removeLast(3) }
            sums[name.replacingOccurrences(of: ".idx", with: "-idx")] = parts[0].lowercased()
        }
        return sums
    }
}
