import Testing
@testable import ShoalKit

/// What shoal says to grant for each of PostgreSQL's "permission denied"
/// messages (SPEC §14), as PostgreSQL 15 words them.
@Suite struct PrivilegeAdviceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var message: String
        var words: String
        var sql: String
        var testDescription: String { message }
    }

    static let cases: [Case] = [
        Case(message: "permission denied for database app",
             words: "grant CREATE on database app to migrator", sql: "GRANT CREATE ON DATABASE app TO migrator"),
        Case(message: "permission denied for schema tenant_acme",
             words: "grant USAGE and CREATE on schema tenant_acme to migrator",
             sql: "GRANT USAGE, CREATE ON SCHEMA tenant_acme TO migrator"),
        Case(message: "permission denied for table users",
             words: "grant migrator the privileges the statement needs on table users, or migrate as its owner (the `role` key)",
             sql: "GRANT SELECT, INSERT, UPDATE, DELETE ON users TO migrator"),
        Case(message: "permission denied for sequence users_id_seq",
             words: "grant migrator the privileges the statement needs on sequence users_id_seq, or migrate as its owner (the `role` key)",
             sql: "GRANT USAGE, SELECT, UPDATE ON SEQUENCE users_id_seq TO migrator"),
        Case(message: "permission denied for function audit",
             words: "grant EXECUTE on function audit to migrator", sql: "GRANT EXECUTE ON FUNCTION audit TO migrator"),
        Case(message: "permission denied to create database",
             words: "role migrator needs the CREATEDB attribute", sql: "ALTER ROLE migrator CREATEDB"),
        Case(message: "must be owner of table legacy",
             words: "only the owner of table legacy (or a member of the owner role) may change it: set the database's `role` key to that owner, or make migrator its owner",
             sql: "ALTER TABLE legacy OWNER TO migrator"),
        Case(message: "must be owner of materialized view totals",
             words: "only the owner of materialized view totals (or a member of the owner role) may change it: set the database's `role` key to that owner, or make migrator its owner",
             sql: "ALTER MATERIALIZED VIEW totals OWNER TO migrator"),
        Case(message: "permission denied for schema \"Tenant Acme\"",
             words: "grant USAGE and CREATE on schema \"Tenant Acme\" to migrator",
             sql: "GRANT USAGE, CREATE ON SCHEMA \"Tenant Acme\" TO migrator"),
    ]

    @Test(arguments: cases)
    func eachRefusalSaysWhatToGrant(_ testCase: Case) {
        let advice = PrivilegeAdvice.advice(forServerMessage: testCase.message, role: "migrator")
        #expect(advice == PrivilegeAdvice(words: testCase.words, sql: testCase.sql))
    }

    @Test func aRoleThatNeedsQuotesIsQuotedInTheGrant() {
        let advice = PrivilegeAdvice.advice(forServerMessage: "permission denied for database app", role: "App \"Owner\"")
        #expect(advice?.sql == "GRANT CREATE ON DATABASE app TO \"App \"\"Owner\"\"\"")
        #expect(advice?.words == "grant CREATE on database app to App \"Owner\"")
    }

    /// Names are quoted for SQL whatever they hold: a dot, a quote, capitals.
    @Test func namesAreQuotedSoTheGrantCannotBeBrokenOutOf() {
        #expect(PrivilegeAdvice.sqlName("a.b") == "\"a.b\"")
        #expect(PrivilegeAdvice.sqlName("\"x\"; DROP TABLE t; --\"") == "\"x\"\"; DROP TABLE t; --\"")
        #expect(PrivilegeAdvice.sqlName("Users") == "\"Users\"")
        #expect(PrivilegeAdvice.sqlName("tenant_acme2") == "tenant_acme2")
        let advice = PrivilegeAdvice.advice(forServerMessage: "permission denied for table a\" TO PUBLIC; --", role: "m")
        #expect(advice?.sql == "GRANT SELECT, INSERT, UPDATE, DELETE ON \"a\"\" TO PUBLIC; --\" TO m")
    }

    @Test func anUnknownMessageGetsNoAdvice() {
        #expect(PrivilegeAdvice.advice(forServerMessage: "permission denied to create extension \"pgcrypto\"", role: "m") == nil)
        #expect(PrivilegeAdvice.advice(forServerMessage: "relation \"x\" does not exist", role: "m") == nil)
    }
}
