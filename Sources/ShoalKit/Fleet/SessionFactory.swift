import Foundation

/// Opens the right kind of session for a target.
public enum SessionFactory {
    /// How a command means to use the session.
    public enum Access: Sendable {
        /// Migrations will run: a missing SQLite file (and its folder) is
        /// created, with the permissions of the other files in its folder.
        case migrate
        /// Reading only (status, history, verify): nothing is created; a
        /// SQLite file that does not exist yet gives no session.
        case read
        /// Reading a streaming replica (`status --replica`, the replicas'
        /// revisions in `status`): as `.read`, and on PostgreSQL the session
        /// is read-only (`default_transaction_read_only`), so nothing can be
        /// written through it even when the URL points at a primary.
        case replica
    }

    /// Opens a session to the target's database, or nil when `access` is
    /// `.read` or `.replica` and there is no database to read yet. `lockWait` bounds how
    /// long a write waits for another writer (SQLite's busy timeout).
    /// With `.read`, a session `warmup` opened for the target's URL is taken
    /// instead of connecting (it has the default `search_path`: only for
    /// reads that qualify every name).
    public static func open(_ target: Target, access: Access, lockWait: Duration = .seconds(30),
                            warmup: SessionWarmup? = nil) async throws -> (any DatabaseSession)? {
        switch target.location {
        case .sqlite(let path):
            if access != .migrate && !FileManager.default.fileExists(atPath: path) { return nil }
            if access == .migrate { try SiblingPermissions.createFile(path) }
            let busyMs = lockWait.milliseconds
            return try await SQLiteSession.open(path: path, mode: access == .migrate ? .readWrite : .readOnly, busyTimeoutMs: busyMs)
        case .postgres(let url, let schema):
            let session: PostgresSession
            do {
                // Unqualified names in the tenant's migrations resolve in its schema only.
                if access == .read, let warmed = try await warmup?.take(url: url, settings: target.settings) {
                    session = warmed
                } else {
                    session = try await PostgresSession.connect(url, settings: target.settings, searchPath: schema)
                }
            } catch var error as ShoalError {
                // The URL (often a variable's value) does not say which shard is down.
                if let shard = target.shard { error.message = "shard \(shard): " + error.message }
                if let hint = TenantStorage.missingDatabaseHint(for: target, after: error) { error.hint = hint }
                throw error
            }
            do {
                if access == .replica { try await session.setReadOnly() }
            } catch {
                await session.close()
                throw error
            }
            return session
        }
    }

    /// Runs `body` with an open session and closes it afterwards, also when
    /// `body` throws. Returns nil (without calling `body`) when `.read` or
    /// `.replica` finds no database.
    public static func withSession<T: Sendable>(_ target: Target, access: Access, lockWait: Duration = .seconds(30),
                                                warmup: SessionWarmup? = nil,
                                                _ body: (any DatabaseSession) async throws -> T) async throws -> T? {
        guard let session = try await open(target, access: access, lockWait: lockWait, warmup: warmup) else { return nil }
        do {
            let result = try await body(session)
            await session.close()
            return result
        } catch {
            await session.close()
            throw error
        }
    }
}
