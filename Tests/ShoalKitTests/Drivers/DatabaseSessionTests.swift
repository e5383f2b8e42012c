import Testing
import ShoalTestSupport
@testable import ShoalKit

/// What every ``DatabaseSession`` promises, proved by one test on a real
/// SQLite file and on a real PostgreSQL database: scripts, parameters and
/// NULLs, transactions and their one-call forms, quoting, the migrator lock
/// and closing. What one driver does its own way is in its own suites
/// (SQLiteSessionTests, SQLiteMigrationLockTests, PostgresSessionTests,
/// PostgresSessionLockingTests).
@Suite struct DatabaseSessionTests {
    static let drivers = DriverKind.allCases

    /// Whether `session` has a transaction open, asked each driver's way:
    /// SQLite's connection knows; on PostgreSQL `now()` (the transaction's
    /// start) stands still only inside a transaction.
    static func isInTransaction(_ session: any DatabaseSession) async throws -> Bool {
        if let sqlite = session as? SQLiteSession { return await sqlite.isInTransaction }
        let first = try await session.query("SELECT now()")
        return try await session.query("SELECT now()") == first
    }

    /// The tables of the session's database (PostgreSQL: of `public`).
    static func tableNames(_ session: any DatabaseSession, _ driver: DriverKind) async throws -> [[String?]] {
        switch driver {
        case .sqlite: try await session.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        case .postgres: try await session.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
    }

    // MARK: Statements and parameters

    @Test(arguments: drivers)
    func executeRunsEveryStatementOfAScript(driver: DriverKind) async throws {
        try await ScratchDatabase.withSession(driver) { session, _ throws in
            try await session.execute("""
                -- a comment first
                CREATE TABLE a (x int);
                INSERT INTO a VALUES (1), (2);
                SELECT * FROM a;
                CREATE TABLE b (y int);
                INSERT INTO b SELECT x * 10 FROM a; -- trailing comment
                """)
            #expect(try await session.query("SELECT count(*) FROM a") == [["2"]])
            #expect(try await session.query("SELECT y FROM b ORDER BY y") == [["10"], ["20"]])
        }
    }

    @Test(arguments: drivers)
    func queryBindsNumberedParametersAndReturnsTextAndNulls(driver: DriverKind) async throws {
        try await ScratchDatabase.withSession(driver) { session, _ throws in
            try await session.execute("CREATE TABLE t (id integer, name text, note text)")
            _ = try await session.query("INSERT INTO t VALUES ($1, $2, $3)", ["7", "it's", nil])
            // $2 before $1: bound by name, not by order of appearance. (The
            // cast gives $1 one type on PostgreSQL, the column's.)
            let rows = try await session.query("SELECT $2, CAST($1 AS integer), NULL, 42, id, name, note FROM t WHERE id = $1", ["7", "x"])
            #expect(rows == [["x", "7", nil, "42", "7", "it's", nil]])
            #expect(try await session.query("SELECT name FROM t WHERE id = $1", ["8"]).isEmpty)
        }
    }

    @Test(arguments: drivers)
    func queryPassesParametersAsValuesNeverAsSQL(driver: DriverKind) async throws {
        try await ScratchDatabase.withSession(driver) { session, _ throws in
            try await session.execute("CREATE TABLE victims (name text)")
            let hostile = "it's a \"quote\"'); DROP TABLE victims; --"
            let rows = try await session.query("SELECT CAST($1 AS text), CAST($2 AS text), CAST($3 AS integer) + 1, CAST($4 AS text)",
                                               [hostile, nil, "41", "é ✓"])
            #expect(rows == [[hostile, nil, "42", "é ✓"]])

            _ = try await session.query("INSERT INTO victims VALUES ($1), ($2)", [hostile, nil])
            #expect(try await session.query("SELECT name FROM victims ORDER BY name NULLS LAST") == [[hostile], [nil]])
        }
    }

    @Test(arguments: drivers)
    func queryReturnsNoRowsForAStatementWithoutResults(driver: DriverKind) async throws {
        try await ScratchDatabase.withSession(driver) { session, _ throws in
            #expect(try await session.query("CREATE TABLE t (x int)").isEmpty)
            #expect(try await session.query("SELECT x FROM t").isEmpty)
        }
    }

    @Test(arguments: drivers)
    func quoteIdentifierDoublesQuotes(driver: DriverKind) async throws {
        try await ScratchDatabase.withSession(driver) { session, _ throws in
            #expect(session.quoteIdentifier("users") == "\"users\"")
            #expect(session.quoteIdentifier("a\"b") == "\"a\"\"b\"")
            #expect(session.quoteIdentifier(#"odd"name"#) == #""odd""name""#)
            let name = "Weird \"name\"; --"
            try await session.execute("CREATE TABLE \(session.quoteIdentifier(name)) (x int)")
            #expect(try await Self.tableNames(session, driver) == [[name]])
        }
    }

    // MARK: Transactions

    @Test(arguments: drivers)
    func commitKeepsAndRollbackDiscards(driver: DriverKind) async throws {
        try await ScratchDatabase.withSession(driver) { session, _ throws in
            try await session.execute("CREATE TABLE t (x int)")
            try await session.begin()
            #expect(try await Self.isInTransaction(session))
            try await session.execute("INSERT INTO t VALUES (1)")
            await session.rollback()
            #expect(try await !Self.isInTransaction(session))
            #expect(try await session.query("SELECT count(*) FROM t") == [["0"]])

            try await session.begin()
            try await session.execute("INSERT INTO t VALUES (2)")
            try await session.commit()
            #expect(try await !Self.isInTransaction(session))
            try await session.begin()
            try await session.execute("INSERT INTO t VALUES (3)")
            await session.rollback()
            #expect(try await session.query("SELECT x FROM t") == [["2"]])

            await session.rollback()  // no transaction: a no-op (PostgreSQL warns), not an error
            #expect(try await session.query("SELECT x FROM t") == [["2"]])
        }
    }

    @Test(arguments: drivers)
    func beginAndQueryOpensATransactionAndReturnsTheRows(driver: DriverKind) async throws {
        try await ScratchDatabase.withSession(driver) { session, _ throws in
            try await session.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)")
            #expect(try await session.beginAndQuery("SELECT x FROM t ORDER BY x") == [["1"], ["2"]])
            #expect(try await Self.isInTransaction(session), "inside a transaction")
            try await session.execute("INSERT INTO t VALUES (3)")
            await session.rollback()
            #expect(try await !Self.isInTransaction(session))
            #expect(try await session.query("SELECT count(*) FROM t") == [["2"]])
        }
    }

