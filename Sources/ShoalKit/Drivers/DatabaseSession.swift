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
    /// Closes the connection. Further calls fail.
    func close() async
}

extension DatabaseSession {
    public func query(_ sql: String) async throws -> [[String?]] {
        try await query(sql, [])
    }
}
