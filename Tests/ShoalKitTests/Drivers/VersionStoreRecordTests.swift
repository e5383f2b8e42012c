import Foundation
import Testing
@testable import ShoalKit

/// `transaction: false` migrations, stamp, history and offline SQL.
@Suite struct VersionStoreRecordTests {
    typealias F = VersionStoreFixture

    @Test func nonTransactionalSuccessLeavesNoDirtyMark() async throws {
        let f = try await F.make()
        try await f.store.ensureTables()
        let a = F.migration("aaaa", transactional: false,
                            up: "CREATE TABLE a (x text);\nCREATE INDEX a_x ON a (x);\nINSERT INTO a VALUES ('semi;colon');",
                            verify: "SELECT count(*) = 1 FROM a")
        _ = try await f.store.apply(F.up(a), context: f.context)

        let state = try await f.store.readState()
        #expect(state.dirty == nil)
        #expect(state.current == ["aaaa"])
        #expect(try await f.session.query("SELECT x FROM a") == [["semi;colon"]])
        #expect(try await f.store.history(limit: nil).map(\.operation) == [.upgrade])
    }

    @Test func nonTransactionalFailureHalfwayLeavesItsWorkAndTheDirtyMark() async throws {
        let f = try await F.make()
        try await f.store.ensureTables()
        let a = F.migration("aaaa", transactional: false,
                            up: "CREATE TABLE a (x);\nINSERT INTO nowhere VALUES (1);\nCREATE TABLE b (x);")
        let error = await #expect(throws: ShoalError.self) { try await f.store.apply(F.up(a), context: f.context) }
        #expect(error?.revision == "aaaa")
        #expect(error?.kind == .database)
        #expect(error?.sqlState == "SQLITE_ERROR")
        #expect(error?.message.contains("no such table: nowhere") == true)
        #expect(error?.message.contains("dirty") == true)
        #expect(error?.message.contains("shoal stamp") == true)

        #expect(try await f.tableExists("a"), "the first statement committed on its own")
        #expect(try await !f.tableExists("b"))
        let state = try await f.store.readState()
        #expect(state.current.isEmpty)
        #expect(state.dirty?.revision == "aaaa")
        #expect(state.dirty?.operation == .upgrade)
        #expect(try await f.store.history(limit: nil).isEmpty)

        // Later runs are refused until the target is stamped.
        let b = F.migration("bbbb", up: "CREATE TABLE c (x)")
        let refused = await #expect(throws: ShoalError.self) { try await f.store.apply(F.up(b), context: f.context) }
        #expect(refused?.kind == .dirty)
        #expect(try await !f.tableExists("c"))
    }

    @Test func stampClearsTheDirtyMarkAndWritesHistory() async throws {
        let f = try await F.make()
        try await f.store.ensureTables()
        let a = F.migration("aaaa", transactional: false, up: "CREATE TABLE a (x); SELECT * FROM nowhere;")
        _ = try? await f.store.apply(F.up(a), context: f.context)
        #expect(try await f.store.readState().dirty != nil)

        try await f.store.stamp(to: ["aaaa"], checksums: ["aaaa": "sum-aaaa"], context: f.context)
        var state = try await f.store.readState()
        #expect(state.dirty == nil)
        #expect(state.current == ["aaaa"])
        #expect(state.appliedChecksums == ["aaaa": "sum-aaaa"])
        let stamped = try #require(try await f.store.history(limit: 1).first)
        #expect(stamped.operation == .stamp && stamped.revision == "aaaa" && stamped.checksum == "sum-aaaa")
        #expect(stamped.durationMs == 0)

        try await f.store.stamp(to: [], checksums: [:], context: f.context)
        state = try await f.store.readState()
        #expect(state.current.isEmpty)
        let base = try #require(try await f.store.history(limit: 1).first)
        #expect(base.revision == "base" && base.operation == .stamp && base.checksum == nil)
    }

    @Test func stampAdoptsAnUninitializedDatabase() async throws {
        let f = try await F.make()
        try await f.store.stamp(to: ["cccc", "bbbb", "cccc"], checksums: ["bbbb": "sum-bbbb"], context: f.context)
        let state = try await f.store.readState()
        #expect(state.initialized)
        #expect(state.current == ["bbbb", "cccc"])
        #expect(state.appliedChecksums == ["bbbb": "sum-bbbb"], "stamp rows without a checksum are not listed")
        #expect(try await f.store.history(limit: nil).map(\.revision) == ["cccc", "bbbb"])
    }

