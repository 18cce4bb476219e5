import Evaluation
import IDXData
import Foundation

/// Facts about the machine and the code, recorded in every report.
enum MachineInfo {
    static let version = "0.1.0"

    /// The CPU model from /proc/cpuinfo, or the architecture.
    static var cpu: String {
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        #if arch(x86_64)
        return "x86_64"
        #else
        return "arm64"
        #endif
    }

    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    static var operatingSystem: String {
        var name = utsname()
        uname(&name)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(text(name.sysname)) \(text(name.release)) \(text(name.machine))"
    }

    /// `git describe --always --dirty` of the working directory, or "unknown".
    static var commit: String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "describe", "--always", "--dirty", "--abbrev=12"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return "unknown"
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return process.terminationStatus == 0 ? output.trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
    }

    /// The version and the first 16 hex digits of the executable's SHA-256: part of every
    /// stored unit's key, so a rebuilt program never reuses what an older build computed.
    static let program: String = {
        guard let bytes = FileManager.default.contents(atPath: "/proc/self/exe") ?? CommandLine.arguments.first.flatMap({ FileManager.default.contents(atPath: $0) }) else {
            return version
        }
        return version + "+" + SHA256.hexDigest([UInt8](bytes)).prefix(16)
    }()

    static var date: String { ISO8601DateFormatter().string(from: Date()) }

    /// The program and machine, for a run's reports.
    static var environment: RunEnvironment {
        RunEnvironment(version: version, commit: commit, machine: cpu, cores: cores, operatingSystem: operatingSystem, date: date, program: program)
    }
}
