import Logging
import ServiceLifecycle
import ShoalKit

/// The application's API server, or any service that needs the schema: it
/// starts serving only once the migration has finished.
struct APIServer: Service {
    let migrations: ShoalMigrationService
    let logger: Logger

    func run() async throws {
        let report = try await migrations.migrated()
        logger.info("schema ready on \(report.summary.targets) tenants; serving")
        try await gracefulShutdown()  // a real server serves here until shutdown
    }
}

/// The application: every tenant of `app` migrated at start-up, then the
/// API. A failed migration stops the group, and with it the application.
func makeApplication(configPath: String, logger: Logger) -> ServiceGroup {
    let migrations = ShoalMigrationService(
        configPath: configPath, selector: TargetSelector(databases: ["app"]), logger: logger)
    return ServiceGroup(
        services: [migrations, APIServer(migrations: migrations, logger: logger)],
        gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
}
