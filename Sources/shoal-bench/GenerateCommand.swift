import ArgumentParser
import Foundation

/// `shoal-bench generate`: a fleet at head, quickly, for measuring how
/// shoal grows with the fleet (issue 16's growth rows: up to 100,000 SQLite
/// tenants, 10,000 schemas). SQLite tenants are copies of one template file
/// migrated for real; PostgreSQL schemas get shoal's version tables and rows
/// by bulk SQL, a few hundred schemas per script. Nothing is measured.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a fleet at head (config.json, migrations, registry, tenants) for measuring shoal by hand.")

    @Option(help: "Directory to write the fleet into (created; keep it out of git, e.g. under /tmp or bench-results/).")
    var dir: String

    @Option(help: "Tenants: SQLite files, or schemas spread over the shards.")
    var tenants: Int

    @Option var migrations = 20

    @Option(help: "PostgreSQL: an empty database per shard (one or two); without it, SQLite files.")
    var url: [String] = []

    @Option(help: "PostgreSQL: schemas per script.")
    var batch = 250

    func validate() throws {
        if tenants < 1 { throw ValidationError("--tenants must be at least 1") }
        if migrations < 1 { throw ValidationError("--migrations must be at least 1") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if url.count > Fleets.shardNames.count {
            throw ValidationError("--url: at most \(Fleets.shardNames.count) shards, not \(url.count)")
        }
    }

    func run() throws {
        let started = ProcessTimer.monotonicSeconds()
        let config: String
        if url.isEmpty {
            let list = MigrationSet.standard.migrations(count: migrations, dialect: .sqlite)
            let fleet = try FleetSetup.sqliteFleet(in: dir, tenants: tenants, migrations: list, concurrency: 8)
            config = fleet.config
            log("\(tenants) SQLite files of \(fleet.fileSize / 1024) KiB at head")
        } else {
            let list = MigrationSet.standard.migrations(count: migrations, dialect: .postgres)
            config = try FleetSetup.postgresFleet(in: dir, shards: url, tenants: tenants, migrations: list, concurrency: 8,
                                                  threads: 2 * url.count, batch: batch)
            log("\(tenants) schemas at head on \(url.count) shard(s), vacuumed")
        }
        log("generated in \(Report.number(ProcessTimer.monotonicSeconds() - started)) s")
        print(config)
    }
}