    @Test(arguments: drivers)
    func executeAndCommitCommitsEveryStatementWithItsParameters(driver: DriverKind) async throws {
        try await ScratchDatabase.withSession(driver) { session, _ throws in
            try await session.execute("CREATE TABLE t (x int, note text)")
            _ = try await session.beginAndQuery("SELECT 1")
            try await session.executeAndCommit([
                BoundStatement("INSERT INTO t VALUES ($1, $2)", ["1", "it's"]),
                BoundStatement("INSERT INTO t VALUES ($1, $2)", ["2", nil]),
                BoundStatement("DELETE FROM t WHERE x = $1", ["1"]),
            ])
            #expect(try await !Self.isInTransaction(session))
            await session.rollback()  // nothing open: the commit went through
            #expect(try await session.query("SELECT x, note FROM t") == [["2", nil]])
        }
    }

    @Test(arguments: drivers)
    func aFailedStatementInExecuteAndCommitCommitsNothing(driver: DriverKind) async throws {
        try await ScratchDatabase.withSession(driver) { session, _ throws in
            try await session.execute("CREATE TABLE t (x int UNIQUE); INSERT INTO t VALUES (1)")
            _ = try await session.beginAndQuery("SELECT 1")
            await #expect(throws: ShoalError.self) {
                try await session.executeAndCommit([BoundStatement("INSERT INTO t VALUES ($1)", ["2"]),
                                                    BoundStatement("INSERT INTO t VALUES ($1)", ["1"])])
            }
            await session.rollback()
            #expect(try await session.query("SELECT x FROM t") == [["1"]], "nothing of the transaction was kept")
        }
    }

    // MARK: The migrator lock

    @Test(arguments: drivers)
    func migrationLockIsHeldBySessionUntilReleasedAndTheProbeTakesNothing(driver: DriverKind) async throws {
        try await ScratchDatabase.withSession(driver) { first, database throws in
            let second = try await database.open()
            let key = "app/tenant_a/shoal_version"
            #expect(try await first.isMigrationLockHeld(key: key) == false)
            #expect(try await second.isMigrationLockHeld(key: key) == false)
            #expect(try await first.acquireMigrationLock(key: key, timeout: .zero))
            #expect(try await second.isMigrationLockHeld(key: key))

            let clock = ContinuousClock()
            let start = clock.now
            #expect(try await second.acquireMigrationLock(key: key, timeout: .milliseconds(300)) == false)
            #expect(clock.now - start >= .milliseconds(300), "waits for the whole timeout")
            // The probe took nothing: the holder still has it, nobody else can get it.
            #expect(try await second.isMigrationLockHeld(key: key))
            #expect(try await second.acquireMigrationLock(key: key, timeout: .zero) == false)

            await first.releaseMigrationLock(key: key)
            #expect(try await second.isMigrationLockHeld(key: key) == false)
            #expect(try await second.acquireMigrationLock(key: key, timeout: .zero))
            await second.close()
        }
    }

    /// How the holder lets its lock go.
    enum LetGo: CaseIterable, Sendable {
        case release
        /// Closing a session lets its lock go too.
        case close
    }

    @Test(arguments: drivers, LetGo.allCases)
    func aWaiterTakesTheLockWhenTheHolderLetsGo(driver: DriverKind, letGo: LetGo) async throws {
        try await ScratchDatabase.withSession(driver) { first, database throws in
            let second = try await database.open()
            #expect(try await first.acquireMigrationLock(key: "k", timeout: .zero))
            let backend = driver == .postgres ? try await second.query("SELECT pg_backend_pid()")[0][0] : nil
            async let taken = second.acquireMigrationLock(key: "k", timeout: .seconds(60))
            // On PostgreSQL, let go only once the second session is polling
            // for the lock (a SQLite file's waiter cannot be seen from outside).
            if let backend { try await PostgresSessionLockingTests.waitUntilPolling(backend, url: database.location) }
            switch letGo {
            case .release: await first.releaseMigrationLock(key: "k")
            case .close: await first.close()
            }
            #expect(try await taken)
            let third = try await database.open()
            #expect(try await third.acquireMigrationLock(key: "k", timeout: .zero) == false, "the waiter holds it now")
            await third.close()
            await second.close()
        }
    }

    // MARK: Closing

    @Test(arguments: drivers)
    func closeIsIdempotentAndLaterCallsFail(driver: DriverKind) async throws {
        try await ScratchDatabase.with(driver) { database throws in
            let session = try await database.open()
            await session.close()
            await session.close()
            let query = await #expect(throws: ShoalError.self) { try await session.query("SELECT 1") }
            #expect(query?.message.contains("closed") == true)
            let execute = await #expect(throws: ShoalError.self) { try await session.execute("SELECT 1") }
            #expect(execute?.message.contains("closed") == true)
            await session.rollback()
        }
    }
}
