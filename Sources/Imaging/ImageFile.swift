import BenchCore
import Foundation
import IDXData

/// Reading the image files `bench predict` is given: PNG, PGM/PPM and IDX, told apart by
/// their first bytes, not their names; and directories, which stand for the image files in
/// them, sorted by name.
public enum ImageFile {
    /// The names a directory's image files end with.
    public static let extensions = ["png", "pgm", "ppm", "pnm", "gz", "idx", "ubyte"]

    /// The paths `arguments` stand for: a file stands for itself; a directory for its files
    /// whose names end in ``extensions`` (not hidden), sorted by name.
    /// - Returns: each path with the error of an argument that cannot be read as a file or a directory.
    public static func expand(_ arguments: [String]) -> [(path: String, error: DataError?)] {
        var result: [(String, DataError?)] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                result.append((argument, .missing(path: argument, hint: "Expected an image file (PNG, PGM, PPM or IDX) or a directory of them.")))
                continue
            }
            guard isDirectory.boolValue else { result.append((argument, nil)); continue }
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: argument) else {
                result.append((argument, .unreadable(path: argument, reason: "cannot list the directory")))
                continue
            }
            let images = names.filter { name in
                !name.hasPrefix(".") && extensions.contains { name.lowercased().hasSuffix("." + $0) || name.lowercased().hasSuffix("-" + $0) }
            }.sorted()
            if images.isEmpty {
                result.append((argument, .missing(path: argument, hint: "The directory holds no image files (\(extensions.map { "*." + $0 }.joined(separator: ", ")))."))) 
            }
            for name in images {
                let path = (argument as NSString).appendingPathComponent(name)
                var nested: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &nested), !nested.boolValue { result.append((path, nil)) }
            }
        }
        return result
    }

    /// The formats read.
    public enum Format: String, Sendable {
        case png = "PNG", pnm = "PGM/PPM", idx = "IDX"
    }

    /// The images of the file at `path`, and its format: one image for PNG, PGM and PPM, all
    /// of an IDX file's.
    /// - Throws: ``DataError`` naming the file: missing, unreadable, or damaged or of an
    ///   unsupported format (with what is wrong).
    public static func read(_ path: String) throws(DataError) -> (images: [GreyImage], format: Format) {
        guard let data = FileManager.default.contents(atPath: path) else {
            if !FileManager.default.fileExists(atPath: path) { throw .missing(path: path, hint: "Expected an image file.") }
            throw .unreadable(path: path, reason: "permission denied or not a regular file")
        }
        let bytes = [UInt8](data)
        do throws(ImageError) {
            if bytes.starts(with: PNGDecoder.signature) { return ([try PNGDecoder.decode(bytes)], .png) }
            if bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), "2356".utf8.contains(bytes[1]) { return ([try PNMDecoder.decode(bytes)], .pnm) }
        } catch {
            throw .damaged(path: path, reason: error.reason)
        }
        if Gzip.isCompressed(bytes) || (bytes.count >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[3] == 3) {
            let images = try IDXDataset.readImages(path: path)
            let values = images.features.values, pixels = images.pixelCount
            return ((0 ..< images.count).map { GreyImage(width: images.width, height: images.height, pixels: Array(values[$0 * pixels ..< ($0 + 1) * pixels])) }, .idx)
        }
        throw .damaged(path: path, reason: "is not an image format bench predict reads (\(formatName(bytes))); expected PNG, PGM or PPM (P2, P3, P5, P6), or IDX")
    }

    /// A name for an unsupported format, for the message.
    static func formatName(_ bytes: [UInt8]) -> String {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "it is a JPEG file: convert it to PNG" }
        if bytes.starts(with: Array("GIF8".utf8)) { return "it is a GIF file: convert it to PNG" }
        if bytes.starts(with: Array("BM".utf8)) { return "it looks like a BMP file: convert it to PNG" }
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), bytes[1] == UInt8(ascii: "1") || bytes[1] == UInt8(ascii: "4") {
            return "it is a PBM bitmap: convert it to PGM or PNG"
        }
        return "its first bytes match no known format"
    }
}
