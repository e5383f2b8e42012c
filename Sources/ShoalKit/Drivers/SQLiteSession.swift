import CSQLite

/// A ``DatabaseSession`` over one SQLite file.
///
/// An actor whose executor is its own ``BlockingExecutor``: every sqlite3
/// call, including the busy wait of `BEGIN IMMEDIATE`, runs on this session's
/// dispatch queue, never on Swift's cooperative pool. Cancelling the calling
/// task interrupts the running statement (`sqlite3_interrupt`), which then
/// fails with a ``ShoalError`` of kind `.interrupted`.
///
/// Errors are ``ShoalError``s of kind `.database` whose `message` is
/// `sqlite3_errmsg`, whose `detail` names the failing statement
/// (`statement 2: INSERT …`), and whose ``ShoalError/failure`` holds SQLite's
/// extended result code and the statement; `sqlState` is the code's *name*
/// (`SQLITE_CONSTRAINT_UNIQUE`), or its decimal number for a code newer than
/// shoal knows. `SQLITE_BUSY`/`SQLITE_LOCKED` give kind `.locked`: another
/// process holds the database.
///
/// ```swift
/// let session = try await SQLiteSession.open(path: "/tmp/app.sqlite", mode: .readWrite)
/// try await session.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)")
/// let rows = try await session.query("SELECT x FROM t WHERE x = $1", ["1"])  // [["1"]]
/// ```
package actor SQLiteSession: DatabaseSession {
    /// How ``open(path:mode:busyTimeoutMs:)`` treats the file.
    package enum OpenMode: Sendable {
        /// Read and write; creates the file and its parent directories.
        case readWrite
        /// Read only; fails, naming the path, if the file is missing.
        case readOnly
    }

    /// Always `.sqlite`.
    package nonisolated let driver: DriverKind = .sqlite
    /// The database file.
    package nonisolated let path: String
    private nonisolated let executor: BlockingExecutor
    /// nil once closed.
    private var connection: SQLiteConnection?
    /// shoal's migrator lock, while this session holds it.
    private var migrationLock: SQLiteMigrationLock?

    /// This session's own serial queue.
    package nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    private init(path: String) {
        self.path = path
        executor = BlockingExecutor(label: "shoal.sqlite \(path)")
    }

    /// Opens the SQLite file at `path` (on the new session's own queue).
    ///
    /// `busyTimeoutMs` (default 5000) is sqlite3's busy timeout: `BEGIN
    /// IMMEDIATE` waits that long for another writer before failing with kind
    /// `.locked`, instead of failing at once.
    package static func open(path: String, mode: OpenMode, busyTimeoutMs: Int = 5000) async throws -> SQLiteSession {
        let session = SQLiteSession(path: path)
        try await session.connect(mode: mode, busyTimeoutMs: busyTimeoutMs)
        return session
    }

    private func connect(mode: OpenMode, busyTimeoutMs: Int) throws {
        connection = try SQLiteConnection(path: path, mode: mode, busyTimeoutMs: busyTimeoutMs)
    }

    /// Runs a script of one or more statements in order, discarding rows. The
    /// first failing statement stops the script; its error names it.
    package func execute(_ sql: String) async throws {
        try await withConnection { try $0.execute(sql) }
    }

    /// Runs one statement with `$1`…`$n` bound as text (`nil` binds NULL) and
    /// returns its rows as text (NULL is nil; integers are their decimal text).
    package func query(_ sql: String, _ parameters: [String?]) async throws -> [[String?]] {
        try await withConnection { try $0.query(sql, parameters) }
    }

    /// `BEGIN IMMEDIATE`: takes SQLite's write lock now, waiting up to the
    /// busy timeout for another writer.
    package func begin() async throws {
        try await withConnection { try $0.execute("BEGIN IMMEDIATE") }
    }

    /// `COMMIT`.
    package func commit() async throws {
        try await withConnection { try $0.execute("COMMIT") }
    }

    /// Rolls back the open transaction, if any; never throws, and works even
    /// when the calling task is cancelled.
    package func rollback() async {
        connection?.rollbackIfNeeded()
    }

    /// True between ``begin()`` and ``commit()``/``rollback()``, and false
    /// after SQLite rolled a transaction back by itself.
    package var isInTransaction: Bool {
        connection?.isInTransaction ?? false
    }

    /// `"name"`, with `"` doubled.
    package nonisolated func quoteIdentifier(_ identifier: String) -> String {
        VersionTableSQL.quote(identifier)
    }

    /// Takes shoal's migrator lock on this file (``SQLiteMigrationLock``, a
    /// `flock` on `.<name>.shoal-lock` beside it), polling until `timeout`;
    /// false when another session still holds it. One lock per file, so
    /// `key` is not needed. SQLite's own write lock is still taken per
    /// transaction by `BEGIN IMMEDIATE` (see ``begin()``), against writers
    /// that are not shoal.
    package func acquireMigrationLock(key: String, timeout: Duration) async throws -> Bool {
        _ = try live()
        if migrationLock != nil { return true }
        return try await LockPolling.poll(timeout: timeout) {
            migrationLock = try SQLiteMigrationLock.tryAcquire(database: path)
            return migrationLock != nil
        }
    }

    /// Lets the lock of ``acquireMigrationLock(key:timeout:)`` go.
    package func releaseMigrationLock(key: String) async {
        migrationLock?.release()
        migrationLock = nil
    }

    /// Whether a session (of any process) holds shoal's migrator lock on
    /// this file; takes nothing.
    package func isMigrationLockHeld(key: String) async throws -> Bool {
        _ = try live()
        return SQLiteMigrationLock.isHeld(database: path)
    }

    /// SQLite has no schemas (only PostgreSQL sessions move from tenant to
    /// tenant): throws.
    package func setSearchPath(_ schema: String, local: Bool) async throws {
        throw ShoalError(.database, "SQLite has no schemas: the session for \(path) cannot use schema \(schema)")
    }

    /// The version tables of `targets` (tables in this file), each read as
    /// ``SQLiteStateReader`` reads a file, tables looked up first: a session
    /// reads a target it is about to migrate, often a new file, which then
    /// costs the lookup alone.
    package func readVersionStates(of targets: [Target], checksums: Bool,
                                  expected: [String: [String: String]]) async throws -> [VersionState] {
        try await withConnection { connection in
            try targets.map { target in
                try SQLiteStateReader.state(of: target, on: connection, checksums: checksums,
                                            expected: expected[target.database], lookUpFirst: true)
            }
        }
    }

    /// The file's description, once per target (each leaving out its own
    /// version tables); SQLite has one schema per file.
    package func describeSchemas(of targets: [Target], everySchema: Bool) async throws -> [SchemaDescription?] {
        try await withConnection { connection in
            try targets.map { target in
                try SQLiteSchemaCatalog.describe(on: connection, excluding: Set(target.shoalTables))
            }
        }
    }

    /// Closes the connection (rolling back an open transaction) and lets
    /// the migrator lock go. Further calls fail.
    package func close() async {
        connection = nil
        migrationLock?.release()
        migrationLock = nil
    }

    // MARK: - Private

    private func live() throws -> SQLiteConnection {
        guard let connection else {
            throw ShoalError(.database, "the SQLite session for \(path) is closed")
        }
        return connection
    }

    /// Runs `body` on this session's queue; task cancellation meanwhile
    /// interrupts the running statement.
    private func withConnection<T: Sendable>(_ body: (SQLiteConnection) throws -> T) async throws -> T {
        let connection = try live()
        return try await withTaskCancellationHandler {
            // Calling an isolated method without `await` makes the compiler
            // prove that this closure runs on the session's queue. A closure
            // that does not capture `self` would be nonisolated, and its
            // blocking call would run on the cooperative pool instead.
            try self.run(body, on: connection)
        } onCancel: {
            connection.interrupt()
        }
    }

    private func run<T>(_ body: (SQLiteConnection) throws -> T, on connection: SQLiteConnection) rethrows -> T {
        try body(connection)
    }
}

extension SQLiteSession {
    /// Switches off sqlite3's memory statistics for the whole process. With
    /// them on (sqlite3's default), every allocation of every connection
    /// takes one process-wide mutex, and eight sessions migrating at once
    /// spend a tenth of their CPU contending for it (W1 of `scripts/bench`).
    /// Without them, `sqlite3_memory_used()` reports nothing.
    ///
    /// A process-wide setting, so ShoalKit never makes it by itself: the
    /// shoal CLI calls this at start; an app that embeds ShoalKit may, before
    /// it opens its first SQLite database. Returns false when that is too
    /// late (sqlite3 is already initialized) and nothing changed.
    @discardableResult
    package static func disableMemoryStatistics() -> Bool {
        shoal_sqlite3_disable_memstatus() == SQLITE_OK
    }
}
