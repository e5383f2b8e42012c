import Foundation
import Testing

/// `shoal tenants add` with names that try SQL injection or path traversal:
/// exit 2, the name in the error, and nothing created or changed on disk.
@Suite("tenants add refuses hostile names and touches nothing")
struct HostileTenantTests {
    /// Names a shell can pass (argv cannot hold NUL; the unit tests cover it).
    static let names = [
        "a\"; DROP TABLE x; --", "x'; DROP SCHEMA public CASCADE; --", "../../etc/passwd", "a/b", "..", ".", "/tmp/x",
        "a\\b", "a\nb", " acme", "acme;", "$(touch pwned)", "`touch pwned`", "*", "%2e%2e%2f", "\u{0430}cme",
        "\u{FF41}cme", "acme\u{200B}", "\u{202E}emca", "tenant_{tenant}", "",
    ]

    /// Every path under the sandbox, directories included, with file contents.
    static func tree(_ sandbox: Sandbox) throws -> [String: Data?] {
        var entries: [String: Data?] = [:]
        let enumerator = FileManager.default.enumerator(atPath: sandbox.root)
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasPrefix(".out-") || relative.hasPrefix(".err-") { continue }
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: sandbox.path(relative), isDirectory: &isDirectory)
            entries[relative] = isDirectory.boolValue ? nil : try Data(contentsOf: URL(fileURLWithPath: sandbox.path(relative)))
        }
        return entries
    }

    @Test(arguments: names)
    func addRefusesOnSQLite(_ name: String) async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let before = try Self.tree(sandbox)
        for json in name == Self.names[0] || name.isEmpty ? [false, true] : [false] {
            let result = try await sandbox.run(["tenants", "add", name, "--db", "app"] + (json ? ["--json"] : []))
            #expect(result.status == 2, "\(name.debugDescription): \(result.stderr)")
            #expect(result.stderr.contains("tenant"))
            if !name.isEmpty { #expect(result.stderr.contains(name), "\(result.stderr)") }
            if json { #expect(result.stdout.isEmpty) }
        }
        #expect(try Self.tree(sandbox) == before, "something was written for \(name.debugDescription)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/x.sqlite"))
    }

    /// A PostgreSQL fleet whose server does not exist: the name is refused
    /// before any connection is tried (which would exit 1, not 2).
    static func postgresFleet(_ sandbox: Sandbox, layout: String) throws {
        let url = layout == "database" ? "postgres://shoal:Secr3tPw@127.0.0.1:1/app_{tenant}" : "postgres://shoal:Secr3tPw@127.0.0.1:1/app"
        try sandbox.write("config.json", """
        { "databases": { "accounts": { "driver": "postgres", "url": "\(url)", "layout": "\(layout)",
                                       "tenants": "tenants/accounts.json" } } }
        """)
        try sandbox.write("tenants/accounts.json", "[\"acme\"]\n")
        try sandbox.write("versions/accounts/\(Fixture.r1)_create_users.sql", Fixture.users)
    }

    @Test(arguments: ["schema", "database"])
    func addRefusesOnPostgresBeforeConnecting(_ layout: String) async throws {
        let sandbox = try Sandbox()
        try Self.postgresFleet(sandbox, layout: layout)
        let before = try Self.tree(sandbox)
        // tenant_ + 57 bytes, or app_ + 60 bytes: 64 bytes after templating.
        let tooLong = String(repeating: "x", count: layout == "schema" ? 57 : 60)
        let names = ["a\"; DROP TABLE x; --", "x'; DROP SCHEMA public CASCADE; --", "../../etc/passwd", "a/b", "\u{0430}cme"]
        for name in names {
            let result = try await sandbox.shoal("tenants", "add", name, "--db", "accounts")
            #expect(result.status == 2, "\(name.debugDescription): \(result.stderr)")
            #expect(!result.stderr.contains("connect"), "tried to connect for \(name.debugDescription): \(result.stderr)")
            #expect(!result.stderr.contains("Secr3tPw"))
        }
        let long = try await sandbox.shoal("tenants", "add", tooLong, "--db", "accounts")
        #expect(long.status == 2)
        #expect(long.stderr.contains("64 bytes") && long.stderr.contains("63"), "\(long.stderr)")
        #expect(try Self.tree(sandbox) == before)
    }

    @Test func hostileNamesInTheRegistryStopEveryCommandBeforeAnythingIsTouched() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        try sandbox.write("tenants/app.json", "[\"acme\", \"../../evil\"]")
        let before = try Self.tree(sandbox)
        for command in [["upgrade"], ["status"], ["history"], ["verify"], ["downgrade", "base"], ["stamp", "head"],
                        ["tenants", "add", "wayne", "--db", "app"], ["tenants", "remove", "acme", "--db", "app", "--drop", "--yes"]] {
            let result = try await sandbox.run(command)
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("../../evil"), "\(command): \(result.stderr)")
        }
        #expect(try Self.tree(sandbox) == before)
    }
}
