import Foundation

/// Writing files so that a reader never sees half of one: write a temporary file in the same
/// directory, then rename it over the target (rename is atomic within a file system).
public enum AtomicFile {
    /// Writes `contents` to `path` atomically, creating parent directories.
    /// - Throws: ``OutputError`` naming the path when the directory or file cannot be made.
    public static func write(_ contents: String, to path: String) throws(OutputError) {
        try write(Data(contents.utf8), to: path)
    }

    /// The process id and a random number: temporary names that neither another process nor
    /// another thread of this one can be using.
    static var uniqueSuffix: String { "\(getpid()).\(UInt32.random(in: 0 ... .max))" }

    /// Writes `data` to `path` atomically, creating parent directories.
    /// - Throws: ``OutputError`` naming the path when the directory or file cannot be made.
    public static func write(_ data: Data, to path: String) throws(OutputError) {
        let directory = (path as NSString).deletingLastPathComponent
        try makeDirectory(directory.isEmpty ? "." : directory)
        let temporary = (directory as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).\(uniqueSuffix).tmp")
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw OutputError(path: path, reason: "cannot create a file in \(directory.isEmpty ? "." : directory)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw OutputError(path: path, reason: reason)
        }
    }

    /// Creates `directory` and its parents if needed.
    public static func makeDirectory(_ directory: String) throws(OutputError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw OutputError(path: directory, reason: "exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: directory, reason: "cannot create the directory (\(error.localizedDescription))")
        }
    }

    /// Writes a whole directory of files so that `directory` changes from its old contents to
    /// the new ones in one step: the files go to a staging directory beside it, which is then
    /// renamed into place. A failure part-way leaves the old directory as it was.
    public static func replaceDirectory(_ directory: String, with files: [(name: String, contents: String)]) throws(OutputError) {
        let parent = (directory as NSString).deletingLastPathComponent
        try makeDirectory(parent.isEmpty ? "." : parent)
        let base = (directory as NSString).lastPathComponent
        let staging = ((parent.isEmpty ? "." : parent) as NSString).appendingPathComponent(".\(base).\(uniqueSuffix).staging")
        let retired = ((parent.isEmpty ? "." : parent) as NSString).appendingPathComponent(".\(base).\(uniqueSuffix).old")
        try? FileManager.default.removeItem(atPath: staging)
        do throws(OutputError) {
            try makeDirectory(staging)
            for file in files {
                let path = (staging as NSString).appendingPathComponent(file.name)
                guard FileManager.default.createFile(atPath: path, contents: Data(file.contents.utf8)) else {
                    throw OutputError(path: path, reason: "cannot create the file")
                }
            }
            let hadOld = FileManager.default.fileExists(atPath: directory)
            if hadOld, rename(directory, retired) != 0 {
                throw OutputError(path: directory, reason: "cannot replace it: \(String(cString: strerror(errno)))")
            }
            guard rename(staging, directory) == 0 else {
                let reason = String(cString: strerror(errno))
                if hadOld { _ = rename(retired, directory) }
                throw OutputError(path: directory, reason: reason)
            }
            if hadOld { try? FileManager.default.removeItem(atPath: retired) }
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }
}

/// An output that cannot be written (exit status 73).
public struct OutputError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
