import Foundation

extension SessionPool {
    /// How a command means to use a session.
    enum Access: Sendable {
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

    /// Opens a session of its own to the target's database, outside any
    /// run's pool (a tenant query, a replica's status), or nil when
    /// `access` is `.read` or `.replica` and there is no database to read
    /// yet. `lockWait` bounds how long a write waits for another writer
    /// (SQLite's busy timeout).
    static func connect(_ target: Target, access: Access, lockWait: Duration = .seconds(30)) async throws -> (any DatabaseSession)? {
        try await open(target, access: access, lockWait: lockWait, warmup: nil)
    }

    /// Runs `body` with a session from ``connect(_:access:lockWait:)`` and
    /// closes it afterwards, also when `body` throws. Returns nil (without
    /// calling `body`) when `.read` or `.replica` finds no database.
    static func withSession<T: Sendable>(_ target: Target, access: Access, lockWait: Duration = .seconds(30),
                                         _ body: (any DatabaseSession) async throws -> T) async throws -> T? {
        guard let session = try await connect(target, access: access, lockWait: lockWait) else { return nil }
        return try await closing(session, body)
    }

    /// Opens a session for `target`, taking the one `warmup` opened for its
    /// URL and settings if there is one.
    static func open(_ target: Target, access: Access, lockWait: Duration,
                     warmup: WarmUp?) async throws -> (any DatabaseSession)? {
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
                if let warmed = try await warmup?.take(url: url, settings: target.settings) {
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

    /// Runs `body` with `session` and closes it afterwards, also when `body` throws.
    static func closing<T>(_ session: any DatabaseSession,
                           _ body: (any DatabaseSession) async throws -> T) async rethrows -> T {
        try await withCleanup({ try await body(session) }, cleanup: { await session.close() })
    }
}
