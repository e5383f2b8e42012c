import Foundation
import ShoalKit

/// One read of the fleet, as `shoal status` reads it: what every endpoint
/// of `shoal serve` answers from until the next read.
package struct FleetSnapshot: Sendable {
    /// `status --json`'s document.
    package var document: StatusDocument
    /// ``document`` encoded once (`ShoalJSON`), served as it is.
    package var json: Data
    /// When the read started.
    package var readAt: Date
    /// How long the read took.
    package var duration: Duration
    /// The newest run of the journal for each command and outcome, read with
    /// the fleet (for `shoal_last_run_timestamp_seconds`).
    package var lastRuns: [RunOutcome: Date]

    package init(document: StatusDocument, readAt: Date, duration: Duration, lastRuns: [RunOutcome: Date] = [:]) throws {
        self.document = document
        self.json = try ShoalJSON.encode(document)
        self.readAt = readAt
        self.duration = duration
        self.lastRuns = lastRuns
    }
}

/// A journal run's command and how it ended, the labels of
/// `shoal_last_run_timestamp_seconds`.
package struct RunOutcome: Sendable, Hashable {
    package var command: String
    /// `ok` (finished, nothing failed), `failed` (finished, a target failed
    /// or was left behind) or `interrupted` (never finished).
    package var outcome: String

    package init(command: String, outcome: String) {
        self.command = command
        self.outcome = outcome
    }

    package init(_ run: RecordedRun) {
        let summary = run.summary
        let outcome = run.state == .interrupted ? "interrupted"
            : summary.failed + summary.skipped + summary.replicaLag == 0 ? "ok" : "failed"
        self.init(command: run.header.command, outcome: outcome)
    }
}
