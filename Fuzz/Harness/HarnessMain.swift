import Foundation
#if FUZZING
import CLibFuzzer
#endif

/// The harnesses of the readers of untrusted bytes (docs/hardening.md, "Fuzzing").
///
/// Built by `scripts/fuzz.sh` (with `-sanitize=fuzzer,address -D FUZZING`), this is a libFuzzer
/// binary for the target that `FUZZ_TARGET` names. SwiftPM makes an executable's own `main` the
/// entry point (it links `main` to the module's), so libFuzzer's `main` never runs; this one
/// hands the process to libFuzzer's driver instead, with the same arguments.
///
/// Built as the package's other targets are (the normal build, so CI compiles it), it replays
/// saved inputs through the same code, without sanitizers: `FuzzReaders TARGET PATH...` runs
/// every file (a directory stands for its files) and prints what each ended in, a value or an
/// error. A crash or an assertion of the harness stops it, as it stops the fuzzer.
@main
enum HarnessMain {
    static func main() {
        #if FUZZING
        exit(fuzz())
        #else
        exit(replay(Array(CommandLine.arguments.dropFirst())))
        #endif
    }

    #if FUZZING
    /// libFuzzer's driver, running ``FuzzTarget/selected`` on every input it makes.
    static func fuzz() -> Int32 {
        guard FuzzTarget.selected != nil else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("FuzzReaders: set FUZZ_TARGET to one of \(names)\n".utf8))
            return 64
        }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        return LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput)
    }
    #endif

    /// `FuzzReaders TARGET PATH...`: every file through the target; exit 0 when each ended in a
    /// value or an error, 64 for a usage mistake, 66 for a path that cannot be read.
    static func replay(_ arguments: [String]) -> Int32 {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
        guard let first = arguments.first, let target = FuzzTarget(rawValue: first), arguments.count >= 2 else {
            FileHandle.standardError.write(Data("Usage: FuzzReaders \(names) FILE|DIRECTORY...\n".utf8))
            return 64
        }
        var status: Int32 = 0
        var counts = (values: 0, errors: 0)
        for path in files(arguments.dropFirst()) {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("Error: \(path): cannot read\n".utf8))
                status = 66
                continue
            }
            switch target.run([UInt8](data)) {
            case .value(let summary):
                counts.values += 1
                print("\(path): value: \(summary)")
            case .error(let reason):
                counts.errors += 1
                print("\(path): error: \(reason)")
            }
        }
        print("\(target.rawValue): \(counts.values + counts.errors) inputs, \(counts.values) values, \(counts.errors) errors, no crash")
        return status
    }

    /// The files `paths` stand for: a file itself, a directory its files (not hidden), sorted.
    static func files(_ paths: ArraySlice<String>) -> [String] {
        paths.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
                  let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [path] }
            return names.filter { !$0.hasPrefix(".") }.sorted().map { (path as NSString).appendingPathComponent($0) }
        }
    }
}

/// libFuzzer's callback: one input through the selected target. Every input must end in a value
/// or an error; anything else (a trap, a sanitizer report, a harness assertion, more memory than
/// `-rss_limit_mb`, more time than `-timeout`) is what libFuzzer reports and saves.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let target = FuzzTarget.selected else { return 0 }
    let bytes = data.map { [UInt8](UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = target.run(bytes)
    return 0
}
