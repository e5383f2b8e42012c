import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// The `role` key on a real session (SPEC §14): the login role
/// `shoal_migrator` `SET ROLE`s to `shoal_owner`, which then owns what the
/// session creates; and a scratch database made as the owner role is
/// dropped even while a session of the login role is still leaving it.
@Suite struct PostgresSessionRoleTests {
    static let owner = SessionSettings(role: "shoal_owner")

    @Test func aRoleMakesTheSessionCreateAsThatRole() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let name = PostgresURL.databaseName(of: url) ?? ""
            try await PostgresProbeSession.run(url, "ALTER DATABASE \(name) OWNER TO shoal_owner")
            let migrator = PostgresURL.replacingDatabase(in: try PostgresTestServer.migratorURL(), with: name)
            let session = try await PostgresSession.connect(migrator, settings: Self.owner)
            try await session.closing {
                #expect(try await session.query("SELECT current_user::text, session_user::text") == [["shoal_owner", "shoal_migrator"]])
                try await session.execute("CREATE TABLE t (id int)")
                #expect(try await session.query("SELECT tableowner FROM pg_catalog.pg_tables WHERE tablename = 't'") == [["shoal_owner"]])
            }
        }
    }

    /// `DROP DATABASE … WITH (FORCE)` as the owner role may not end the
    /// login role's backends: shoal waits for them to leave. The login
    /// role's session here leaves once the drop is seen waiting for it.
    @Test func droppingADatabaseWaitsForTheLoginRolesSessionToLeave() async throws {
        let name = "shoal_test_role_" + String(UInt32.random(in: .min ... .max), radix: 16)
        let admin = try await PostgresSession.connect(try PostgresTestServer.migratorURL(), settings: Self.owner)
        try await admin.closing {
            try await admin.execute("CREATE DATABASE \(name)")
            let lingering = try await PostgresSession.connect(
                PostgresURL.replacingDatabase(in: try PostgresTestServer.migratorURL(), with: name))
            let leaver = Task {
                // Until the drop's wait shows in pg_stat_activity, then leave.
                let superuser = try PostgresTestServer.url()
                while try await PostgresProbeSession.rows(superuser, """
                    SELECT 1 FROM pg_catalog.pg_stat_activity WHERE usename = 'shoal_migrator' AND datname = 'postgres'
                    AND query LIKE '%pid <> pg_backend_pid()%'
                    """).isEmpty {
                    try await Task.sleep(for: .milliseconds(10))
                }
                await lingering.close()
            }
            do {
                try await admin.dropDatabase(name)
            } catch {
                leaver.cancel()
                await lingering.close()
                try? await PostgresProbeSession.run(try PostgresTestServer.url(), "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
                throw error
            }
            try await leaver.value
            #expect(try await admin.query("SELECT count(*) FROM pg_catalog.pg_database WHERE datname = $1", [name]) == [["0"]])
        }
    }
}

/// One statement or query on a new session, closed after.
enum PostgresProbeSession {
    static func run(_ url: String, _ sql: String) async throws {
        let session = try await PostgresSession.connect(url)
        try await session.closing { try await session.execute(sql) }
    }

    static func rows(_ url: String, _ sql: String) async throws -> [[String?]] {
        let session = try await PostgresSession.connect(url)
        return try await session.closing { try await session.query(sql) }
    }
}
