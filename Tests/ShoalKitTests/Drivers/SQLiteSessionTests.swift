import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit

/// SQLiteSession on real files: what only SQLite does (its statement
/// cache, its errors, opening files, the busy timeout). What every session
/// promises is in DatabaseSessionTests.
@Suite struct SQLiteSessionTests {
    /// query keeps prepared statements for reuse: a reused one must see
    /// new bindings, survive a failed run and a schema change, and still be
    /// refused when its text holds two statements.
    @Test func aRepeatedQueryReusesItsStatementCorrectly() async throws {
        let dir = try TemporaryDirectory()
        let session = try await SQLiteSession.open(path: dir.file("db.sqlite"), mode: .readWrite)
        try await session.execute("CREATE TABLE t (x integer UNIQUE)")
        let insert = "INSERT INTO t VALUES ($1)"
        _ = try await session.query(insert, ["1"])
        _ = try await session.query(insert, ["2"])
        let duplicate = await #expect(throws: ShoalError.self) { try await session.query(insert, ["2"]) }
        #expect(duplicate?.sqlState == "SQLITE_CONSTRAINT_UNIQUE")
        #expect(duplicate?.detail == "statement 1: INSERT INTO t VALUES ($1)")
        _ = try await session.query(insert, ["3"])
        #expect(try await session.query("SELECT x FROM t ORDER BY x") == [["1"], ["2"], ["3"]])
        // A missing parameter is refused even by the reused statement, and
        // leaves no binding behind for the next call.
        await #expect(throws: ShoalError.self) { try await session.query(insert, []) }
        _ = try await session.query(insert, ["4"])
        // The table changes shape under the cached SELECT: sqlite3 prepares it again.
        try await session.execute("DROP TABLE t; CREATE TABLE t (x text, y text); INSERT INTO t VALUES ('a', 'b')")
        #expect(try await session.query("SELECT * FROM t") == [["a", "b"]])
        for _ in 0..<2 {
            await #expect(throws: ShoalError.self) { try await session.query("SELECT 1; SELECT 2") }
        }
        // More distinct statements than the cache holds: it starts over, and every one still answers.
        for index in 0..<(SQLiteConnection.statementCacheLimit + 5) {
            #expect(try await session.query("SELECT \(index)") == [["\(index)"]])
        }
    }

    /// A process-wide setting only takes effect before sqlite3 initializes;
    /// once a database is open it is refused and nothing changes.
    @Test func memoryStatisticsCannotBeSwitchedOffOnceADatabaseIsOpen() async throws {
        let dir = try TemporaryDirectory()
        let session = try await SQLiteSession.open(path: dir.file("db.sqlite"), mode: .readWrite)
        #expect(SQLiteSession.disableMemoryStatistics() == false)
        try await session.execute("CREATE TABLE t (x)")
        #expect(try await session.query("SELECT count(*) FROM t") == [["0"]])
    }

    @Test func queryRefusesParametersThatDoNotMatchItsPlaceholders() async throws {
        let dir = try TemporaryDirectory()
        let session = try await SQLiteSession.open(path: dir.file("db.sqlite"), mode: .readWrite)
        let missing = await #expect(throws: ShoalError.self) { try await session.query("SELECT $1, $2", ["a"]) }
        #expect(missing?.message.contains("$2") == true)
        let unused = await #expect(throws: ShoalError.self) { try await session.query("SELECT $1", ["a", "b"]) }
        #expect(unused?.message.contains("$2") == true)
        await #expect(throws: ShoalError.self) { try await session.query("SELECT $1") }
        await #expect(throws: ShoalError.self) { try await session.query("SELECT ?", ["a"]) }
        await #expect(throws: ShoalError.self) { try await session.query("SELECT 1; SELECT 2") }
    }

    @Test func errorCarriesTheFailingStatementMessageAndCode() async throws {
        let dir = try TemporaryDirectory()
        let session = try await SQLiteSession.open(path: dir.file("db.sqlite"), mode: .readWrite)
        let unique = await #expect(throws: ShoalError.self) {
            try await session.execute("""
                CREATE TABLE t (x integer UNIQUE);
                INSERT INTO t VALUES (1);
                INSERT INTO t VALUES (1);
                INSERT INTO t VALUES (2);
                """)
        }
        #expect(unique?.kind == .database)
        #expect(unique?.message == "UNIQUE constraint failed: t.x")
        #expect(unique?.sqlState == "SQLITE_CONSTRAINT_UNIQUE")
        #expect(unique?.detail == "statement 3: INSERT INTO t VALUES (1);")
        // The script stopped at the failing statement.
        #expect(try await session.query("SELECT x FROM t") == [["1"]])

