import Foundation

/// Creates and drops what a tenant lives in: its SQLite file, PostgreSQL
/// schema or PostgreSQL database. Identifiers are always quoted.
enum TenantStorage {
    /// Creates a `layout: database` tenant's database (from the server's
    /// `postgres` maintenance database). Schemas and SQLite files need nothing
    /// here: the first upgrade creates them with the version tables.
    static func create(_ target: Target, layout: TenantLayout) async throws {
        guard case .postgres(let url, nil) = target.location, layout == .database else { return }
        guard let name = PostgresURL.databaseName(of: url) else {
            throw ShoalError(.config, "\(target.id): the url names no database to create")
        }
        try await withSession(PostgresURL.replacingDatabase(in: url, with: "postgres"), target) { session in
            let exists = try await session.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])
            if exists.isEmpty {
                try await session.execute("CREATE DATABASE \(session.quoteIdentifier(name))")
            }
        }
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
    private static func withSession(_ url: String, _ target: Target,
                                    _ body: (PostgresSession) async throws -> Void) async throws {
        let session = try await PostgresSession.connect(url, settings: target.settings)
        do {
            try await body(session)
            await session.close()
        } catch {
            await session.close()
            throw error
        }
    }
}
