import Logging
import ShoalKit

/// Upgrades every tenant of `app` to head; the report says how each one ended.
func migrateAtStartUp(configPath: String, logger: Logger) async throws -> FleetReport {
    let fleet = try Fleet.load(configPath: configPath, logger: logger)
    let targets = try await fleet.targets(TargetSelector(databases: ["app"]))
    return try await FleetRunner(fleet: fleet).run(.upgrade(.head), targets: targets) { event in
        if case .targetFinished(let target) = event { logger.info("\(target.target): \(target.status)") }
    }
}
