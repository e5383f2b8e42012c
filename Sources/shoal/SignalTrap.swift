import ArgumentParser
import Dispatch
import Foundation
import ShoalKit

/// SIGINT and SIGTERM during a fan-out run: the first stops the run (no new
/// target, no new step; running steps finish), the second also cancels the
/// running statements so that their transactions roll back. Without a
/// `control` (`shoal lint --observe`, which changes nothing that lasts),
/// the first signal cancels at once.
final class SignalTrap: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var received: Int32?
    private var count = 0

    /// The signal that stopped the run, if one did.
    var signal: Int32? { lock.withLock { received } }

    init(control: RunControl?, cancel: @escaping @Sendable () -> Void) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let count = self.lock.withLock {
                    self.count += 1
                    if self.received == nil { self.received = number }
                    return self.count
                }
                if count == 1, let control {
                    Console.write("\n\(name): finishing running steps, starting nothing new (again to cancel them)\n", toStderr: true)
                    Task { await control.interrupt(reason: "the run was interrupted (\(name))") }
                } else if control == nil {
                    if count == 1 { Console.write("\n\(name): stopping\n", toStderr: true) }
                    cancel()
                } else {
                    Console.write("\n\(name) again: cancelling running statements\n", toStderr: true)
                    cancel()
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default handlers.
    func remove() {
        for source in sources { source.cancel() }
        Foundation.signal(SIGINT, SIG_DFL)
        Foundation.signal(SIGTERM, SIG_DFL)
    }

    /// The conventional exit status for a run stopped by `signal` (128 + n).
    static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }
}

extension SignalTrap {
    /// Runs `work` in a task that a SIGINT or SIGTERM cancels at once, for
    /// commands whose changes do not last (a scratch database, dropped all
    /// the same: `lint --observe`, `test`). After a signal it prints the
    /// error, unless it is the interruption itself, and exits 130 or 143.
    static func cancellingOnSignal<Result: Sendable>(_ work: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let task = Task { try await work() }
        let trap = SignalTrap(control: nil) { task.cancel() }
        defer { trap.remove() }
        let result = await task.result
        if let signal = trap.signal {
            if case .failure(let error as ShoalError) = result, error.kind != .interrupted { Console.error(error) }
            throw ExitCode(SignalTrap.exitStatus(for: signal))
        }
        return try result.get()
    }
}
