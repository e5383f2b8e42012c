import ShoalKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The PostgreSQL server the tests run against, from `SHOAL_TEST_PG_URL`
/// (`scripts/test` starts one and exports it). Without it the tests fail;
/// they never skip, so a green run always means the driver was tested.
package enum PostgresTestServer {
    /// Thrown (and so recorded as the test's failure) when no server is configured.
    package struct NotConfigured: Error, CustomStringConvertible {
        package var description: String {
            "PostgreSQL tests need a server: run scripts/test (or export SHOAL_TEST_PG_URL)"
        }
    }

    /// The maintenance URL of the primary.
    package static func url() throws -> String {
        guard let url = environment("SHOAL_TEST_PG_URL") else { throw NotConfigured() }
        return url
    }

    /// A streaming replica of the primary, when `scripts/test` started one.
    package static var replicaURL: String? { environment("SHOAL_TEST_PG_REPLICA_URL") }

    /// The primary's maintenance URL for the login role `shoal_migrator`, a
    /// member of `shoal_owner` with `CREATEDB` and nothing else
    /// (`scripts/lib/postgres.sh` creates both roles): the least-privilege tests.
    package static func migratorURL() throws -> String {
        guard let url = environment("SHOAL_TEST_PG_MIGRATOR_URL") else { throw NotConfigured() }
        return url
    }

    /// The primary's maintenance URL for `shoal_limited`: a login role that
    /// is a member of nothing and may create nothing.
    package static func limitedURL() throws -> String {
        guard let url = environment("SHOAL_TEST_PG_LIMITED_URL") else { throw NotConfigured() }
        return url
    }

    /// The directory of this run's throwaway CA and certificates (`ca.crt`,
    /// `server.crt`, `other-ca.crt`, `client.crt`, `client.key`,
    /// `client.passphrase`; see `pg_make_certificates` in
    /// `scripts/lib/postgres.sh`). The server has `ssl = on` and logs the
    /// role `shoal_cert` in only with `client.crt`.
    package static func tlsDirectory() throws -> String {
        guard let directory = environment("SHOAL_TEST_PG_TLS_DIR") else { throw NotConfigured() }
        return directory
    }

    /// True when the run must not be missing any server (`scripts/test`).
    package static var isRequired: Bool { environment("SHOAL_TEST_REQUIRE_PG") == "1" }

    /// Creates a database with a random name, runs `body` with a conninfo for
    /// it, then drops it (closing any session the test left open), so tests
    /// can run in parallel without seeing each other's tables.
    package static func withScratchDatabase<Result>(_ body: (_ url: String) async throws -> Result) async throws -> Result {
        let serverURL = try url()
        let name = "shoal_test_" + String(UInt64.random(in: .min ... .max), radix: 16)
        // FILE_COPY writes a few hundred bytes of WAL where PostgreSQL 15's
        // default (WAL_LOG) writes the whole template, about 4 MB: with a
        // hundred scratch databases in the first minute of a run, the
        // streaming replica would replay 400 MB and fall far behind.
        try await administer(serverURL) { admin in
            try await admin.execute("CREATE DATABASE \(admin.quoteIdentifier(name)) STRATEGY = FILE_COPY")
        }
        let result: Result
        do {
            result = try await body(PostgresURL.replacingDatabase(in: serverURL, with: name))
        } catch {
            try? await drop(name, on: serverURL)
            throw error
        }
        try await drop(name, on: serverURL)
        return result
    }

    /// A session on a fresh scratch database (see ``withScratchDatabase(_:)``),
    /// closed after `body`; `body` also gets the database's conninfo, to open more.
    package static func withScratchSession<Result>(
        settings: SessionSettings = SessionSettings(),
        _ body: (_ session: PostgresSession, _ url: String) async throws -> Result
    ) async throws -> Result {
        try await withScratchDatabase { url in
            let session = try await PostgresSession.connect(url, settings: settings)
            return try await session.closing { try await body(session, url) }
        }
    }

    private static func drop(_ name: String, on serverURL: String) async throws {
        try await administer(serverURL) { admin in
            try await admin.execute("DROP DATABASE IF EXISTS \(admin.quoteIdentifier(name)) WITH (FORCE)")
        }
    }

    private static func administer(_ serverURL: String, _ body: (PostgresSession) async throws -> Void) async throws {
        let admin = try await PostgresSession.connect(serverURL)
        do {
            try await body(admin)
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
