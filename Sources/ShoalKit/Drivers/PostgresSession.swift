import CLibPQ
import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// PostgreSQL over libpq.
///
/// An actor whose `unownedExecutor` is a ``BlockingExecutor``: every blocking
/// libpq call runs on the session's own queue, never on Swift's cooperative
/// pool, so many sessions waiting on their servers wait in parallel.
///
/// ```swift
/// let session = try await PostgresSession.connect("postgres://app@db1/accounts",
///                                                 settings: SessionSettings(lockTimeoutMs: 2000))
/// try await session.execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1)")
/// let rows = try await session.query("SELECT id FROM t WHERE id = $1", ["1"])
/// await session.close()
/// ```
///
/// Cancelling the task that is running a statement sends the server a
/// cancel request (`PQcancel`), so the statement stops on the server too and
/// fails with SQLSTATE 57014.
package actor PostgresSession: DatabaseSession {
    /// Always ``DriverKind/postgres``.
    package nonisolated let driver: DriverKind = .postgres
    private let executor: BlockingExecutor
    private var connection: PostgresConnection?
    /// `current_database()`, read once at connect: part of every lock key.
    private var databaseName = ""
    /// `current_user` once the session is set up: the `role` key's role
    /// after `SET ROLE`, else the login role. Errors for want of a
    /// privilege name it (``PrivilegeAdvice``).
    private var currentRole = ""

    /// Runs the actor's jobs on the session's own queue.
    package nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    private init() {
        executor = BlockingExecutor(label: "shoal.postgres-session")
    }

    /// Connects from a libpq URL or conninfo string exactly as `psql` would,
    /// so `PGPASSWORD`, `.pgpass`, `sslmode` and service files work, then
    /// applies `settings` (`lock_timeout`, and `statement_timeout` when set)
    /// to the session.
    ///
    /// `application_name` is always `shoal`; `connect_timeout` is 10 seconds
    /// unless the conninfo or `PGCONNECT_TIMEOUT` says otherwise; the client
    /// encoding is UTF-8 unless the conninfo or `PGCLIENTENCODING` says
    /// otherwise; `gssencmode` is `disable` unless the conninfo sets it, a
    /// Kerberos setting or a service, or `PGGSSENCMODE`, `PGKRBSRVNAME`,
    /// `PGGSSLIB` or `PGSERVICE` is set (GSSAPI encryption is then
    /// negotiated as libpq's default `prefer` says: a Kerberos user who
    /// wants it writes `gssencmode=prefer` or `require` in the URL). A
    /// failure is a ``ShoalError`` of kind `database` naming the redacted
    /// conninfo and libpq's (redacted) reason.
    ///
    /// `searchPath`, when given, becomes the session's `search_path` (the
    /// schema quoted), set in the same round trip as the settings, and so
    /// does `settings.role` (`SET ROLE`, SPEC §14): a role the login role is
    /// not a member of fails the connection with an error naming both.
    package static func connect(_ conninfo: String, settings: SessionSettings = SessionSettings(),
                               searchPath: String? = nil) async throws -> PostgresSession {
        let session = PostgresSession()
        try await session.open(conninfo, settings: settings, searchPath: searchPath)
        return session
    }

    /// The keyword/value pairs given to `PQconnectdbParams` (with
    /// `expand_dbname = 1`). Keywords before `dbname` are defaults the
    /// conninfo may override; keywords after it override the conninfo.
    static func connectionParameters(
        for conninfo: String,
        isEnvironmentSet: (String) -> Bool = { getenv($0) != nil }
    ) -> [(keyword: String, value: String)] {
        var parameters: [(keyword: String, value: String)] = []
        if !isEnvironmentSet("PGCONNECT_TIMEOUT") {
            parameters.append((keyword: "connect_timeout", value: "10"))
        }
        if !isEnvironmentSet("PGCLIENTENCODING") {
            parameters.append((keyword: "client_encoding", value: "UTF8"))
        }
        // Without a Kerberos ticket, `prefer` only costs time in krb5; with
        // one, a round trip to a server that has no GSSAPI encryption.
        if !["PGGSSENCMODE", "PGKRBSRVNAME", "PGGSSLIB", "PGSERVICE"].contains(where: isEnvironmentSet),
           !PostgresURL.setsGSSAPI(conninfo) {
            parameters.append((keyword: "gssencmode", value: "disable"))
        }
        parameters.append((keyword: "dbname", value: conninfo))
        parameters.append((keyword: "application_name", value: "shoal"))
        return parameters
    }

    /// One statement sets the session up (a round trip per setting would
    /// add up over a fleet's sessions): the role, the timeouts, the search
    /// path, and the database's name and current role back.
    private func open(_ conninfo: String, settings: SessionSettings, searchPath: String?) throws {
        let connection = try PostgresConnection(
            parameters: Self.connectionParameters(for: conninfo), conninfoForMessages: conninfo)
        var columns: [String] = []
        var values: [String?] = []
        if let role = settings.role {
            // The role's name as a parameter, never in SQL: `SET ROLE` with
            // set_config, first, so that the settings below are its.
            values.append(role)
            columns.append("set_config('role', $\(values.count), false)")
        }
        values.append(String(settings.lockTimeoutMs))
        columns.append("set_config('lock_timeout', $\(values.count), false)")
        if let statementTimeout = settings.statementTimeoutMs {
            values.append(String(statementTimeout))
            columns.append("set_config('statement_timeout', $\(values.count), false)")
        }
        if let searchPath {
            values.append(quoteIdentifier(searchPath))
            columns.append("set_config('search_path', $\(values.count), false)")
        }
        columns += ["current_database()", "current_user"]
        do {
            let rows = try LibPQActivity.shared.tracking {
                try connection.query("SELECT " + columns.joined(separator: ", "), values, cancellable: false).rows
            }
            let row = rows.first ?? []
            databaseName = row.count >= 2 ? row[row.count - 2] ?? "" : ""
            currentRole = row.last.flatMap { $0 } ?? ""
        } catch var error as ShoalError {
            let login = connection.user
            connection.finish()
            if let role = settings.role {
                error = Self.roleRefused(error, role: role, login: login, conninfo: conninfo)
            } else {
                error.message = "cannot set up the session on \(conninfo): \(error.message)"
            }
            throw error.during(.connect)
        }
        self.connection = connection
    }

    /// The error of a session whose `SET ROLE` (or the settings after it)
    /// failed, naming the role, the login role and the grant it lacks.
    private static func roleRefused(_ error: ShoalError, role: String, login: String, conninfo: String) -> ShoalError {
        var error = error
        if error.failure?.isInsufficientPrivilege == true {
            // `permission denied to set role "x"`: the login is no member.
            error.message = "cannot SET ROLE \(role) on \(conninfo): login role \(login) is not a member of role \(role) "
                + "(\(error.message))"
            error.hint = "GRANT \(PrivilegeAdvice.sqlName(role)) TO \(PrivilegeAdvice.sqlName(login)), or fix the `role` key"
        } else {
            error.message = "cannot SET ROLE \(role) on \(conninfo) as login role \(login): \(error.message)"
        }
        return error
    }

    /// Runs `body` on the open connection. When `cancellable`, a cancelled
    /// task refuses to start and cancelling the task mid-statement sends
    /// `PQcancel`; clean-up statements (ROLLBACK, unlock) pass false so they
    /// still run in a cancelled task.
    /// `body` runs as a call inside libpq (``LibPQActivity``).
    /// A statement refused for want of a privilege fails with the grant it
    /// lacks (``PrivilegeAdvice``).
    private func run<Result>(cancellable: Bool, _ body: (PostgresConnection) throws -> Result) async throws -> Result {
        guard let connection else { throw PostgresError.closed }
        guard cancellable else {
            do {
                return try LibPQActivity.shared.tracking { try body(connection) }
            } catch let error as ShoalError {
                throw advised(error)
            }
        }
        if Task.isCancelled { throw PostgresError.cancelledBeforeStart }
        let canceller = connection.canceller
        do {
            return try await withTaskCancellationHandler {
                // This closure must capture `self`: one that does not is
                // nonisolated, and Swift runs it on the cooperative pool instead
                // of the session's queue (8 sessions then wait 2 at a time).
                self.preconditionIsolated()
                return try LibPQActivity.shared.tracking { try body(connection) }
            } onCancel: {
                canceller?.cancelInBackground()
            }
        } catch let error as ShoalError {
            throw advised(error)
        }
    }

    /// `error` with ``PrivilegeAdvice``'s words and grant when the server
    /// refused the statement for want of a privilege; else unchanged.
    private func advised(_ error: ShoalError) -> ShoalError {
        guard error.failure?.isInsufficientPrivilege == true,
              let advice = PrivilegeAdvice.advice(forServerMessage: error.message, role: currentRole) else { return error }
        var error = error
        error.message += ": " + advice.words
        if error.hint == nil { error.hint = advice.sql }
        return error
    }

    /// Runs a script of one or more statements. Outside `BEGIN`, PostgreSQL
    /// runs the whole string as one implicit transaction. Every statement's
    /// result is checked; the first error is thrown with its SQLSTATE,
    /// detail and hint.
    package func execute(_ sql: String) async throws {
        _ = try await run(cancellable: true) { try $0.execute(sql, cancellable: true) }
    }

    /// Runs one statement with text parameters `$1`…`$n` (nil is NULL),
    /// returning every row as text (NULL is nil).
    package func query(_ sql: String, _ parameters: [String?]) async throws -> [[String?]] {
        try await run(cancellable: true) { try $0.query(sql, parameters, cancellable: true).rows }
    }

    /// Runs `count` statements, each a single statement without
    /// parameters, over the simple query protocol one after another, and
    /// hands each one's result to `body` in order, all on the session's
    /// thread: no task hop between two statements. Statement `i + 1` is sent
    /// before `body` reads statement `i`'s rows, and `statement(i + 2)` is
    /// built while `i + 1` runs, so the server works while the client folds.
    /// The first failure is thrown, after the connection is idle again.
    ///
    /// For large statements shoal builds and runs once, such as the `UNION
    /// ALL` that reads many tenants' version tables: PostgreSQL parses and
    /// plans them a quarter faster over the simple protocol than through
    /// Parse/Bind/Execute.
    func forEachSimpleResult(count: Int, statement: (Int) -> String,
                             _ body: (Int, PostgresResult) throws -> Void) async throws {
        guard count > 0 else { return }
        try await run(cancellable: true) { connection in
            try connection.send(statement(0))
            var next = count > 1 ? statement(1) : nil
            for index in 0..<count {
                let results = try connection.collectResults(cancellable: true, statement: nil)
                if let sql = next {
                    try connection.send(sql)
                    next = index + 2 < count ? statement(index + 2) : nil
                }
                do {
                    guard results.count == 1 else {
                        throw ShoalError(.database, "a statement of a batch read held \(results.count) statements, not one")
                    }
                    try body(index, results[0])
                } catch {
                    if index + 1 < count { _ = try? connection.collectResults(cancellable: false, statement: nil) }
                    throw error
                }
            }
        }
    }

    /// `BEGIN`.
    package func begin() async throws {
        try await execute("BEGIN")
    }

    /// `COMMIT`. When the server answers `ROLLBACK` (a statement in the
    /// transaction had failed), nothing was saved and this throws, SQLSTATE 25P02.
    package func commit() async throws {
        let results = try await run(cancellable: true) { try $0.execute("COMMIT", cancellable: true) }
        if results.last?.commandStatus == "ROLLBACK" {
            throw PostgresError.commitRolledBack
        }
    }

    /// `BEGIN` and `sql` in one pipeline: one round trip.
    package func beginAndQuery(_ sql: String) async throws -> [[String?]] {
        let results = try await run(cancellable: true) {
            try $0.pipeline([BoundStatement("BEGIN"), BoundStatement(sql)], cancellable: true)
        }
        return results.last?.rows ?? []
    }

    /// `statements` and `COMMIT` in one pipeline: one round trip. Throws
    /// the first error (the server skips what follows it, so nothing is
    /// committed), or SQLSTATE 25P02 if the server answers `ROLLBACK`.
    package func executeAndCommit(_ statements: [BoundStatement]) async throws {
        let results = try await run(cancellable: true) {
            try $0.pipeline(statements + [BoundStatement("COMMIT")], cancellable: true)
        }
        if results.last?.commandStatus == "ROLLBACK" {
            throw PostgresError.commitRolledBack
        }
    }

    /// `ROLLBACK`, also in a cancelled task; never throws.
    package func rollback() async {
        _ = try? await run(cancellable: false) { try $0.execute("ROLLBACK", cancellable: false) }
    }

    /// `"name"` with embedded double quotes doubled: what `PQescapeIdentifier`
    /// produces for UTF-8.
    package nonisolated func quoteIdentifier(_ identifier: String) -> String {
        VersionTableSQL.quote(identifier)
    }

    /// Takes the session advisory lock for `key` in this database, polling
    /// `pg_try_advisory_lock` (10 ms, doubling to 500 ms) until `timeout`.
    /// It never waits inside `pg_advisory_lock`: a blocked session holds a
    /// snapshot that another runner's `CREATE INDEX CONCURRENTLY` would wait
    /// for (SPEC §7). Returns false when another session still holds it.
    package func acquireMigrationLock(key: String, timeout: Duration) async throws -> Bool {
        let lockKey = String(Self.advisoryLockKey(database: databaseName, key: key))
        return try await LockPolling.poll(timeout: timeout) {
            try await query("SELECT pg_try_advisory_lock($1::bigint)", [lockKey]).first?.first == "t"
        }
    }

    /// Releases the lock taken by ``acquireMigrationLock(key:timeout:)``;
    /// never throws (closing the session releases it too).
    package func releaseMigrationLock(key: String) async {
        let lockKey = String(Self.advisoryLockKey(database: databaseName, key: key))
        _ = try? await run(cancellable: false) {
            try $0.query("SELECT pg_advisory_unlock($1::bigint)", [lockKey], cancellable: false)
        }
    }

    /// Whether a session holds the advisory lock of
    /// ``acquireMigrationLock(key:timeout:)``, read from `pg_locks` (a
    /// bigint advisory key shows as `classid` = its high and `objid` = its
    /// low 32 bits, `objsubid` 1), so nothing is taken, not even for a moment.
    package func isMigrationLockHeld(key: String) async throws -> Bool {
        let lockKey = UInt64(bitPattern: Self.advisoryLockKey(database: databaseName, key: key))
        let rows = try await query("""
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted \
            AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) \
            AND classid = $1::oid AND objid = $2::oid AND objsubid = 1)
            """, [String(lockKey >> 32), String(lockKey & 0xFFFF_FFFF)])
        return rows.first?.first == "t"
    }

    /// The advisory lock key: the first 8 bytes, big-endian, of the SHA-256
    /// of `shoal:<database>:<key>`.
    static func advisoryLockKey(database: String, key: String) -> Int64 {
        let digest = SHA256.hash(data: Array("shoal:\(database):\(key)".utf8))
        let bits = digest.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        return Int64(bitPattern: bits)
    }

    /// Sets `search_path` to one schema, quoted, passed as a parameter of
    /// `set_config` (never pasted into SQL). `local`: only until the end of
    /// the current transaction.
    package func setSearchPath(_ schema: String, local: Bool) async throws {
        _ = try await query("SELECT set_config('search_path', $1, $2::boolean)",
                            [quoteIdentifier(schema), local ? "true" : "false"])
    }

    /// The version tables of `targets` (all on this database) in one
    /// catalog query and one `UNION ALL` per 25 of them
    /// (``VersionStore/readStates(of:on:checksums:chunkSize:expected:)``).
    package func readVersionStates(of targets: [Target], checksums: Bool,
                                  expected: [String: [String: String]]) async throws -> [VersionState] {
        try await VersionStore.readStates(of: targets, on: self, checksums: checksums, expected: expected)
    }

    /// A shard's schemas in one catalog query (``PostgresSchemaCatalog``).
    package func describeSchemas(of targets: [Target], everySchema: Bool) async throws -> [SchemaDescription?] {
        try await PostgresSchemaCatalog.describe(targets, everySchema: everySchema, on: self)
    }

    /// `pg_is_in_recovery()`: true on a standby, where DDL cannot run.
    package func isStandby() async throws -> Bool {
        try await query("SELECT pg_is_in_recovery()").first?.first == "t"
    }

    /// The server's version as `PQserverVersion` gives it (150004 for 15.4);
    /// 0 once the session is closed.
    package func serverVersion() -> Int {
        connection?.serverVersion ?? 0
    }

    /// `DROP DATABASE IF EXISTS name`, `WITH (FORCE)` from PostgreSQL 13 on
    /// (ending any session still in it), also in a cancelled task: a scratch
    /// database must go when Ctrl-C stopped the work in it.
    ///
    /// It first waits, up to 10 s, for the other backends in the database
    /// to end: a session shoal has just closed is still exiting on the
    /// server for a moment, and `FORCE` may end only the backends of roles
    /// the current role is a member of, which the login role's are not after
    /// `SET ROLE` (the `role` key). The wait blocks the session's own
    /// thread, so that it works in a cancelled task too.
    package func dropDatabase(_ name: String) async throws {
        let sql = "DROP DATABASE IF EXISTS \(quoteIdentifier(name))" + (serverVersion() >= 130_000 ? " WITH (FORCE)" : "")
        _ = try await run(cancellable: false) { connection in
            let others = """
                SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()
                """
            func othersRemain() throws -> Bool {
                let count = try connection.query(others, [name], cancellable: false).rows.first?.first ?? nil
                return count != "0"
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline, try othersRemain() {
                usleep(20_000)
            }
            try connection.execute(sql, cancellable: false)
        }
    }

    /// Closes the connection (`PQfinish`); further calls throw. Closing twice
    /// is harmless. A session dropped without closing is finished in `deinit`.
    package func close() async {
        connection?.finish()
        connection = nil
    }
}
