/// One open connection to one database, used by one migrator at a time.
///
/// Implementations are actors whose executor is a private serial queue
/// (``BlockingExecutor``): each blocking C call (libpq, sqlite3) runs on that
/// session's own thread, never on Swift's cooperative pool, so 32 sessions
/// waiting on the server really wait in parallel.
///
/// Values cross the boundary as text (`nil` is SQL NULL); parameters are
/// written `$1`, `$2`, … in both dialects.
public protocol DatabaseSession: Actor {
    var driver: DriverKind { get }
    /// Runs a script of one or more statements, discarding results.
    func execute(_ sql: String) async throws
    /// Runs one statement with parameters and returns its rows as text.
    func query(_ sql: String, _ parameters: [String?]) async throws -> [[String?]]
    /// Starts a transaction that holds the write lock (SQLite: `BEGIN IMMEDIATE`).
    func begin() async throws
    func commit() async throws
    /// Rolls back the open transaction, if any; never throws.
    func rollback() async
    /// Quotes an identifier for this dialect (`"name"`, quotes doubled).
    nonisolated func quoteIdentifier(_ identifier: String) -> String
    /// Takes the one-migrator-per-target lock, polling until `timeout`.
    /// Returns false when another session still holds it.
    func acquireMigrationLock(key: String, timeout: Duration) async throws -> Bool
    func releaseMigrationLock(key: String) async
    /// Whether any session (this process's or another's) holds the lock of
    /// ``acquireMigrationLock(key:timeout:)`` now. Takes nothing. A dirty
    /// target whose lock is held is being migrated, not crashed.
    func isMigrationLockHeld(key: String) async throws -> Bool
    /// Closes the connection. Further calls fail.
    func close() async

    /// ``begin()``, then `sql`'s rows (one statement without parameters).
    /// PostgreSQL sends both in one round trip.
    func beginAndQuery(_ sql: String) async throws -> [[String?]]
    /// Each statement with its parameters, then ``commit()``. PostgreSQL
    /// sends them all in one round trip. On an error nothing is committed
    /// and the transaction is left for ``rollback()``.
    func executeAndCommit(_ statements: [BoundStatement]) async throws
}

extension DatabaseSession {
    public func query(_ sql: String) async throws -> [[String?]] {
        try await query(sql, [])
    }

    /// One call after the other (sessions without round trips to save).
    public func beginAndQuery(_ sql: String) async throws -> [[String?]] {
        try await begin()
        return try await query(sql)
    }

    /// One call after the other (sessions without round trips to save).
    public func executeAndCommit(_ statements: [BoundStatement]) async throws {
        for statement in statements {
            _ = try await query(statement.sql, statement.parameters)
        }
        try await commit()
    }
}

/// A statement and its text parameters (`$1`…`$n`; nil is NULL).
public struct BoundStatement: Sendable, Equatable {
    public var sql: String
    public var parameters: [String?]

    public init(_ sql: String, _ parameters: [String?] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}