        let syntax = await #expect(throws: ShoalError.self) {
            try await session.execute("SELECT 1; SELEC 2; SELECT 3")
        }
        #expect(syntax?.message.contains("syntax error") == true)
        #expect(syntax?.sqlState == "SQLITE_ERROR")
        #expect(syntax?.detail?.hasPrefix("statement 2: SELEC 2") == true, "\(String(describing: syntax?.detail))")
    }

    @Test func readOnlyOpenOfMissingFileFailsNamingThePath() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("missing/db.sqlite")
        let error = await #expect(throws: ShoalError.self) {
            try await SQLiteSession.open(path: path, mode: .readOnly)
        }
        #expect(error?.message.contains(path) == true)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func readWriteOpenCreatesTheFileAndItsDirectories() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("a/b/c/db.sqlite")
        let session = try await SQLiteSession.open(path: path, mode: .readWrite)
        try await session.execute("CREATE TABLE t (x)")
        #expect(FileManager.default.fileExists(atPath: path))

        let reader = try await SQLiteSession.open(path: path, mode: .readOnly)
        #expect(try await reader.query("SELECT count(*) FROM t") == [["0"]])
        let write = await #expect(throws: ShoalError.self) { try await reader.execute("INSERT INTO t VALUES (1)") }
        #expect(write?.sqlState == "SQLITE_READONLY")
    }

    @Test func secondWriterWaitsForTheBusyTimeoutThenReportsLocked() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("db.sqlite")
        let first = try await SQLiteSession.open(path: path, mode: .readWrite)
        let second = try await SQLiteSession.open(path: path, mode: .readWrite, busyTimeoutMs: 300)
        try await first.begin()

        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: ShoalError.self) { try await second.begin() }
        let waited = clock.now - started
        #expect(error?.kind == .locked)
        #expect(error?.message.contains("another process holds the database") == true)
        #expect(error?.message.contains(path) == true)
        #expect(error?.sqlState == "SQLITE_BUSY")
        #expect(error?.failure?.code?.sqliteResultCode?.primary == .busy)
        // Not retried like PostgreSQL's lock_timeout: the busy timeout already waited.
        #expect(error?.failure?.isLockNotAvailable == false)
        #expect(error?.failure?.leavesSessionUnusable == false)
        // It waited instead of failing at once (lower bound only: never flaky).
        #expect(waited >= .milliseconds(200))
        await first.rollback()
        try await second.begin()  // the session is still usable
        await second.rollback()
    }

    @Test func secondWriterProceedsOnceTheFirstCommits() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("db.sqlite")
        let first = try await SQLiteSession.open(path: path, mode: .readWrite)
        let second = try await SQLiteSession.open(path: path, mode: .readWrite, busyTimeoutMs: 30_000)
        try await first.execute("CREATE TABLE t (x)")
        try await first.begin()
        try await first.execute("INSERT INTO t VALUES (1)")

        let calling = ManagedFlag()
        let through = ManagedFlag()
        let waiting = Task {
            calling.set()
            defer { through.set() }
            try await second.begin()
            let seen = try await second.query("SELECT count(*) FROM t")
            try await second.commit()
            return seen
        }
        // Once the second writer is on its way into BEGIN IMMEDIATE, watch it
        // for a while: it cannot get through, nor may it give up, while the
        // first holds the write lock. (The watch only bounds how long a
        // writer that gives up at once has to show it: a writer that waits
        // as it should passes however long the machine takes.)
        while !calling.isSet { await Task.yield() }
        let watch = ContinuousClock.now + .milliseconds(500)
        while !through.isSet && ContinuousClock.now < watch { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!through.isSet, "the second writer got past BEGIN IMMEDIATE (or gave up) while the first held the write lock")
        try await first.commit()
        #expect(try await waiting.value == [["1"]])
    }

    /// What a fleet asks a PostgreSQL server about replication, a SQLite
    /// file answers as a server without replicas, touching nothing; it has
    /// no schemas to point the session at.
    @Test func answersAsAServerWithoutReplicasAndHasNoSchemas() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("db.sqlite")
        let session = try await SQLiteSession.open(path: path, mode: .readWrite)
        #expect(try await session.isStandby() == false)
        #expect(try await session.systemIdentifier() == nil)
        try await session.flushCommitsLocally()
        #expect(try await session.currentWALPosition() == nil)
        #expect(try await session.replayPosition() == nil)
        #expect(try await session.replayAgeSeconds() == nil)
        #expect(await session.isReplayPaused() == false)
        let error = await #expect(throws: ShoalError.self) { try await session.setSearchPath("tenant_a", local: false) }
        #expect(error?.message.contains("SQLite has no schemas") == true)
        #expect(try await session.query("SELECT count(*) FROM sqlite_master") == [["0"]])
        await session.close()
    }
}

/// A flag one task sets and another reads.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
