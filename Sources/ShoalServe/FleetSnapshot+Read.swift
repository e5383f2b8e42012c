import Foundation
import ShoalKit

extension FleetSnapshot {
    /// Reads the fleet as `shoal status` does: the selected targets (the
    /// tenant registries and queries read anew each time), then every
    /// target's version tables and replicas through `FleetStatus`, so a
    /// read costs what `status` costs. The journal's newest runs come along
    /// for the metrics; a journal that cannot be read leaves them out
    /// rather than failing the read.
    package static func read(_ fleet: Fleet, selector: TargetSelector, concurrency: Int) async throws -> FleetSnapshot {
        let readAt = Date()
        let clock = ContinuousClock()
        let start = clock.now
        let targets = try await fleet.targets(selector)
        let statuses = try await FleetStatus(fleet: fleet, concurrency: concurrency).status(of: targets)
        let duration = clock.now - start
        return try FleetSnapshot(document: StatusDocument(targets: statuses), readAt: readAt, duration: duration,
                                 lastRuns: lastRuns(in: fleet))
    }

    /// For each command and outcome in the journal, when its newest run started.
    static func lastRuns(in fleet: Fleet) -> [RunOutcome: Date] {
        guard let directory = fleet.config.journalDirectory, let runs = try? RunLog(directory: directory).runs().runs else { return [:] }
        var newest: [RunOutcome: Date] = [:]
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for run in runs {
            let started = (try? format.parse(run.header.startedAt)) ?? run.header.run.startedAt
            newest[RunOutcome(run), default: started] = max(newest[RunOutcome(run)] ?? started, started)
        }
        return newest
    }
}
