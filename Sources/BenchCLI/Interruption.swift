import Dispatch
import Foundation

/// Ctrl-C during a run or a search: every unit that finished is already in the task store
/// (each is written atomically when it ends), so stopping at once loses only the units in
/// flight. A line says so and how to resume, and the exit status is 130 (128 + SIGINT), as
/// shells expect.
enum Interruption {
    nonisolated(unsafe) private static var source: DispatchSourceSignal?

    /// Replaces the default SIGINT action (die silently) for the rest of the process.
    /// - Parameters:
    ///   - store: the task store the run writes into, named in the message.
    ///   - command: the command line that resumes.
    static func install(store: String, command: String) {
        signal(SIGINT, SIG_IGN)
        let signalSource = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let message = "\nInterrupted: the units that finished are kept in \(store); the ones that were running are not.\n"
            + "Run the same command again to resume (it computes only what is missing):\n  \(command)\n"
        signalSource.setEventHandler {
            FileHandle.standardError.write(Data(message.utf8))
            // exit() would run atexit handlers while worker threads still use the data.
            _exit(130)
        }
        signalSource.resume()
        source = signalSource
    }
}
