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
        let maintenance = PostgresURL.replacingDatabase(in: url, with: "postgres")
        let session = try await PostgresSession.connect(maintenance, settings: target.settings)
        do {
            let exists = try await session.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])
            if exists.isEmpty {
                try await session.execute("CREATE DATABASE \(session.quoteIdentifier(name))")
            }
            await session.close()
        } catch {
            await session.close()
            throw error
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
            let session = try await PostgresSession.connect(url, settings: target.settings)
            do {
                try await session.execute("DROP SCHEMA IF EXISTS \(session.quoteIdentifier(schema)) CASCADE")
                await session.close()
            } catch {
                await session.close()
                throw error
            }
            return "dropped schema \(schema)"
        case .postgres(let url, nil):
            guard let name = PostgresURL.databaseName(of: url) else {
                throw ShoalError(.config, "\(target.id): the url names no database to drop")
            }
            let session = try await PostgresSession.connect(PostgresURL.replacingDatabase(in: url, with: "postgres"),
                                                            settings: target.settings)
            do {
                try await session.execute("DROP DATABASE IF EXISTS \(session.quoteIdentifier(name))")
                await session.close()
            } catch {
                await session.close()
                throw error
            }
            return "dropped database \(name)"
        }
    }
}
