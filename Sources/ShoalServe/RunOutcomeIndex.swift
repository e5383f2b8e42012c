import Foundation
import ShoalKit

/// What the journal says of each run, for `shoal_last_run_timestamp_seconds`,
/// kept between fleet reads: a finished run's journal never changes, so
/// each is read once, not once per interval (a journal folder grows by a
/// run per deployment, each run a line per target). A run without its
/// closing line (running now, or killed) is read again only when its file
/// changed size or modification time.
package final class RunOutcomeIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var finished: [String: (outcome: RunOutcome, started: Date)] = [:]
    /// Runs without their closing line, with the file's size and
    /// modification time when they were read.
    private var unfinished: [String: (outcome: RunOutcome, started: Date, size: Int, modified: Date)] = [:]
    /// Journal files read, for the tests.
    package private(set) var filesRead = 0

    package init() {}

    /// For each command and outcome in the journal at `directory`, when its
    /// newest run started. A journal that cannot be listed or read leaves
    /// those runs out rather than failing the fleet read.
    package func lastRuns(in directory: String) -> [RunOutcome: Date] {
        let log = RunLog(directory: directory)
        guard let ids = try? log.ids() else { return [:] }
        return lock.withLock {
            var newest: [RunOutcome: Date] = [:]
            for id in ids {
                let entry: (outcome: RunOutcome, started: Date)
                let path = log.path(of: id)
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                let size = attributes?[.size] as? Int ?? -1
                let modified = attributes?[.modificationDate] as? Date ?? .distantPast
                if let known = finished[id] {
                    entry = known
                } else if let known = unfinished[id], known.size == size, known.modified == modified {
                    entry = (known.outcome, known.started)
                } else {
                    filesRead += 1
                    guard let run = try? RecordedRun.read(path: path) else { continue }
                    entry = (RunOutcome(run), (try? Timestamp.format.parse(run.header.startedAt)) ?? run.header.run.startedAt)
                    if run.state == .finished {
                        finished[id] = entry
                        unfinished[id] = nil
                    } else {
                        unfinished[id] = (entry.outcome, entry.started, size, modified)
                    }
                }
                newest[entry.outcome] = max(newest[entry.outcome] ?? entry.started, entry.started)
            }
            if finished.count + unfinished.count > ids.count {
                let present = Set(ids)
                finished = finished.filter { present.contains($0.key) }
                unfinished = unfinished.filter { present.contains($0.key) }
            }
            return newest
        }
    }
}
