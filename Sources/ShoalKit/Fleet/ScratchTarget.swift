import Foundation

/// A throwaway target shaped like one of a database's targets, where its
/// migrations run to be watched or compared (`lint --observe`, `drift
/// --against files`, `shoal test`; SPEC §9.2, §10): on PostgreSQL a scratch
/// database `shoal_scratch_<random>` on the database's `scratch_url` or the
/// server of its first target, with, for a schema-per-tenant database, the
/// objects in a schema named by its template (`tenant_shoal_scratch`); on
/// SQLite a file in a temporary directory. Either is removed afterwards,
/// also after a failure or a cancelled task; nothing else is touched.
struct ScratchTarget: Sendable {
    /// A session on the scratch target, its search path on the tenant schema.
    let session: any DatabaseSession
    /// The scratch target, with the database's version table, so that a
    /// ``VersionStore`` on `session` migrates it as an upgrade would.
    let target: Target

    /// The tenant name a schema-per-tenant scratch target's schema is made from.
    static let tenantName = "shoal_scratch"

    /// Makes the scratch target for `database`, runs `body` on it, removes it.
    ///
    /// `command` names what asked for it in errors (`` `shoal test` ``).
    /// Throws, with kind `.config` (the CLI exits 2), when the server cannot
    /// be reached or the role may not create a database, naming the server
    /// or the role and the `scratch_url` key; with kind `.interrupted` when
    /// the task is cancelled, saying the scratch database was dropped.
    static func with<Result: Sendable>(_ database: DatabaseConfig, fleet: Fleet, command: String,
                                       postgresName: String = PostgresScratchDatabase.newName(),
                                       _ body: (ScratchTarget) async throws -> Result) async throws -> Result {
        switch database.driver {
        case .sqlite:
            return try await withSQLiteFile(database, body)
        case .postgres:
            return try await withPostgresDatabase(database, fleet: fleet, command: command, name: postgresName, body)
        }
    }

    private static func withSQLiteFile<Result: Sendable>(_ database: DatabaseConfig,
                                                         _ body: (ScratchTarget) async throws -> Result) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("shoal-scratch-" + UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("scratch.sqlite").path
        let session = try await SQLiteSession.open(path: path, mode: .readWrite)
        let target = Target(id: "\(database.name)/scratch", database: database.name, tenant: database.isMultiTenant ? tenantName : nil,
                            driver: .sqlite, location: .sqlite(path: path), versionTable: database.versionTable,
                            settings: database.settings)
        return try await withCleanup({ try await body(ScratchTarget(session: session, target: target)) },
                                     cleanup: { await session.close() })
    }

    private static func withPostgresDatabase<Result: Sendable>(_ database: DatabaseConfig, fleet: Fleet, command: String, name: String,
                                                               _ body: (ScratchTarget) async throws -> Result) async throws -> Result {
        let (server, settings) = try await scratchServer(for: database, fleet: fleet, command: command)
        fleet.logger.info("\(command): scratch database \(name) on \(Redactor.redact(server))")
        let url = PostgresURL.replacingDatabase(in: server, with: name)
        do {
            return try await PostgresScratchDatabase.with(name: name, on: server, settings: settings) { session in
                var schema: String?
                if database.isMultiTenant && database.layout == .schema {
                    let tenantSchema = TenantName.substitute(tenantName, in: database.schemaTemplate)
                    try await session.execute("CREATE SCHEMA \(session.quoteIdentifier(tenantSchema))")
                    try await session.setSearchPath(tenantSchema, local: false)
                    schema = tenantSchema
                }
                let target = Target(id: "\(database.name)/scratch", database: database.name,
                                    tenant: database.isMultiTenant ? tenantName : nil, driver: .postgres,
                                    location: .postgres(url: url, schema: schema), versionTable: database.versionTable,
                                    settings: settings)
                return try await body(ScratchTarget(session: session, target: target))
            }
        } catch var error as ShoalError {
            if Task.isCancelled {
                // A hint here says the scratch database could not be dropped.
                let dropped = error.hint == nil ? "; its scratch database \(name) was dropped" : " (scratch database \(name))"
                throw ShoalError(.interrupted, "\(command) of \(database.name) was interrupted" + dropped, hint: error.hint)
            }
            if error.failure?.phase == .connect {
                error.kind = .config
                error.message = "\(command) needs a PostgreSQL server to create its scratch database for \(database.name) on: "
                    + error.message
                // A refused SET ROLE already says what to grant.
                error.hint = error.hint ?? ("set `databases.\(database.name).scratch_url` in config.json to a server shoal can reach, "
                    + "as a role with the CREATEDB privilege")
            } else if error.failure?.isInsufficientPrivilege == true, error.revision == nil,
                      error.failure?.statement?.hasPrefix("CREATE DATABASE") == true {
                error.kind = .config
                error.hint = "grant it (ALTER ROLE … CREATEDB), or set `databases.\(database.name).scratch_url` "
                    + "in config.json to a server where shoal's role may create databases"
            }
            throw error
        }
    }

    /// The server to create the scratch database on, and the settings to
    /// connect with: `scratch_url` with the database's, or the connection of
    /// the database's first target with that target's (a shard's own `role`).
    private static func scratchServer(for database: DatabaseConfig, fleet: Fleet,
                                      command: String) async throws -> (url: String, settings: SessionSettings) {
        try fleet.config.requireConnections()
        if let url = database.scratchURL { return (url, database.settings) }
        let targets = try await fleet.targets(TargetSelector(databases: [database.name]))
        guard let first = targets.first, case .postgres(let url, _) = first.location else {
            throw ShoalError(.config, "\(database.name) has no targets yet, so \(command) has no server to create its "
                             + "scratch database on; set `databases.\(database.name).scratch_url` in config.json")
        }
        return (url, first.settings)
    }
}
