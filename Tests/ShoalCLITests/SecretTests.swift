import Foundation
import Testing

/// Passwords in PostgreSQL URLs that cannot connect never reach stdout or
/// stderr: not in text, not in JSON, not in trace logs, not in libpq's own
/// error text, which quotes the parts of a conninfo it cannot read.
@Suite("no password in any output")
struct SecretTests {
    static let password = "Secr3tPw"

    /// URLs that fail in different places: no server on the port, a host
    /// that does not resolve, and URIs libpq cannot parse (which it quotes,
    /// whole or in part).
    static let urls = [
        "postgres://shoal:Secr3tPw@127.0.0.1:1/app",
        "postgres://shoal:Secr3tPw@no-such-host.invalid/app",
        "postgres://u:Secr3tPw@[::1",
        "postgresql://u:Secr%zz3tPw@127.0.0.1:1/app",
        "postgres://u:Secr/3tPw@127.0.0.1:1/app",
        "postgres://u:Secr@3tPw@127.0.0.1:1/app",
        "postgres://u:Secr?3tPw@127.0.0.1:1/app?sslmode=disable",
        "host=127.0.0.1 port=1 user=u password=Secr3tPw dbname=app",
        "host=127.0.0.1 port=1 user=u password='Secr 3tPw' dbname=app",
    ]

    /// A fleet with a plain database, a replica and schema tenants, all at `url`.
    static func fleet(_ sandbox: Sandbox, url: String) throws {
        let escaped = url.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        try sandbox.write("config.json", """
        { "databases": {
            "core": { "driver": "postgres", "url": "${CORE_URL}", "replicas": [{ "name": "core-replica", "url": "\(escaped)" }] },
            "accounts": { "driver": "postgres", "url": "\(escaped)", "tenants": "tenants/accounts.json", "after": ["core"] }
        } }
        """)
        try sandbox.write("tenants/accounts.json", "[\"acme\", \"globex\"]\n")
        for database in ["core", "accounts"] {
            try sandbox.write("versions/\(database)/\(Fixture.r1)_create_users.sql", Fixture.users)
        }
    }

    /// Every command that reads a URL, for the three URLs of issue 6; the
    /// others go through the two paths that report connection errors.
    static func commands(for url: String) -> [[String]] {
        guard urls.prefix(3).contains(url) else { return [["upgrade"], ["status", "--json"]] }
        var commands: [[String]] = []
        for command in [["status"], ["upgrade"], ["history"], ["verify"], ["check"]] {
            commands += [command, command + ["--json"]]
        }
        return commands + [["status", "--exit-code"], ["upgrade", "--dry-run"], ["downgrade", "base"], ["stamp", "head", "--json"],
                           ["tenants", "add", "wayne", "--db", "accounts"], ["tenants", "list", "--db", "accounts"]]
    }

    /// Pieces of the password as the URLs above hold it.
    static func leaks(_ output: String) -> [String] {
        ["Secr3tPw", "Secr", "3tPw"].filter { output.contains($0) }
    }

    @Test(arguments: urls)
    func noCommandShowsThePassword(_ url: String) async throws {
        let sandbox = try Sandbox()
        try Self.fleet(sandbox, url: url)
        for command in Self.commands(for: url) {
            let result = try await sandbox.run(command, environment: ["CORE_URL": url, "SHOAL_LOG_LEVEL": "trace",
                                                                "PGCONNECT_TIMEOUT": "3"])
            #expect(Self.leaks(result.stdout).isEmpty, "\(command) stdout: \(result.stdout)")
            #expect(Self.leaks(result.stderr).isEmpty, "\(command) stderr: \(result.stderr)")
            #expect(!result.stdout.isEmpty || !result.stderr.isEmpty, "\(command) said nothing")
        }
    }

    @Test func theFailuresStillSayWhatFailedWithTheHostAndUser() async throws {
        let sandbox = try Sandbox()
        try Self.fleet(sandbox, url: Self.urls[1])
        let result = try await sandbox.run(["upgrade", "--db", "core"], environment: ["CORE_URL": Self.urls[1]])
        #expect(result.status == 1)
        #expect(result.stdout.contains("postgres://shoal:***@no-such-host.invalid/app"), "\(result.stdout)")
        #expect(result.stdout.contains("no-such-host.invalid"))
        let status = try await sandbox.run(["status", "--json"], environment: ["CORE_URL": Self.urls[0]])
        let targets = try status.targets()
        #expect(targets["core"]?["state"] as? String == "unreachable")
        #expect((targets["core"]?["message"] as? String)?.contains("postgres://shoal:***@127.0.0.1:1/app") == true)
    }
}
