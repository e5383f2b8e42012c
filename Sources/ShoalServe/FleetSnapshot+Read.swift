import Foundation
import ShoalKit

extension FleetSnapshot {
    /// Reads the fleet as `shoal status` does: the selected targets (the
    /// tenant registries and queries read anew each time), then every
    /// target's version tables and replicas through `FleetStatus`, so a
    /// read costs what `status` costs. The journal's newest runs come along
    /// for the metrics (``RunOutcomeIndex``, which reads each finished run
    /// once); a journal that cannot be read leaves them out rather than
    /// failing the read.
    package static func read(_ fleet: Fleet, selector: TargetSelector, concurrency: Int,
                             runs: RunOutcomeIndex = RunOutcomeIndex()) async throws -> FleetSnapshot {
        let readAt = Date()
        let clock = ContinuousClock()
        let start = clock.now
        let targets = try await fleet.targets(selector)
        let statuses = try await FleetStatus(fleet: fleet, concurrency: concurrency).status(of: targets)
        let duration = clock.now - start
        return try FleetSnapshot(document: StatusDocument(targets: statuses), readAt: readAt, duration: duration,
                                 lastRuns: fleet.config.journalDirectory.map(runs.lastRuns(in:)) ?? [:])
    }
}
