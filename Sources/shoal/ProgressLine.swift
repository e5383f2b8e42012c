import Foundation
import ShoalKit

/// The live line under a fan-out run on a terminal:
/// `[42/200] 40 ok, 1 failed, 8 running · 12.3 targets/s · about 13 s left`.
/// Result lines are printed above it. Silent when stderr is not a terminal or
/// under `--json`.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private let started = Date()
    private var total = 0
    private var done = 0
    private var failed = 0
    private var running: Set<String> = []
    private var shown = false
    /// Replicas being waited for, by name.
    private var waiting: Set<String> = []
    /// Targets whose primary committed, until their replicas are settled.
    private var committed: Set<String> = []
    /// Result lines held back while the planning pass reports every target
    /// it will not run (up to date, refused) in one burst: written together
    /// when the burst ends (a target starts, or the run does), one system
    /// call instead of thousands. Lines of targets that ran stream one by one.
    private var burst: [(line: String, toStderr: Bool)]?

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Every result line goes through here, so the live line never tears it.
    func print(_ line: String, toStderr: Bool) {
        lock.withLock {
            if burst != nil {
                burst?.append((line, toStderr))
                return
            }
            clear()
            Console.write(line + "\n", toStderr: toStderr)
            draw()
        }
    }

    /// Writes the held-back burst, if any (lock held).
    private func flushBurst() {
        guard let lines = burst else { return }
        burst = nil
        guard !lines.isEmpty else { return }
        clear()
        for toStderr in [false, true] {
            let text = lines.filter { $0.toStderr == toStderr }.map { $0.line + "\n" }.joined()
            if !text.isEmpty { Console.write(text, toStderr: toStderr) }
        }
    }

    func handle(_ event: FleetEvent) {
        lock.withLock {
            switch event {
            // The run's id is the burst's first line.
            case .targetFinished, .runStarted: break
            default: flushBurst()
            }
            switch event {
            case .planned(let targets, _):
                total = targets
                burst = []
            case .targetStarted(let id): running.insert(id)
            case .targetCommitted(let report):
                running.remove(report.target)
                committed.insert(report.target)
            case .targetFinished(let report):
                done += 1
                if !report.succeeded { failed += 1 }
                running.remove(report.target)
                committed.remove(report.target)
            case .waitingForReplica(let name, _): waiting.insert(name)
            case .replicaWaited(let wait): waiting.remove(wait.replica)
            case .stepApplied, .rollingBack, .linted, .runStarted: break
            }
            clear()
            draw()
        }
    }

    /// Removes the line for good (before the summary).
    func finish() {
        lock.withLock {
            flushBurst()
            clear()
            total = 0
        }
    }

    private func clear() {
        guard enabled, shown else { return }
        Console.write("\r\u{1B}[K", toStderr: true)
        shown = false
    }

    private func draw() {
        guard enabled, total > 0, done < total else { return }
        let elapsed = Date().timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var text = "[\(done)/\(total)] \(done - failed) ok, \(failed) failed, \(running.count) running"
        if !committed.isEmpty {
            // Committed on their primaries; the batch's wait may not have started yet.
            text += ", \(committed.count) waiting for "
            text += waiting.isEmpty ? "replicas" : "\(waiting.sorted().joined(separator: ", ")) to replay"
        } else if !waiting.isEmpty {
            text += ", waiting for \(waiting.sorted().joined(separator: ", ")) to replay"
        }
        if rate > 0 {
            text += String(format: " · %.1f targets/s · about %.0f s left", rate, Double(total - done) / rate)
        }
        Console.write(text, toStderr: true)
        shown = true
    }
}
