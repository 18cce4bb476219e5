import BenchCore
import Foundation
import IDXData
import ModelFile
import TestSupport
import Testing

@Suite struct ModelFileTests {
    let envelope = ModelFile.Envelope(algorithm: "svm", settings: [.init("C", "5"), .init("kernel", "rbf")],
                                      trainingData: [.init(file: "train-images-idx3-ubyte.gz", sha256: String(repeating: "ab", count: 32))],
                                      programVersion: "0.1.0")

    var archive: ModelArchive {
        var archive = ModelArchive(inputHeight: 28, inputWidth: 28, classCount: 10)
        archive.put("coefficients", floats: [1.5, -2, .leastNonzeroMagnitude, .greatestFiniteMagnitude])
        archive.put("bias", doubles: [0.1, -1e300])
        archive.put("pairs", int32s: [0, 1, 2])
        archive.put("columns", integers: [3, Int(Int32.max) + 1])
        archive.put("vectors", bytes: [0, 7, 255])
        archive.put("kernel", text: "rbf")
        return archive
    }

    /// A file's bytes with its checksum recomputed, as a forger (or a bug) would leave them.
    func resealed(_ bytes: [UInt8]) -> [UInt8] {
        let body = Array(bytes.dropLast(32))
        return body + SHA256.digest(body)
    }

    func header(of bytes: [UInt8]) -> (length: Int, json: String) {
        let length = (0 ..< 4).reduce(0) { $0 | Int(bytes[12 + $1]) << (8 * $1) }
        return (length, String(decoding: bytes[16 ..< 16 + length], as: UTF8.self))
    }

    /// The file with its header replaced by `json` (same data, resealed).
    func withHeader(_ bytes: [UInt8], _ json: String) -> [UInt8] {
        let (length, _) = header(of: bytes)
        let newHeader = [UInt8](json.utf8)
        let count = UInt32(newHeader.count)
        return resealed(Array(bytes[0 ..< 12]) + (0 ..< 4).map { UInt8(truncatingIfNeeded: count >> (8 * UInt32($0))) }
                        + newHeader + Array(bytes[(16 + length)...]))
    }

    func rejects(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ModelFile.decode(bytes, path: "m.model")
            Issue.record("accepted a damaged file (\(fragment))", sourceLocation: sourceLocation)
        } catch {
            guard case .damaged(let path, let reason) = error else { Issue.record("\(error)", sourceLocation: sourceLocation); return }
            #expect(path == "m.model", sourceLocation: sourceLocation)
            #expect(reason.contains(fragment), "\(reason)", sourceLocation: sourceLocation)
        }
    }

    @Test func writesAndReadsBackExactly() throws {
        let path = TestData.temporaryDirectory() + "/models/svm.model"
        let size = try ModelFile.write(archive, envelope: envelope, to: path)
        let contents = try ModelFile.read(path)
        #expect(contents.archive == archive)
        #expect(contents.envelope == envelope)
        #expect(size == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
        #expect(try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent) == ["svm.model"])
        let bytes = ModelFile.encode(archive, envelope: envelope)
        #expect(Array(bytes.prefix(8)) == ModelFile.magic)
        #expect(bytes == ModelFile.encode(archive, envelope: envelope), "the same model gives the same bytes")
    }

    @Test func rejectsDamagedFilesNamingWhatIsWrong() {
        let good = ModelFile.encode(archive, envelope: envelope)
        rejects(Array(good.prefix(1000 < good.count ? good.count / 2 : 20)), "truncated")
        rejects(Array(good.prefix(40)), "too short")
        rejects([0, 0, 8, 3] + Array(good.dropFirst(4)), "magic")
        var version = good
        version[8] = 2
        rejects(version, "version 2")
        var flipped = good
        flipped[good.count - 40] ^= 1
        rejects(flipped, "checksum")
        var huge = good
        huge[15] = 0x7F
        rejects(huge, "header")
        let json = header(of: good).json
        rejects(withHeader(good, "[1, 2]"), "not a JSON object")
        rejects(withHeader(good, String(json.dropLast(3))), "not a JSON object")
        rejects(withHeader(good, json.replacingOccurrences(of: "\"offset\":0", with: "\"offset\":100000")), "beyond")
        rejects(withHeader(good, json.replacingOccurrences(of: "\"count\":4", with: "\"count\":4611686018427387904")), "beyond")
        rejects(withHeader(good, json.replacingOccurrences(of: "\"count\":4", with: "\"count\":-4")), "beyond")
        rejects(withHeader(good, json.replacingOccurrences(of: "float64", with: "float16")), "unknown type 'float16'")
        rejects(withHeader(good, json.replacingOccurrences(of: "\"height\":28", with: "\"height\":0")), "input size")
        rejects(withHeader(good, json.replacingOccurrences(of: "[0,1,2,3,4,5,6,7,8,9]", with: "[0,1,5]")), "classes")
        rejects(withHeader(good, json.replacingOccurrences(of: "\"name\":\"bias\"", with: "\"name\":\"coefficients\"")), "twice")
        rejects(withHeader(good, json.replacingOccurrences(of: "\"algorithm\":\"svm\",", with: "")), "'algorithm'")
    }

    @Test func loadingChecksTheAlgorithmAndItsSettings() throws {
        let directory = TestData.temporaryDirectory()
        try ModelFile.write(archive, envelope: envelope, to: directory + "/svm.model")
        #expect(throws: ModelFileError.missing(path: directory + "/none.model")) {
            try ModelFile.load(directory + "/none.model", registry: [])
        }
        do {
            _ = try ModelFile.load(directory + "/svm.model", registry: [])
            Issue.record("loaded a model of an unknown algorithm")
        } catch {
            #expect("\(error)".contains("'svm', which this program does not know"))
        }
        #expect(throws: ModelFileError.self) { try ModelFile.read(directory) }
    }

    /// The bytes alone (what the model fuzz target feeds) go through the same checks as a file:
    /// the checksum first, then the algorithm.
    @Test func decodingBytesChecksAsLoadingDoes() {
        let bytes = ModelFile.encode(archive, envelope: envelope)
        do {
            _ = try ModelFile.decode(bytes, path: "m.model", registry: [])
            Issue.record("decoded a model of an unknown algorithm")
        } catch {
            #expect("\(error)".contains("'svm', which this program does not know"))
        }
        var damaged = bytes
        damaged[20] ^= 1
        do {
            _ = try ModelFile.decode(damaged, path: "m.model", registry: [])
            Issue.record("decoded a file that fails its checksum")
        } catch {
            #expect("\(error)".contains("fails its checksum"))
        }
    }
}
