import Testing
@testable import ShoalKit

struct IndexRulesTests {
    @Test(arguments: [
        "CREATE INDEX users_email ON users (email)",
        "create unique index users_email on public.users (lower(email))",
        "CREATE INDEX ON \"Users\" (email)",
        "CREATE INDEX IF NOT EXISTS users_email ON ONLY users (email)",
        "/* CONCURRENTLY */ CREATE INDEX users_email ON users (email) WHERE note <> 'CONCURRENTLY'",
        "CREATE INDEX -- CONCURRENTLY\n users_email ON users (email)",
    ])
    func plainIndexOnExistingTable(_ sql: String) throws {
        #expect(try lintRules(sql) == ["require-concurrent-index"])
    }

    @Test func messageNamesTheTable() throws {
        let finding = try #require(try lintFindings("CREATE UNIQUE INDEX users_email ON app.users (email);").first)
        #expect(finding.message == "CREATE UNIQUE INDEX on existing table app.users blocks writes to it for the whole build")
        #expect(finding.severity == .error)
        #expect(finding.help.contains("CONCURRENTLY"))
    }

    @Test(arguments: [
        "CREATE TABLE users (id int);\nCREATE INDEX users_id ON users (id)",
        "CREATE TABLE public.users (id int);\nCREATE INDEX users_id ON users (id)",
        "CREATE TABLE \"Users\" (id int);\nCREATE INDEX users_id ON \"Users\" (id)",
        "CREATE UNLOGGED TABLE IF NOT EXISTS users (id int);\nCREATE INDEX users_id ON users (id)",
    ])
    func indexOnTableCreatedInTheSameMigration(_ sql: String) throws {
        #expect(try lintRules(sql).isEmpty)
    }

    @Test func createdTableIsMatchedByNameAndSchema() throws {
        // users is created in schema a; b.users is another, existing table.
        #expect(try lintRules("CREATE TABLE a.users (id int);\nCREATE INDEX i ON b.users (id)") == ["require-concurrent-index"])
        // "Users" and users are two tables.
        #expect(try lintRules("CREATE TABLE \"Users\" (id int);\nCREATE INDEX i ON users (id)") == ["require-concurrent-index"])
        // The table must be created before the index, not after.
        #expect(try lintRules("CREATE INDEX i ON users (id);\nCREATE TABLE users (id int)") == ["require-concurrent-index"])
    }

    @Test func concurrentIndexOutsideATransactionIsFine() throws {
        #expect(try lintRules("CREATE INDEX CONCURRENTLY users_email ON users (email)", transactional: false).isEmpty)
        #expect(try lintRules("create unique index concurrently if not exists users_email on users (email)", transactional: false).isEmpty)
    }

    @Test func dropIndexWithoutConcurrently() throws {
        let finding = try #require(try lintFindings("DROP INDEX IF EXISTS public.users_email").first)
        #expect(finding.rule == .requireConcurrentIndexDrop)
        #expect(finding.message.hasPrefix("DROP INDEX public.users_email takes ACCESS EXCLUSIVE"))
        #expect(try lintRules("DROP INDEX CONCURRENTLY IF EXISTS users_email", transactional: false).isEmpty)
        #expect(try lintRules("DROP TABLE users_backup;\nSELECT 'DROP INDEX x'") == ["drop"])
    }

    @Test(arguments: [
        ("CREATE INDEX CONCURRENTLY users_email ON users (email)", "CREATE INDEX CONCURRENTLY on users"),
        ("DROP INDEX CONCURRENTLY users_email", "DROP INDEX CONCURRENTLY of users_email"),
        ("REINDEX INDEX CONCURRENTLY users_email", "REINDEX CONCURRENTLY on users_email"),
        ("REINDEX (CONCURRENTLY) TABLE users", "REINDEX CONCURRENTLY on users"),
        ("ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY", "DETACH PARTITION CONCURRENTLY on events"),
    ])
    func concurrentlyInATransaction(_ sql: String, _ start: String) throws {
        let findings = try lintFindings(sql)
        #expect(findings.map(\.rule) == [.concurrentlyInTransaction])
        #expect(findings.first?.message.hasPrefix(start) == true)
        #expect(try lintRules(sql, transactional: false).isEmpty)
    }

    @Test(arguments: [
        "SELECT 'CREATE INDEX CONCURRENTLY x ON users (a)'",
        "-- CREATE INDEX CONCURRENTLY x ON users (a)\nSELECT 1",
        "DO $$ BEGIN EXECUTE 'CREATE INDEX CONCURRENTLY x ON users (a)'; END $$",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY totals",
    ])
    func concurrentlyThatIsNotAKeywordOrIsAllowedInATransaction(_ sql: String) throws {
        #expect(try lintRules(sql).isEmpty)
    }
}
