import Testing
import ShoalTestSupport
@testable import ShoalKit

/// PostgresURL reads and rewrites conninfo with libpq's own parser.
@Suite struct PostgresURLTests {
    @Test func databaseNameReadsEveryForm() {
        #expect(PostgresURL.databaseName(of: "postgres://app:pw@db1:5433/accounts?sslmode=require") == "accounts")
        #expect(PostgresURL.databaseName(of: "postgresql://db1/tenant%5Facme") == "tenant_acme")
        #expect(PostgresURL.databaseName(of: "host=db1 dbname='my db' user=app") == "my db")
        #expect(PostgresURL.databaseName(of: "accounts") == "accounts")
        #expect(PostgresURL.databaseName(of: "postgres://db1") == nil)
        #expect(PostgresURL.databaseName(of: "host=db1") == nil)
    }

    @Test func replacingDatabaseInAURLKeepsEverythingElse() throws {
        let url = "postgres://app:p%40ss@db1:5433/postgres?sslmode=require&application_name=x"
        let replaced = PostgresURL.replacingDatabase(in: url, with: "tenant_acme")
        #expect(PostgresURL.databaseName(of: replaced) == "tenant_acme")
        let options = try #require(PostgresURL.parse(replaced))
        let values = Dictionary(uniqueKeysWithValues: options.map { ($0.keyword, $0.value) })
        #expect(values["host"] == "db1")
        #expect(values["port"] == "5433")
        #expect(values["user"] == "app")
        #expect(values["password"] == "p@ss")
        #expect(values["sslmode"] == "require")
    }

    @Test func replacingDatabaseInKeyValueFormQuotesTheName() throws {
        let conninfo = "host=db1 port=5433 dbname=postgres password='it\\'s'"
        let name = "we'ird \\ name"
        let replaced = PostgresURL.replacingDatabase(in: conninfo, with: name)
        #expect(replaced.contains("dbname='we\\'ird \\\\ name'"))
        #expect(PostgresURL.databaseName(of: replaced) == name)
        let options = try #require(PostgresURL.parse(replaced))
        #expect(options.first { $0.keyword == "password" }?.value == "it's")
    }

    @Test func replacingDatabaseAddsOneWhenNoneIsSet() {
        let replaced = PostgresURL.replacingDatabase(in: "postgres://db1", with: "x")
        #expect(PostgresURL.databaseName(of: replaced) == "x")
        #expect(PostgresURL.replacingDatabase(in: "accounts", with: "billing") == "dbname='billing'")
    }

    @Test func replacingDatabaseLeavesAnUnparsableStringForLibpqToReport() {
        #expect(PostgresURL.replacingDatabase(in: "host=db1 dbname", with: "x") == "host=db1 dbname")
    }

    @Test func replacedConninfoConnects() async throws {
        try await PostgresTestServer.withScratchSession { session, url throws in
            let name = try await session.query("SELECT current_database()").first?.first ?? nil
            #expect(name == PostgresURL.databaseName(of: url))
        }
    }
}
