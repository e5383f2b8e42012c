import Foundation

/// Creates and drops what a tenant lives in: its SQLite file, PostgreSQL
/// schema or PostgreSQL database. Identifiers are always quoted.
enum TenantStorage {
    /// Creates a `layout: database` tenant's database (from the server's
    /// `postgres` maintenance database). Schemas and SQLite files need nothing
    /// here: the first upgrade creates them with the version tables.
    ///
    /// Returns the primary's WAL position after the database exists when the
    /// target has replicas (for ``waitForReplicas(of:toReplay:timeout:)``), nil otherwise.
    static func create(_ target: Target, layout: TenantLayout) async throws -> WALPosition? {
        guard case .postgres(let url, nil) = target.location, layout == .database else { return nil }
        guard let name = PostgresURL.databaseName(of: url) else {
            throw ShoalError(.config, "\(target.id): the url names no database to create")
        }
        return try await withSession(PostgresURL.replacingDatabase(in: url, with: "postgres"), target) { session in
            if !target.replicas.isEmpty { try await session.flushCommitsLocally() }
            let exists = try await session.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])
            if exists.isEmpty {
                try await session.execute("CREATE DATABASE \(session.quoteIdentifier(name))")
            }
            guard !target.replicas.isEmpty else { return nil }
            guard let position = try await session.currentWALPosition() else {
                throw ShoalError(.database, "\(target.id): the primary did not say its WAL position (pg_current_wal_lsn()) after creating database \(name), so shoal cannot wait for its replicas")
            }
            return position
        }
    }

    /// Waits, up to `timeout`, until every replica of a `layout: database`
    /// target has replayed the creation of its database (up to `position`,
    /// from ``create(_:layout:)``): until then the database does not exist
    /// there, and a replica cannot be checked or waited for. Each replica is
    /// polled on its server's `postgres` maintenance database, all at once.
    /// Throws naming the replicas that did not replay it, and why.
    static func waitForReplicas(of target: Target, toReplay position: WALPosition, timeout: Duration) async throws {
        guard case .postgres(let url, nil) = target.location else { return }
        let name = PostgresURL.databaseName(of: url) ?? ""
        let waiter = ReplicaCatchUp(timeout: timeout, change: "the CREATE DATABASE of \(name)")
        let problems = await withTaskGroup(of: String?.self) { group in
            for replica in target.replicas {
                group.addTask {
                    let outcome = await waiter.wait(replicaURL: PostgresURL.replacingDatabase(in: replica.url, with: "postgres"),
                                                    for: [position])
                    switch outcome.results[position] {
                    case .caughtUp: return nil
                    case .lagging(_, _, let message), .unreachable(let message): return "replica `\(replica.name)` \(message)"
                    case nil: return "replica `\(replica.name)` was not waited for"
                    }
                }
            }
            var problems: [String] = []
            for await problem in group { if let problem { problems.append(problem) } }
            return problems.sorted()
        }
        guard problems.isEmpty else {
            throw ShoalError(.database, "\(target.id): database \(name) was created on the primary, but " + problems.joined(separator: "; "))
        }
    }

    /// What to tell a user whose connection to a `layout: database` tenant
    /// failed because its database does not exist (libpq's `database "x"
    /// does not exist`): shoal creates one only in `tenants add`, never in
    /// an upgrade, since a wrong url template would otherwise spawn
    /// databases. nil for any other failure.
    static func missingDatabaseHint(for target: Target, after error: ShoalError) -> String? {
        guard let tenant = target.tenant, case .postgres(let url, nil) = target.location,
              let name = PostgresURL.databaseName(of: url),
              error.message.contains("database \"\(name)\" does not exist") else { return nil }
        let db = target.database
        return "database \(name) of tenant \(tenant) does not exist: shoal creates a tenant's database only in `shoal tenants add \(tenant) --db \(db)` (for a tenant already registered, run `shoal tenants remove \(tenant) --db \(db)` first), or create it yourself"
    }

    /// Drops the tenant's storage and says what was dropped.
    static func drop(_ target: Target) async throws -> String {
        switch target.location {
        case .sqlite(let path):
            var removed = false
            for suffix in ["", "-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: path + suffix) {
                do {
                    try FileManager.default.removeItem(atPath: path + suffix)
                    removed = true
                } catch {
                    throw ShoalError(.io, "cannot delete \(path + suffix): \(error.localizedDescription)")
                }
            }
            return removed ? "deleted \(path)" : "\(path) did not exist"
        case .postgres(let url, let schema?):
            try await withSession(url, target) { session in
                try await session.execute("DROP SCHEMA IF EXISTS \(session.quoteIdentifier(schema)) CASCADE")
            }
            return "dropped schema \(schema)"
        case .postgres(let url, nil):
            guard let name = PostgresURL.databaseName(of: url) else {
                throw ShoalError(.config, "\(target.id): the url names no database to drop")
            }
            try await withSession(PostgresURL.replacingDatabase(in: url, with: "postgres"), target) { session in
                try await session.execute("DROP DATABASE IF EXISTS \(session.quoteIdentifier(name))")
            }
            return "dropped database \(name)"
        }
    }

    /// Runs `body` on a session to `url` with the target's settings, and
    /// closes it afterwards, also when `body` throws.
    private static func withSession<Result>(_ url: String, _ target: Target,
                                            _ body: (any DatabaseSession) async throws -> Result) async throws -> Result {
        try await SessionPool.closing(try await PostgresSession.connect(url, settings: target.settings), body)
    }
}
