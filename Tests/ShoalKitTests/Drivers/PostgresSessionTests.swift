import Testing
import ShoalTestSupport
@testable import ShoalKit

/// PostgresSession against a real server: connecting, errors, aborted
/// transactions, pipelines and batches of simple queries. Locks, timeouts,
/// cancellation and concurrency are in PostgresSessionLockingTests; what
/// every session promises is in DatabaseSessionTests.
@Suite struct PostgresSessionTests {
    // MARK: Connecting

    @Test func connectSetsApplicationNameShoalEvenWhenTheURLNamesAnother() async throws {
        try await PostgresTestServer.withScratchDatabase { url throws in
            let session = try await PostgresSession.connect(url + " application_name=other")
            let rows = try await session.query(
                "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")
            #expect(rows == [["shoal"]])
            #expect(try await session.query("SHOW client_encoding") == [["UTF8"]])
            await session.close()
        }
    }

    @Test func connectAppliesTimeoutSettingsToTheSession() async throws {
        let settings = SessionSettings(lockTimeoutMs: 1234, statementTimeoutMs: 4567)
        try await PostgresTestServer.withScratchSession(settings: settings) { session, url throws in
            #expect(try await session.query("SHOW lock_timeout") == [["1234ms"]])
            #expect(try await session.query("SHOW statement_timeout") == [["4567ms"]])

            let plain = try await PostgresSession.connect(url)
            #expect(try await plain.query("SHOW lock_timeout") == [["5s"]])
            #expect(try await plain.query("SHOW statement_timeout") == [["0"]], "nil keeps the server's setting")
            await plain.close()

            // The search path comes in the same setup statement, quoted, with either set of settings.
            for settings in [settings, SessionSettings()] {
                let tenant = try await PostgresSession.connect(url, settings: settings, searchPath: #"odd "name"#)
                #expect(try await tenant.query("SHOW search_path") == [[#""odd ""name""#]])
                #expect(try await tenant.query("SHOW lock_timeout") == [[settings.lockTimeoutMs == 1234 ? "1234ms" : "5s"]])
                try await tenant.execute(#"CREATE SCHEMA "odd ""name"; CREATE TABLE t (x int)"#)
                #expect(try await tenant.query(#"SELECT to_regclass('"odd ""name".t') IS NOT NULL"#) == [["t"]])
                try await tenant.execute(#"DROP SCHEMA "odd ""name" CASCADE"#)
                await tenant.close()
            }
        }
    }

    @Test func connectionParametersLetTheConninfoOverrideDefaultsButNotApplicationName() {
        let parameters = PostgresSession.connectionParameters(for: "postgres://h/db") { _ in false }
        #expect(parameters.map(\.keyword) == ["connect_timeout", "client_encoding", "gssencmode", "dbname", "application_name"])
        #expect(parameters.map(\.value) == ["10", "UTF8", "disable", "postgres://h/db", "shoal"])

        let fromEnvironment = PostgresSession.connectionParameters(for: "db") { $0 == "PGCONNECT_TIMEOUT" }
        #expect(!fromEnvironment.contains { $0.keyword == "connect_timeout" }, "PGCONNECT_TIMEOUT wins, as in psql")
    }

    /// The `gssencmode` shoal adds, if any.
    static func addedGSSEncMode(_ conninfo: String, environment: Set<String> = []) -> String? {
        PostgresSession.connectionParameters(for: conninfo) { environment.contains($0) }
            .first { $0.keyword == "gssencmode" }?.value
    }

    @Test func gssEncryptionIsDisabledUnlessTheConninfoOrEnvironmentAsksForGSSAPI() {
        // Off by default, in every form; words in a password or a database name ask for nothing.
        for conninfo in ["postgres://app:Sup3rSecretPw@db1:5433/accounts?sslmode=require",
                         "host=db1 dbname=accounts password='it\\'s'", "accounts",
                         "postgres://gssencmode:krbsrvname@db1/service", "host=db1 dbname=gsslib"] {
            #expect(Self.addedGSSEncMode(conninfo) == "disable", "\(conninfo)")
        }
        // An explicit gssencmode is kept (shoal adds none, and libpq reads the
        // conninfo's); so are Kerberos settings and services, whose entry in
        // the service file may set gssencmode.
        for conninfo in ["postgres://db1/accounts?gssencmode=require", "postgresql://app:pw@db1/a?sslmode=require&gssencmode=prefer",
                         "host=db1 gssencmode=prefer dbname=accounts", "host=db1 gssencmode='require'",
                         "postgres://db1/a?krbsrvname=postgres", "host=db1 krbsrvname=pg", "host=db1 gsslib=gssapi",
                         "service=accounts", "postgres:///accounts?service=accounts"] {
            #expect(Self.addedGSSEncMode(conninfo) == nil, "\(conninfo)")
        }
        for variable in ["PGGSSENCMODE", "PGKRBSRVNAME", "PGGSSLIB", "PGSERVICE"] {
            #expect(Self.addedGSSEncMode("postgres://db1/a", environment: [variable]) == nil, "\(variable)")
        }
        #expect(Self.addedGSSEncMode("postgres://db1/a", environment: ["PGCONNECT_TIMEOUT", "PGSSLMODE"]) == "disable")
    }

    @Test func sessionsAreNotGSSEncryptedAndAnExplicitGSSEncModeReachesLibpq() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let session = try await PostgresSession.connect(url)
            #expect(try await session.query("SELECT encrypted FROM pg_stat_gssapi WHERE pid = pg_backend_pid()") == [["f"]])
            await session.close()
            // The test server has no GSSAPI encryption: `require` fails, as it
            // would not if shoal had replaced it with `disable`.
            let error = await #expect(throws: ShoalError.self) {
                try await PostgresSession.connect(url + " gssencmode=require password=Sup3rSecretPw")
            }
            let text = error?.description ?? ""
            #expect(text.contains("GSSAPI encryption required"), "\(text)")
            #expect(!text.contains("Sup3rSecretPw"), "\(text)")
        }
    }