    @Test func historyIsNewestFirstAndHonoursTheLimit() async throws {
        let f = try await F.make()
        try await f.store.ensureTables()
        let a = F.migration("aaaa", up: "CREATE TABLE a (x)")
        let b = F.migration("bbbb", parents: ["aaaa"], up: "CREATE TABLE b (x)")
        let c = F.migration("cccc", parents: ["bbbb"], up: "CREATE TABLE c (x)")
        for migration in [a, b, c] {
            _ = try await f.store.apply(F.up(migration), context: f.context)
        }
        let all = try await f.store.history(limit: nil)
        #expect(all.map(\.revision) == ["cccc", "bbbb", "aaaa"])
        #expect(all.map(\.id) == all.map(\.id).sorted(by: >))
        #expect(try await f.store.history(limit: 2).map(\.revision) == ["cccc", "bbbb"])
        #expect(try await f.store.history(limit: 0).isEmpty)
        #expect(try await f.store.readState().current == ["cccc"])
    }

    @Test func offlineSQLHasTheStepAndVersionStatementsAndRuns() async throws {
        let f = try await F.make()
        let a = F.migration("aaaa", up: "CREATE TABLE users (id integer);", verify: "SELECT count(*) = 0 FROM users")
        let sql = VersionStore.offlineSQL(for: F.up(a), target: f.target, context: f.context, dialect: .sqlite)
        #expect(sql.contains("BEGIN IMMEDIATE;\nCREATE TABLE users (id integer);\n"))
        #expect(sql.contains(#"INSERT INTO "shoal_version" (revision) VALUES ('aaaa');"#))
        #expect(sql.contains(#"INSERT INTO "shoal_version_history""#))
        #expect(sql.contains("'o''brien@build-host'"))
        #expect(sql.contains("-- SELECT count(*) = 0 FROM users"))
        #expect(sql.hasSuffix("COMMIT;\n"))

        // What `shoal sql` prints is a script sqlite3 runs as shoal would.
        try await f.session.execute(VersionStore.offlineCreateTables(target: f.target, dialect: .sqlite))
        try await f.session.execute(sql)
        let state = try await f.store.readState()
        #expect(state.current == ["aaaa"])
        #expect(state.appliedChecksums == ["aaaa": "sum-aaaa"])
        let entry = try #require(try await f.store.history(limit: nil).first)
        #expect(entry.appliedBy == "o'brien@build-host")
        #expect(entry.appliedAt.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(entry.appliedAt)")

        let down = F.migration("aaaa", up: "", down: "DROP TABLE users")
        try await f.session.execute(VersionStore.offlineSQL(for: F.down(down), target: f.target, context: f.context, dialect: .sqlite))
        #expect(try await f.store.readState().current.isEmpty)
    }

    @Test func offlineSQLForPostgresQualifiesTheSchemaAndMarksNonTransactionalSteps() {
        let target = Target(id: "accounts/acme", database: "accounts", tenant: "acme", driver: .postgres,
                            location: .postgres(url: "postgres://x/db", schema: "tenant_acme"), versionTable: "ver\"sion")
        let a = F.migration("aaaa", transactional: false, up: "CREATE INDEX CONCURRENTLY i ON t (x)")
        let context = ApplyContext(appliedBy: "me@host", shoalVersion: "1.0")
        let sql = VersionStore.offlineSQL(for: F.up(a), target: target, context: context, dialect: .postgres)
        #expect(sql.contains(#"INSERT INTO "tenant_acme"."ver""sion_dirty" (revision, operation, started_at) VALUES ('aaaa', 'upgrade', "#))
        #expect(sql.contains("CREATE INDEX CONCURRENTLY i ON t (x)\n;\nBEGIN;"), "the step runs before BEGIN:\n\(sql)")
        #expect(sql.contains(#"INSERT INTO "tenant_acme"."ver""sion" (revision) VALUES ('aaaa');"#))
        #expect(sql.contains(#"DELETE FROM "tenant_acme"."ver""sion_dirty" WHERE revision = 'aaaa';"#))
        #expect(sql.contains("now()"))
        #expect(sql.hasSuffix("COMMIT;\n"))

        let tables = VersionStore.offlineCreateTables(target: target, dialect: .postgres)
        #expect(tables.contains(#"CREATE TABLE IF NOT EXISTS "tenant_acme"."ver""sion_history" (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"#))
        #expect(tables.contains("applied_at timestamptz NOT NULL"))
    }

    @Test(arguments: [("1", true), ("t", true), ("true", true), ("0", false), ("0.0", false), ("f", false),
                      ("FALSE", false), (nil, false)] as [(String?, Bool)])
    func verifyValues(value: String?, isTrue: Bool) {
        #expect(VersionStore.isTrue(value) == isTrue)
    }

    @Test func temporarySplitterKeepsQuotedSemicolons() {
        let script = """
            -- header; comment
            CREATE TABLE "a;b" (x text DEFAULT 'it''s; fine');
            /* block; /* nested; */ still */ CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            SELECT $1;
            ;
            """
        #expect(SQLScript.split(script) == [
            "-- header; comment\nCREATE TABLE \"a;b\" (x text DEFAULT 'it''s; fine')",
            "/* block; /* nested; */ still */ CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
            "SELECT $1",
        ])
    }
}
