import Testing
import ShoalTestSupport
@testable import ShoalKit

/// PostgresSession against a real server: its migration locks (one per key,
/// never waited for inside PostgreSQL), lock and statement timeouts,
/// search_path, task cancellation, and proof that sessions wait off Swift's
/// cooperative pool. The lock's common behaviour is in DatabaseSessionTests.
@Suite struct PostgresSessionLockingTests {
    /// Each key is a lock of its own (a SQLite file has one lock, whatever the key).
    @Test func migrationLocksOfOtherKeysAreOtherLocks() async throws {
        try await PostgresTestServer.withScratchSession { first, url throws in
            let second = try await PostgresSession.connect(url)
            #expect(try await first.acquireMigrationLock(key: "app/tenant_a/shoal_version", timeout: .zero))
            #expect(try await second.isMigrationLockHeld(key: "app/tenant_b/shoal_version") == false, "another key")
            #expect(try await second.acquireMigrationLock(key: "app/tenant_b/shoal_version", timeout: .zero),
                    "another key is another lock")
            await second.close()
        }
    }

    @Test func migrationLockNeverBlocksInsidePostgres() async throws {
        try await PostgresTestServer.withScratchSession { first, url throws in
            let second = try await PostgresSession.connect(url)
            let observer = try await PostgresSession.connect(url)
            #expect(try await first.acquireMigrationLock(key: "k", timeout: .zero))
            let pid = try await second.query("SELECT pg_backend_pid()")[0][0]!
            async let waiting = second.acquireMigrationLock(key: "k", timeout: .seconds(1))
            // While it waits (from its first poll on), no backend of this
            // database ever waits on an advisory lock inside PostgreSQL.
            try await Self.waitUntilPolling(pid, url: url)
            var blocked: [[String?]] = []
            for _ in 0..<5 {
                blocked = try await observer.query("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'
                    """)
                if blocked != [["0"]] { break }
            }
            #expect(blocked == [["0"]])
            #expect(try await waiting == false)
            await second.close()
            await observer.close()
        }
    }

    /// Waits until the backend `pid` has run `pg_try_advisory_lock` (it is
    /// polling for a lock someone else holds), as `pg_stat_activity` shows.
    static func waitUntilPolling(_ pid: String, url: String) async throws {
        let observer = try await PostgresSession.connect(url)
        defer { Task { await observer.close() } }
        for _ in 0..<6_000 {
            let rows = try await observer.query("SELECT query FROM pg_stat_activity WHERE pid = $1::int", [pid])
            if rows.first?.first??.contains("pg_try_advisory_lock") == true { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("backend \(pid) never polled for the lock")
    }

    @Test func advisoryLockKeyDependsOnDatabaseAndKey() {
        let key = PostgresSession.advisoryLockKey(database: "accounts", key: "tenant_acme.shoal_version")
        #expect(key == PostgresSession.advisoryLockKey(database: "accounts", key: "tenant_acme.shoal_version"))
        #expect(key != PostgresSession.advisoryLockKey(database: "billing", key: "tenant_acme.shoal_version"))
        #expect(key != PostgresSession.advisoryLockKey(database: "accounts", key: "tenant_acme.other"))
    }

    @Test func lockTimeoutFailsWith55P03WhenAnotherSessionHoldsTheTable() async throws {
        try await PostgresTestServer.withScratchSession { holder, url throws in
            try await holder.execute("CREATE TABLE t (x int)")
            try await holder.begin()
            try await holder.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE")

            let migrator = try await PostgresSession.connect(url, settings: SessionSettings(lockTimeoutMs: 200))
            let error = await #expect(throws: ShoalError.self) {
                try await migrator.execute("ALTER TABLE t ADD COLUMN y int")
            }
            #expect(error?.sqlState == "55P03")
            #expect(error?.failure?.isLockNotAvailable == true)
            #expect(error?.failure?.statement == "ALTER TABLE t ADD COLUMN y int")
            #expect(error?.failure?.leavesSessionUnusable == false, "the session runs the ALTER below")
            await holder.rollback()
            try await migrator.execute("ALTER TABLE t ADD COLUMN y int")
            await migrator.close()
        }
    }

    @Test func statementTimeoutFailsWith57014() async throws {
        let settings = SessionSettings(statementTimeoutMs: 100)
        try await PostgresTestServer.withScratchSession(settings: settings) { session, _ throws in
            let error = await #expect(throws: ShoalError.self) { try await session.execute("SELECT pg_sleep(5)") }
            #expect(error?.sqlState == "57014")
            #expect(error?.message.contains("statement timeout") == true)
            #expect(error?.failure?.code?.sqlState == .queryCanceled)
            #expect(error?.failure?.leavesSessionUnusable == true)
            #expect(error?.failure?.isLockNotAvailable == false)
        }
    }

    @Test func setSearchPathQuotesAHostileSchemaName() async throws {
        try await PostgresTestServer.withScratchSession { session, _ throws in
            let hostile = "a\"; DROP TABLE x; --"
            try await session.execute("CREATE TABLE x (id int); CREATE SCHEMA \(session.quoteIdentifier(hostile))")
            try await session.setSearchPath(hostile, local: false)
            #expect(try await session.query("SHOW search_path") == [["\"a\"\"; DROP TABLE x; --\""]])
            try await session.execute("CREATE TABLE y (id int)")
            #expect(try await session.query("SELECT schemaname FROM pg_tables WHERE tablename = 'y'") == [[hostile]])
            #expect(try await session.query("SELECT to_regclass('public.x') IS NOT NULL") == [["t"]])
        }
    }

    @Test func setSearchPathLocalEndsWithTheTransaction() async throws {
        try await PostgresTestServer.withScratchSession { session, _ throws in
            try await session.execute("CREATE SCHEMA tenant_a")
            try await session.begin()
            try await session.setSearchPath("tenant_a", local: true)
            #expect(try await session.query("SELECT current_schema()") == [["tenant_a"]])
            try await session.commit()
            #expect(try await session.query("SELECT current_schema()") == [["public"]])
        }
    }

    @Test(arguments: [0, 300])
    func cancellingTheTaskCancelsTheStatementOnTheServer(delayMs: Int) async throws {
        try await PostgresTestServer.withScratchSession { session, _ throws in
            let clock = ContinuousClock()
            let start = clock.now
            let task = Task { try await session.execute("SELECT pg_sleep(10)") }
            try await Task.sleep(for: .milliseconds(delayMs))
            task.cancel()
            let result = await task.result
            #expect(clock.now - start < .seconds(8), "the 10 s statement was not cancelled")
            #expect(throws: ShoalError.self) { try result.get() }
            if case .failure(let error as ShoalError) = result {
                #expect(error.sqlState == "57014", "\(error)")
            }
            // The statement is gone from the server and the session works on.
            #expect(try await session.query("SELECT 1") == [["1"]])
        }
    }

    @Test func aCancelledTaskStillRollsBackAndReleasesLocks() async throws {
        try await PostgresTestServer.withScratchSession { session, url throws in
            try await session.execute("CREATE TABLE t (x int)")
            let task = Task {
                try await session.begin()
                try await session.execute("INSERT INTO t VALUES (1)")
                #expect(try await session.acquireMigrationLock(key: "k", timeout: .zero))
                withUnsafeCurrentTask { $0?.cancel() }
                await #expect(throws: ShoalError.self) { try await session.execute("INSERT INTO t VALUES (2)") }
                await session.rollback()
                await session.releaseMigrationLock(key: "k")
            }
            try await task.value
            #expect(try await session.query("SELECT count(*) FROM t") == [["0"]])
            let other = try await PostgresSession.connect(url)
            #expect(try await other.acquireMigrationLock(key: "k", timeout: .zero))
            await other.close()
        }
    }

    @Test func sessionsWaitInParallelOffTheCooperativePool() async throws {
        try await PostgresTestServer.withScratchDatabase { url throws in
            var opened: [PostgresSession] = []
            for _ in 0..<8 { opened.append(try await PostgresSession.connect(url)) }
            let sessions = opened
            let observer = try await PostgresSession.connect(url)
            // Each sleeps far longer than the test waits (a minute: long
            // enough for any machine, short enough that a regression ends
            // the test in minutes rather than hanging it): with calls on the
            // cooperative pool only as many sessions as it has threads (the
            // cores) could be sleeping at once, and the count below would
            // never reach 8 before the first of them ended. Independent of
            // the machine's speed: no clock is compared.
            let sleeping = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for session in sessions {
                        group.addTask { try await session.execute("SELECT pg_sleep(60)") }
                    }
                    try await group.waitForAll()
                }
            }
            var mostAtOnce = 0
            for _ in 0..<6_000 where mostAtOnce < 8 {
                let rows = try await observer.query("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND wait_event = 'PgSleep'
                    """)
                mostAtOnce = max(mostAtOnce, Int(rows.first?.first.flatMap { $0 } ?? "") ?? 0)
                try await Task.sleep(for: .milliseconds(20))
            }
            sleeping.cancel()  // cancels every statement on the server (PQcancel)
            _ = await sleeping.result
            #expect(mostAtOnce == 8, "only \(mostAtOnce) of 8 sessions were waiting on the server at once")
            for session in sessions { await session.close() }
            await observer.close()
        }
    }
}