    @Test(arguments: [
        "postgres://postgres:Sup3rSecretPw@127.0.0.1:1/postgres",
        "host=127.0.0.1 port=1 user=postgres password=Sup3rSecretPw",
        "host=127.0.0.1 port=1 password = 'Sup3r\\'SecretPw' dbname=x",
        "postgres://postgres:Sup3rSecretPw@127.0.0.1:1/postgres?password=Sup3rSecretPw",
        // libpq echoes the whole URI in this one's error message.
        "postgres://postgres:Sup3rSecretPw@[::1",
    ])
    func connectionFailureNamesTheHostButNeverThePassword(conninfo: String) async throws {
        let error = await #expect(throws: ShoalError.self) {
            try await PostgresSession.connect(conninfo)
        }
        let text = error?.description ?? ""
        #expect(error?.kind == .database)
        #expect(text.hasPrefix("cannot connect to "))
        #expect(text.contains("127.0.0.1") || text.contains("::1"), "\(text)")
        #expect(!text.contains("Sup3r"), "\(text)")
        #expect(!text.contains("SecretPw"), "\(text)")
    }

    @Test func serverVersionIsKnownUntilTheSessionIsClosed() async throws {
        try await PostgresTestServer.withScratchDatabase { url throws in
            let session = try await PostgresSession.connect(url)
            #expect(await session.serverVersion() >= 100_000)
            await session.close()
            await session.close()
            #expect(await session.serverVersion() == 0)
        }
    }

    @Test func aTerminatedBackendFailsTheNextStatementInsteadOfHanging() async throws {
        try await PostgresTestServer.withScratchSession { session, url throws in
            let pid = try await session.query("SELECT pg_backend_pid()").first?.first ?? nil
            let admin = try await PostgresSession.connect(url)
            _ = try await admin.query("SELECT pg_terminate_backend($1::int)", [pid])
            await admin.close()
            let error = await #expect(throws: ShoalError.self) { try await session.query("SELECT 1") }
            #expect(error?.kind == .database)
            #expect(error?.message.isEmpty == false)
            await session.rollback()
        }
    }

    @Test func isStandbyIsFalseOnThePrimaryAndTrueOnTheReplica() async throws {
        try await PostgresTestServer.withScratchSession { session, _ throws in
            #expect(try await session.isStandby() == false)
        }
        // Never skipped: without a replica this test cannot prove its second half, so it fails.
        let replicaURL = try #require(PostgresTestServer.replicaURL,
                                      "the replica half needs SHOAL_TEST_PG_REPLICA_URL: run scripts/test")
        let replica = try await PostgresSession.connect(replicaURL)
        #expect(try await replica.isStandby() == true)
        await replica.close()
    }

    // MARK: Statements and errors

    @Test func anErrorInALaterStatementOfAScriptFailsTheWholeScript() async throws {
        try await PostgresTestServer.withScratchSession { session, _ throws in
            let error = await #expect(throws: ShoalError.self) {
                try await session.execute("CREATE TABLE a (x int); INSERT INTO a VALUES (1); CREATE TABLE a (x int)")
            }
            #expect(error?.sqlState == "42P07")
            // One implicit transaction: the first statements are gone too.
            #expect(try await session.query("SELECT to_regclass('a') IS NULL") == [["t"]])
        }
    }

    @Test(arguments: [
        ("CREATE TABLE t (x int); CREATE TABLE t (x int)", "42P07", "relation \"t\" already exists"),
        ("SELEC 1", "42601", "syntax error at or near \"SELEC\""),
        ("SELECT 1/0", "22012", "division by zero"),
    ])
    func errorsCarryTheServersSQLStateAndMessage(sql: String, sqlState: String, message: String) async throws {
        try await PostgresTestServer.withScratchSession { session, _ throws in
            let error = await #expect(throws: ShoalError.self) { try await session.execute(sql) }
            #expect(error?.kind == .database)
            #expect(error?.sqlState == sqlState)
            #expect(error?.message == message)
            // The connection is idle and usable again.
            #expect(try await session.query("SELECT 1") == [["1"]])
        }
    }

    @Test func errorsCarryDetailAndHint() async throws {
        try await PostgresTestServer.withScratchSession { session, _ throws in
            let raised = await #expect(throws: ShoalError.self) {
                try await session.execute("""
                    DO $$ BEGIN
                      RAISE EXCEPTION 'boom' USING ERRCODE = 'P0001', DETAIL = 'the detail', HINT = 'the hint';
                    END $$
                    """)
            }
            #expect(raised?.message == "boom")
            #expect(raised?.sqlState == "P0001")
            #expect(raised?.detail == "the detail")
            #expect(raised?.hint == "the hint")
            #expect(raised?.description == "boom\n  detail: the detail\n  hint: the hint")

            let duplicate = await #expect(throws: ShoalError.self) {
                try await session.execute("CREATE TABLE u (id int PRIMARY KEY); INSERT INTO u VALUES (1), (1)")
            }
            #expect(duplicate?.sqlState == "23505")
            #expect(duplicate?.detail == "Key (id)=(1) already exists.")

            let unknown = await #expect(throws: ShoalError.self) {
                try await session.query("SELECT no_such_function(1)")
            }
            #expect(unknown?.sqlState == "42883")
            #expect(unknown?.hint?.contains("explicit type casts") == true)
        }
    }

    // MARK: Transactions

    @Test func commitAfterAFailedStatementThrowsAndNothingPersists() async throws {
        try await PostgresTestServer.withScratchSession { session, _ throws in
            try await session.begin()
            try await session.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
            await #expect(throws: ShoalError.self) { try await session.execute("INSERT INTO t VALUES ('not a number')") }
            let error = await #expect(throws: ShoalError.self) { try await session.commit() }
            #expect(error?.sqlState == "25P02")
            #expect(try await session.query("SELECT to_regclass('t') IS NULL") == [["t"]])
        }
    }

    // MARK: Pipelined transactions (one round trip each)

    @Test func aFailedStatementInThePipelineCommitsNothingAndTheSessionStaysUsable() async throws {
        try await PostgresTestServer.withScratchSession { session, _ throws in
            try await session.execute("CREATE TABLE t (x int UNIQUE)")
            _ = try await session.beginAndQuery("SELECT 1")
            try await session.execute("INSERT INTO t VALUES (1)")
            let error = await #expect(throws: ShoalError.self) {
                try await session.executeAndCommit([
                    BoundStatement("INSERT INTO t VALUES ($1)", ["2"]),
                    BoundStatement("INSERT INTO t VALUES ($1)", ["1"]),
                    BoundStatement("INSERT INTO t VALUES ($1)", ["3"]),
                ])
            }
            #expect(error?.sqlState == "23505")
            await session.rollback()
            #expect(try await session.query("SELECT count(*) FROM t") == [["0"]], "nothing of the transaction was kept")
            // Out of pipeline mode again: a script and a parameterised query both work.
            try await session.execute("INSERT INTO t VALUES (7); INSERT INTO t VALUES (8)")
            #expect(try await session.query("SELECT count(*) FROM t WHERE x > $1", ["6"]) == [["2"]])
            let failedBegin = await #expect(throws: ShoalError.self) { try await session.beginAndQuery("SELECT nope FROM t") }
            #expect(failedBegin?.sqlState == "42703")
            await session.rollback()
            #expect(try await session.query("SELECT count(*) FROM t") == [["2"]])
        }
    }

    // MARK: Batches of simple queries

    /// What `forEachSimpleResult` handed over: per statement, its index and
    /// every value as (text, int, first byte). Isolated to the session, as
    /// the batch read is.
    private struct Seen: Equatable, Sendable {
        var index: Int
        var values: [[Value]]
        struct Value: Equatable, Sendable {
            var text: String?
            var int: Int?
            var firstByte: UInt8?
        }
    }

    private static func collect(_ session: isolated PostgresSession, _ statements: [String],
                                stopAt: Int? = nil) async throws -> [Seen] {
        var seen: [Seen] = []
        try await session.forEachSimpleResult(count: statements.count, statement: { statements[$0] }) { index, result in
            if index == stopAt { throw ShoalError(.usage, "stopped by the caller at \(index)") }
            let columns = result.rows.first?.count ?? 0
            seen.append(Seen(index: index, values: (0..<result.rowCount).map { row in
                (0..<columns).map { .init(text: result.text(row, $0), int: result.int(row, $0), firstByte: result.firstByte(row, $0)) }
            }))
        }
        return seen
    }

    @Test func forEachSimpleResultHandsOverEveryResultInOrderWithItsValues() async throws {
        try await PostgresTestServer.withScratchSession { session, _ throws in
            let seen = try await Self.collect(session, [
                "SELECT '42', '-7', 'h1', NULL, '', '9223372036854775808'",
                "SELECT x FROM generate_series(1, 3) AS x",
                "SELECT 1 WHERE false",
            ])
            #expect(seen.map(\.index) == [0, 1, 2])
            #expect(seen[0].values == [[
                .init(text: "42", int: 42, firstByte: UInt8(ascii: "4")),
                .init(text: "-7", int: -7, firstByte: UInt8(ascii: "-")),
                .init(text: "h1", int: nil, firstByte: UInt8(ascii: "h")),
                .init(text: nil, int: nil, firstByte: nil),
                .init(text: "", int: nil, firstByte: 0),
                .init(text: "9223372036854775808", int: nil, firstByte: UInt8(ascii: "9")),  // does not fit an Int
            ]])
            #expect(seen[1].values.map { $0.map(\.int) } == [[1], [2], [3]])
            #expect(seen[2].values.isEmpty)
        }
    }

    /// A server error in the middle statement is thrown, the statements
    /// after it never run, and the session is idle again.
    @Test func forEachSimpleResultStopsAtAFailingStatement() async throws {
        try await PostgresTestServer.withScratchSession { session, _ throws in
            try await session.execute("CREATE TABLE t (x int)")
            let error = await #expect(throws: ShoalError.self) {
                _ = try await Self.collect(session, ["SELECT 1", "SELECT nope FROM t", "INSERT INTO t VALUES (1) RETURNING x"])
            }
            #expect(error?.sqlState == "42703")
            #expect(try await session.query("SELECT count(*) FROM t") == [["0"]], "the statement after the failure did not run")
        }
    }

    /// When the caller's fold throws, the next statement is already on its
    /// way; its result is drained so that the session's next query gets its
    /// own answer, not the leftover one.
    @Test func forEachSimpleResultDrainsTheStatementInFlightWhenTheFoldThrows() async throws {
        try await PostgresTestServer.withScratchSession { session, _ throws in
            let error = await #expect(throws: ShoalError.self) {
                _ = try await Self.collect(session, ["SELECT 'first'", "SELECT 'in flight', pg_sleep(0.05)", "SELECT 'never'"], stopAt: 0)
            }
            #expect(error?.message == "stopped by the caller at 0")
            #expect(try await session.query("SELECT 'next'") == [["next"]])
            #expect(try await Self.collect(session, ["SELECT 'again'"]).map(\.values) == [[[.init(text: "again", int: nil, firstByte: UInt8(ascii: "a"))]]])
        }
    }
}
