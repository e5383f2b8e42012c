import Testing
@testable import ShoalKit

struct BlockingCommandRuleTests {
    @Test(arguments: [
        ("VACUUM FULL users", "VACUUM FULL users rewrites it under ACCESS EXCLUSIVE: no reads or writes meanwhile"),
        ("VACUUM (FULL, ANALYZE) users", "VACUUM FULL users rewrites it under ACCESS EXCLUSIVE: no reads or writes meanwhile"),
        ("CLUSTER users USING users_pkey", "CLUSTER users rewrites it under ACCESS EXCLUSIVE: no reads or writes meanwhile"),
        ("CLUSTER", "CLUSTER rewrites every clustered table under ACCESS EXCLUSIVE: no reads or writes meanwhile"),
        ("LOCK TABLE users IN ACCESS EXCLUSIVE MODE", "LOCK TABLE users blocks other sessions until the migration commits"),
        ("LOCK users", "LOCK TABLE users blocks other sessions until the migration commits"),
        ("REINDEX TABLE users", "REINDEX users blocks writes to the table (and reads that use the index) for the whole rebuild"),
        ("REINDEX INDEX users_email", "REINDEX users_email blocks writes to the table (and reads that use the index) for the whole rebuild"),
        ("REFRESH MATERIALIZED VIEW totals", "REFRESH MATERIALIZED VIEW totals blocks reads of the view for the whole refresh"),
    ])
    func blocking(_ sql: String, _ message: String) throws {
        let findings = try lintFindings(sql)
        #expect(findings.map(\.rule) == [.blockingCommand])
        #expect(findings.first?.message == message)
    }

    @Test(arguments: [
        "VACUUM users",
        "VACUUM (ANALYZE) users",
        "ANALYZE users",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY totals",
        "SELECT 'VACUUM FULL'",
        "COMMENT ON TABLE users IS 'LOCK TABLE users'",
    ])
    func notBlocking(_ sql: String) throws {
        #expect(try lintRules(sql).isEmpty)
    }

    @Test func reindexConcurrentlyIsNotBlocking() throws {
        #expect(try lintRules("REINDEX INDEX CONCURRENTLY users_email", transactional: false).isEmpty)
        #expect(try lintRules("REINDEX (VERBOSE, CONCURRENTLY) TABLE users", transactional: false).isEmpty)
    }
}
