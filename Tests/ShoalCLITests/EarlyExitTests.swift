import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// Issue 17 item 8: a command that cannot start exits 2, every time. It
/// used to abort (status 6, `krb5int_key_delete: Assertion … failed`) about
/// one run in fifty, after printing the right error: the sessions opened
/// while the registry loads were still inside libpq's Kerberos code when
/// `exit` ran krb5's library destructor.
///
/// The fleets' URLs say `gssencmode=prefer`, so that libpq runs its
/// Kerberos code while it connects (as it did by default before shoal
/// disabled GSSAPI encryption where the URL does not ask for it).
@Suite("early exits are orderly")
struct EarlyExitTests {
    /// What stderr shows when the process aborted or crashed.
    static let crashMarkers = ["Assertion", "Aborted", "crashed", "Backtracing", "Fatal error", "k5_", "krb5"]

    /// `app` (tenants in schemas) and `events` (three shards), every URL
    /// on the scratch database at `url` and each a place of its own, so
    /// that a command warms four sessions.
    static func fleet(_ sandbox: Sandbox, url: String, tenants: [String]) throws {
        func place(_ name: String) -> String { Fixture.json(url + " gssencmode=prefer fallback_application_name=\(name)") }
        try sandbox.write("config.json", """
        { "concurrency": 8,
          "databases": {
            "app": { "driver": "postgres", "url": \(place("app")), "tenants": "tenants/app.json" },
            "events": { "driver": "postgres",
                        "shards": { "eu-1": { "url": \(place("eu-1")) }, "us-1": { "url": \(place("us-1")) },
                                    "ap-1": { "url": \(place("ap-1")) } } } } }
        """)
        try sandbox.write("tenants/app.json", "[" + tenants.map(Fixture.json).joined(separator: ", ") + "]")
        for database in ["app", "events"] {
            try sandbox.write("versions/\(database)/\(Fixture.r1)_create_users.sql", Fixture.users)
        }
    }

    /// Runs `commands` in turn, `runs` times in all (as many at once as
    /// ``ProcessSlots`` allows), and returns what was wrong with each run
    /// that `check` finds fault with, with the run's output.
    static func repeatedly(_ sandbox: Sandbox, _ commands: [[String]], runs: Int,
                           _ check: @escaping @Sendable ([String], CLIResult) -> String?) async throws -> [String] {
        try await withThrowingTaskGroup(of: String?.self) { group in
            for index in 0..<runs {
                let args = commands[index % commands.count]
                group.addTask {
                    let result = try await sandbox.run(args)
                    return check(args, result).map { "run \(index) \(args): \($0)\n\(result.stdout)\(result.stderr)" }
                }
            }
            var problems: [String] = []
            for try await problem in group {
                if let problem { problems.append(problem) }
            }
            return problems
        }
    }

    /// Exactly exit 2 with `expected` on stderr, nothing on stdout, and no sign of a crash.
    static func exitsTwo(saying expected: String) -> @Sendable ([String], CLIResult) -> String? {
        { _, result in
            if result.status != 2 { return "exit \(result.status)" }
            if !result.stderr.contains(expected) { return "stderr does not say \(expected)" }
            if let marker = crashMarkers.first(where: result.stderr.contains) { return "stderr shows \(marker)" }
            if !result.stdout.isEmpty { return "something on stdout" }
            return nil
        }
    }

    @Test func aHostileTenantNameExitsTwoEveryTime() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            try Self.fleet(sandbox, url: url, tenants: ["acme", "../etc"])
            let before = try await PostgresProbe.catalog(of: url)
            // Before the fix, 200 runs saw 4 or 5 aborts.
            let problems = try await Self.repeatedly(sandbox, [["upgrade"], ["status"], ["stamp", "head"], ["upgrade", "--json"]], runs: 200,
                                                     Self.exitsTwo(saying: "tenant `../etc` of database `app` is not a valid name"))
            #expect(problems.isEmpty, "\(problems.count) of 200 runs went wrong; the first: \(problems.first ?? "")")
            #expect(try await PostgresProbe.catalog(of: url) == before, "nothing was created or changed")
        }
    }

    @Test func aRevisionThatDoesNotResolveExitsTwoEveryTimeWhileTheShardsConnect() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            try Self.fleet(sandbox, url: url, tenants: ["acme", "globex"])
            let before = try await PostgresProbe.catalog(of: url)
            // The registry is fine, so the four sessions are opening when the
            // revision argument is refused. Before the fix, 200 runs saw 4 aborts.
            let problems = try await Self.repeatedly(sandbox, [["upgrade", "9999ffff"], ["downgrade", "9999ffff"], ["stamp", "9999ffff"]],
                                                     runs: 150, Self.exitsTwo(saying: "unknown revision `9999ffff`"))
            #expect(problems.isEmpty, "\(problems.count) of 150 runs went wrong; the first: \(problems.first ?? "")")
            #expect(try await PostgresProbe.catalog(of: url) == before, "nothing was created or changed")

            // The same fleet works: the shards connect and migrate.
            let upgrade = try await sandbox.shoal("upgrade")
            #expect(upgrade.status == 0, "\(upgrade.stdout)\(upgrade.stderr)")
        }
    }

    /// SPEC §2: a hostile tenant name is refused before any connection is
    /// opened, sessions opened ahead for the planning read included. The
    /// fleet's server is a socket that listens and never answers: a
    /// connection attempt would wait in its backlog.
    @Test func aHostileTenantNameOpensNoConnection() async throws {
        let listener = try SilentListener()
        let sandbox = try Sandbox()
        try Self.fleet(sandbox, url: "host=127.0.0.1 port=\(listener.port) user=shoal dbname=app connect_timeout=5",
                       tenants: ["acme", "../etc"])
        for args in [["upgrade"], ["status"], ["downgrade", "base"], ["stamp", "head"]] {
            let result = try await sandbox.run(args)
            #expect(result.status == 2, "\(args): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("../etc"), "\(args): \(result.stderr)")
            #expect(listener.connectionsWaiting() == 0, "\(args) connected before refusing the tenant name")
        }
    }
}
