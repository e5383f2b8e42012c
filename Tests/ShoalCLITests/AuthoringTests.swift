import Foundation
import ShoalTestSupport
import Testing

@Suite("init, revision, sql and check")
struct AuthoringTests {
    @Test func initWritesADemoFleetThatUpgrades() async throws {
        let sandbox = try Sandbox()
        let result = try await sandbox.shoal("init", "demo")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(sandbox.exists("demo/config.json"))
        #expect(try await sandbox.shoal("check", "--config", "demo/config.json").status == 0)
        let upgrade = try await sandbox.shoal("upgrade", "--config", "demo/config.json", "--json")
        #expect(upgrade.status == 0, "\(upgrade.stderr)")
        let targets = try upgrade.targets()
        #expect(targets.count == 6, "catalog and five app tenants: \(targets.keys.sorted())")
        #expect(targets.values.allSatisfy { $0["status"] as? String == "ok" })
    }

    @Test func initNeverOverwrites() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("demo/config.json", "{ \"mine\": true }")
        let result = try await sandbox.shoal("init", "demo")
        #expect(result.status == 2)
        #expect(result.stderr.contains("config.json"))
        #expect(try sandbox.read("demo/config.json") == "{ \"mine\": true }")
        #expect(!sandbox.exists("demo/versions"), "nothing is written when anything exists")
    }

    @Test func revisionWritesAFileOnTopOfTheHead() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let result = try await sandbox.shoal("revision", "--db", "app", "-m", "Add tags to projects!")
        #expect(result.status == 0, "\(result.stderr)")
        let path = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(path.contains("/versions/app/") && path.hasSuffix("_add_tags_to_projects.sql"))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("-- parents: \(Fixture.r3)"))
        #expect(text.contains("-- message: Add tags to projects!"))
        #expect(text.contains("-- shoal:up") && text.contains("-- shoal:down"))
        #expect(try await sandbox.shoal("check").status == 0)
        let heads = try await sandbox.shoal("heads", "--db", "app").stdout
        #expect(heads.contains((path as NSString).lastPathComponent.prefix(12)))
        let noTx = try await sandbox.shoal("revision", "-m", "index concurrently", "--no-transaction")
        #expect(try String(contentsOfFile: noTx.stdout.trimmingCharacters(in: .whitespacesAndNewlines), encoding: .utf8).contains("-- transaction: false"))
    }

    @Test func revisionForANewDatabaseIsARoot() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("config.json", "{ \"databases\": { \"fresh\": { \"driver\": \"sqlite\", \"path\": \"fresh.sqlite\" } } }")
        let result = try await sandbox.shoal("revision", "-m", "first")
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOfFile: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), encoding: .utf8)
        #expect(!text.contains("-- parents"))
    }

    @Test func sqlPrintsThePathWithVersionTableStatements() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let result = try await sandbox.shoal("sql", "head", "--db", "app")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("CREATE TABLE users"))
        #expect(result.stdout.contains("CREATE INDEX projects_owner"))
        #expect(result.stdout.contains("shoal_version_history"))
        #expect(result.stdout.contains(Fixture.r3))
        let down = try await sandbox.shoal("sql", "\(Fixture.r3):\(Fixture.r1)", "--db", "app")
        #expect(down.status == 0)
        #expect(down.stdout.contains("DROP TABLE projects") && down.stdout.contains("DROP COLUMN email"))
        #expect(!down.stdout.contains("CREATE TABLE users"))
        #expect(!sandbox.exists(Fixture.tenantFile("acme")), "sql touches no database")
    }

    @Test func checkPassesOnAHealthyFleet() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let result = try await sandbox.shoal("check", "--json")
        #expect(result.status == 0)
        #expect(try result.json()["ok"] as? Bool == true)
    }

    /// A `down` that does nothing is legal but rarely meant: `check` warns,
    /// naming the file and the revision, and its exit code stays. A
    /// revision with an empty `up` too (a merge, usually) is left alone.
    @Test(arguments: Backend.allCases)
    func checkWarnsAboutAnEmptyDownSection(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let r4 = "4444dddd0004", r5 = "5555eeee0005"
            let file = "versions/app/\(r4)_add_tags.sql"
            try fleet.sandbox.write(file, MigrationFile(revision: r4, parents: [Fixture.r3], message: "add tags",
                                                                  up: "CREATE TABLE tags (id INTEGER PRIMARY KEY);",
                                                                  down: "-- TODO: drop the table").text)
            try fleet.sandbox.write("versions/app/\(r5)_nothing.sql", MigrationFile(revision: r5, parents: [r4], message: "nothing", up: "", down: "").text)
            let text = try await fleet.shoal("check")
            #expect(text.status == 0, "\(text.stderr)")
            let warnings = text.stdout.split(separator: "\n").filter { $0.contains("warning:") }
            #expect(warnings.count == 1, "\(text.stdout)")
            let warning = String(warnings.first ?? "")
            #expect(warning.contains(file) && warning.contains(r4) && warning.contains("down section is empty"), "\(warning)")
            #expect(text.stdout.hasSuffix("ok (1 warning)\n"), "\(text.stdout)")

            let json = try await fleet.shoal("check", "--json")
            #expect(json.status == 0, "\(json.stderr)")
            let document = try json.json()
            #expect(document["ok"] as? Bool == true)
            let app = try #require((document["databases"] as? [[String: Any]])?.first)
            let listed = try #require(app["warnings"] as? [[String: Any]])
            #expect(listed.count == 1, "\(listed)")
            #expect(listed.first?["revision"] as? String == r4)
            #expect((listed.first?["file"] as? String)?.hasSuffix(file) == true, "\(listed)")
            #expect((listed.first?["message"] as? String)?.contains("down section is empty") == true, "\(listed)")

            // The fleet's own files have full down sections: no warning.
            try fleet.sandbox.remove(file)
            try fleet.sandbox.remove("versions/app/\(r5)_nothing.sql")
            let clean = try await fleet.shoal("check")
            #expect(clean.status == 0 && !clean.stdout.contains("warning"), "\(clean.stdout)")
            #expect(clean.stdout.hasSuffix("ok\n"), "\(clean.stdout)")
        }
    }

    @Test func configIsFoundThroughTheEnvironment() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        try FileManager.default.moveItem(atPath: sandbox.path("config.json"), toPath: sandbox.path("fleet.json"))
        #expect(try await sandbox.shoal("check").status == 2)
        #expect(try await sandbox.shoal("check", environment: ["SHOAL_CONFIG": sandbox.path("fleet.json")]).status == 0)
    }
}
