import Foundation
import IDXData

/// A reader of untrusted bytes, as the harness feeds it (docs/hardening.md, "Fuzzing").
enum FuzzTarget: String, CaseIterable, Sendable {
    /// An IDX image file, raw or gzip, as `bench predict` reads one; and the same bytes as a label file.
    case idx
    /// A gzip stream, inflated with the loader's limit and with a small one.
    case gzip
    /// A PNG file.
    case png
    /// A PGM or PPM file.
    case pnm
    /// A model file, checked and decoded by the classifier it names, then asked for one prediction.
    case model
    /// A stored unit outcome (`tasks/<algorithm>/<key>.task`).
    case task
    /// A run's plan (`tasks/plan.json`), read as `bench merge` reads it.
    case plan

    /// The target `FUZZ_TARGET` names (the fuzzer's only way to be told: libFuzzer owns the arguments).
    static let selected: FuzzTarget? = ProcessInfo.processInfo.environment["FUZZ_TARGET"].flatMap(FuzzTarget.init(rawValue:))

    /// What one input ended in: the reader's value (summarised) or its error. There is no third
    /// way: a crash never returns.
    enum Ending: Equatable {
        case value(String)
        case error(String)
    }

    /// Runs `bytes` through the reader and checks what it promises of its value.
    func run(_ bytes: [UInt8]) -> Ending {
        switch self {
        case .idx: Self.idx(bytes)
        case .gzip: Self.gzip(bytes)
        case .png: Self.png(bytes)
        case .pnm: Self.pnm(bytes)
        case .model: Self.model(bytes)
        case .task: Self.task(bytes)
        case .plan: Self.plan(bytes)
        }
    }
}

/// Stops the process, so that the fuzzer saves the input, when a reader's value breaks what the
/// reader promises (a size that does not match its pixels, a label outside the classes). A
/// harness assertion, not input validation: the readers throw for bad input, the harness traps
/// for a bad reader.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzReaders: \(message())") }
}

/// `bytes` with their last 32 bytes replaced by the SHA-256 of the rest, as a sealed file (model,
/// task) ends: the fuzzer's changes then reach the parser behind the digest instead of stopping
/// at it. (`nil` when there are fewer than 32 bytes.)
func resealed(_ bytes: [UInt8]) -> [UInt8]? {
    guard bytes.count >= 32 else { return nil }
    let body = Array(bytes.dropLast(32))
    return body + SHA256.digest(body)
}
