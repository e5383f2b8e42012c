/// One open connection to one database, used by one migrator at a time.
///
/// Implementations are actors whose executor is a private serial queue
/// (``BlockingExecutor``): each blocking C call (libpq, sqlite3) runs on that
/// session's own thread, never on Swift's cooperative pool, so 32 sessions
/// waiting on the server really wait in parallel.
///
/// Values cross the boundary as text (`nil` is SQL NULL); parameters are
/// written `$1`, `$2`, … in both dialects.
///
/// It is all the fleet layer knows of a driver: what only one driver can
/// answer (a standby, a WAL position, a schema) is asked here too, and the
/// other answers as a server without it, so Fleet never names a concrete
/// session type to ask.
package protocol DatabaseSession: Actor {
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

    // MARK: - Tenants and version tables

    /// Points unqualified names at one schema (a pooled session moving to
    /// the next tenant of its shard); `local`: only until the end of the
    /// current transaction. SQLite has no schemas: it throws.
    func setSearchPath(_ schema: String, local: Bool) async throws
    /// The version tables of `targets`, all in this session's database,
    /// read without creating anything: one state per target, in order
    /// (``VersionState/uninitialized`` without a version table). A single
    /// target is a batch of one. Without `checksums` the history is not
    /// read. `expected`: the migration files' checksums by database and
    /// revision; an applied checksum equal to one is that String, so many
    /// targets keep no copies. Dirty marks are not probed for a live run
    /// (see ``isMigrationLockHeld(key:)``).
    func readVersionStates(of targets: [Target], checksums: Bool,
                           expected: [String: [String: String]]) async throws -> [VersionState]

    // MARK: - Schema descriptions (SPEC §10.1)

    /// What each of `targets` (all in this session's database) looks like:
    /// its canonical schema lines, the target's own schema written
    /// `{schema}`, its version tables left out; nil for a target whose
    /// schema does not exist. PostgreSQL reads a whole shard's schemas in
    /// one catalog query; SQLite describes its file. `everySchema`: a
    /// tenant's description also holds the database's other schemas (a
    /// scratch database, to catch a migration writing outside its tenant's
    /// schema). Changes nothing.
    func describeSchemas(of targets: [Target], everySchema: Bool) async throws -> [SchemaDescription?]

    // MARK: - Streaming replication (SPEC §7)

    // PostgreSQL asks the server; SQLite answers as a server without
    // replicas: never a standby, no WAL, nothing to flush or replay.

    /// Whether the server is a standby, where no migration can run.
    func isStandby() async throws -> Bool
    /// The cluster's system identifier, shared by a primary and its
    /// standbys; nil when the server does not say.
    func systemIdentifier() async throws -> String?
    /// Makes this session's commits wait for their local WAL flush, so that
    /// ``currentWALPosition()`` read after a commit covers it (called before
    /// migrating a target whose replicas will be waited for).
    func flushCommitsLocally() async throws
    /// How far the primary has written its WAL; read after a commit, the
    /// position a replica must replay to see it. nil when there is none.
    func currentWALPosition() async throws -> WALPosition?
    /// On a standby, how far it has replayed its primary's WAL; nil elsewhere.
    func replayPosition() async throws -> WALPosition?
    /// On a standby, seconds since the last transaction it replayed
    /// committed on the primary; nil when unknown.
    func replayAgeSeconds() async throws -> Double?
    /// Whether a standby's replay is paused; false when it is not, or the
    /// server cannot say.
    func isReplayPaused() async -> Bool
}

extension DatabaseSession {
    package func query(_ sql: String) async throws -> [[String?]] {
        try await query(sql, [])
    }

    /// One call after the other (sessions without round trips to save).
    package func beginAndQuery(_ sql: String) async throws -> [[String?]] {
        try await begin()
        return try await query(sql)
    }

    /// One call after the other (sessions without round trips to save).
    package func executeAndCommit(_ statements: [BoundStatement]) async throws {
        for statement in statements {
            _ = try await query(statement.sql, statement.parameters)
        }
        try await commit()
    }
}

/// A statement and its text parameters (`$1`…`$n`; nil is NULL).
package struct BoundStatement: Sendable, Equatable {
    package var sql: String
    package var parameters: [String?]

    package init(_ sql: String, _ parameters: [String?] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}
