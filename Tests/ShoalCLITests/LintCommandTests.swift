import Foundation
import ShoalTestSupport
import Testing

@Suite("shoal lint")
struct LintCommandTests {
    static let r4 = "4444dddd0004"
    static let r5 = "5555eeee0005"

    /// The standard fleet as PostgreSQL tenants at a URL nothing listens on
    /// (`shoal lint` never connects), plus r4 (an index build, an allowed
    /// drop) and r5 (a SET NOT NULL, a warning), on top of r3.
    static func fleet(_ sandbox: Sandbox) throws {
        try Fixture.fleet(sandbox, app: "\"driver\": \"postgres\", \"url\": \"${APP_URL}\", \"tenants\": \"tenants/app.json\"")
        try sandbox.write("versions/app/\(r4)_email_index.sql", MigrationFile(
            revision: r4, parents: [Fixture.r3], message: "index emails",
            up: "CREATE INDEX users_email ON users (email);\n\n-- shoal:allow drop nothing reads it since 2.3\nALTER TABLE projects DROP COLUMN title;").text)
        try sandbox.write("versions/app/\(r5)_email_required.sql", MigrationFile(
            revision: r5, parents: [r4], message: "email required",
            up: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;").text)
    }

    @Test func textNamesFileLineSeverityRuleMessageAndHelp() async throws {
        let sandbox = try Sandbox()
        try Self.fleet(sandbox)
        let result = try await sandbox.shoal("lint")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout == """
            versions/app/\(Self.r4)_email_index.sql:6: error require-concurrent-index: CREATE INDEX on existing table users blocks writes to it for the whole build
              help: use CREATE INDEX CONCURRENTLY in a `-- transaction: false` migration
            versions/app/\(Self.r4)_email_index.sql:9: error drop (allowed): dropping column projects.title breaks the running code that still reads it, and loses the data
              help: stop using it first, then drop it in a `-- phase: contract` migration
            versions/app/\(Self.r5)_email_required.sql:6: warning set-not-null: SET NOT NULL on users.email reads all of users under ACCESS EXCLUSIVE
              help: add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later migration, then SET NOT NULL
            5 migrations linted: 1 error, 1 warning, 1 allowed

            """)
        #expect(result.stderr.isEmpty)
    }

    @Test func jsonHasExactlyTheSpecFields() async throws {
        let sandbox = try Sandbox()
        try Self.fleet(sandbox)
        let result = try await sandbox.shoal("lint", "--json")
        #expect(result.status == 1)
        let json = try result.json()
        #expect(json["summary"] as? [String: Int] == ["migrations": 5, "errors": 1, "warnings": 1, "allowed": 1])
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.count == 3)
        #expect(findings.allSatisfy {
            Set($0.keys) == ["database", "revision", "file", "line", "rule", "severity", "message", "help", "statement", "allowed"]
        })
        let first = findings[0]
        #expect(first["database"] as? String == "app")
        #expect(first["revision"] as? String == Self.r4)
        #expect(first["file"] as? String == "versions/app/\(Self.r4)_email_index.sql")
        #expect(first["line"] as? Int == 6)
        #expect(first["rule"] as? String == "require-concurrent-index")
        #expect(first["severity"] as? String == "error")
        #expect(first["statement"] as? String == "CREATE INDEX users_email ON users (email)")
        #expect(first["allowed"] as? Bool == false)
        #expect(findings[1]["allowed"] as? Bool == true)
        #expect(findings[2]["severity"] as? String == "warning")
        #expect(result.stderr.contains("5 migrations linted: 1 error, 1 warning, 1 allowed"), "text goes to stderr under --json")
    }

    @Test func warningsFailOnlyWithStrictAndAllowedErrorsNever() async throws {
        let sandbox = try Sandbox()
        try Self.fleet(sandbox)
        let sinceR4 = try await sandbox.shoal("lint", "--since", Self.r4)
        #expect(sinceR4.status == 0, "only r5, a warning: \(sinceR4.stdout)")
        #expect(sinceR4.stdout.hasSuffix("1 migration linted: 0 errors, 1 warning, 0 allowed\n"))
        #expect(try await sandbox.shoal("lint", "--since", Self.r4, "--strict").status == 1)
        #expect(try await sandbox.shoal("lint", "--since", String(Self.r5.prefix(6))).stdout == "0 migrations linted: 0 errors, 0 warnings, 0 allowed\n")
    }

    @Test func sinceLintsWhatTheBranchAdds() async throws {
        let sandbox = try Sandbox()
        try Self.fleet(sandbox)
        let result = try await sandbox.shoal("lint", "--db", "app", "--since", Fixture.r3, "--json")
        let findings = try #require(try result.json()["findings"] as? [[String: Any]])
        #expect(findings.compactMap { $0["revision"] as? String } == [Self.r4, Self.r4, Self.r5])
        let summary = try #require(try result.json()["summary"] as? [String: Int])
        #expect(summary["migrations"] == 2)
    }

    @Test func sqliteDatabasesGetRenameAndDropOnly() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        try sandbox.write("versions/app/\(Self.r4)_rework.sql", MigrationFile(
            revision: Self.r4, parents: [Fixture.r3],
            up: "CREATE INDEX users_name ON users (name);\nALTER TABLE users RENAME COLUMN name TO full_name;").text)
        let result = try await sandbox.shoal("lint")
        #expect(result.status == 1)
        #expect(result.stdout.components(separatedBy: "\n").filter { $0.contains(": error ") }
            == ["versions/app/\(Self.r4)_rework.sql:6: error rename: renaming column users.name to full_name breaks the running code that uses the old name"])
    }

    @Test func theDemoFleetLintsCleanAndPathsAreRelativeToTheCurrentDirectory() async throws {
        let sandbox = try Sandbox()
        #expect(try await sandbox.shoal("init", "demo").status == 0)
        let clean = try await sandbox.shoal("lint", "--config", "demo/config.json")
        #expect(clean.status == 0, "\(clean.stdout)")
        #expect(clean.stdout == "9 migrations linted: 0 errors, 0 warnings, 0 allowed\n")
        let head = try #require(try await sandbox.shoal("heads", "--config", "demo/config.json", "--db", "app", "--json")
            .json()["heads"] as? [[String: Any]]).first?["revision"] as? String
        try sandbox.write("demo/versions/app/\(Self.r4)_rename.sql", MigrationFile(
            revision: Self.r4, parents: [try #require(head)], up: "ALTER TABLE projects RENAME COLUMN name TO title;").text)
        let rename = try await sandbox.shoal("lint", "--config", "demo/config.json", "--db", "app")
        #expect(rename.status == 1)
        #expect(rename.stdout.hasPrefix("demo/versions/app/\(Self.r4)_rename.sql:5: error rename: "), "\(rename.stdout)")
    }

    @Test func badInputExits2BeforeReadingADatabase() async throws {
        let sandbox = try Sandbox()
        try Self.fleet(sandbox)
        let unknownDB = try await sandbox.shoal("lint", "--db", "ap")
        #expect(unknownDB.status == 2)
        #expect(unknownDB.stderr.contains("no database named `ap`") && unknownDB.stderr.contains("did you mean `app`?"))
        let unknownRevision = try await sandbox.shoal("lint", "--since", "9999ffff")
        #expect(unknownRevision.status == 2)
        #expect(unknownRevision.stderr.contains("unknown revision `9999ffff`"))
        #expect(unknownRevision.stdout.isEmpty)

        try sandbox.write("versions/app/\(Self.r5)_email_required.sql", MigrationFile(
            revision: Self.r5, parents: [Self.r4], up: "-- shoal:allow set-not-nul checked by hand\nALTER TABLE users ALTER COLUMN email SET NOT NULL;").text)
        let badAllow = try await sandbox.shoal("lint")
        #expect(badAllow.status == 2)
        #expect(badAllow.stderr.contains("versions/app/\(Self.r5)_email_required.sql:5"), "\(badAllow.stderr)")
        #expect(badAllow.stderr.contains("unknown lint rule `set-not-nul`") && badAllow.stderr.contains("set-not-null"))
        #expect(badAllow.stdout.isEmpty, "nothing is printed before every file is read")

        try sandbox.write("config.json", "{ \"databases\": { \"app\": { \"driver\": \"postgres\" } } }")
        #expect(try await sandbox.shoal("lint").status == 2)
    }

    @Test func sinceNeedsOneDatabase() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("config.json", """
            { "databases": { "a": { "driver": "sqlite", "path": "a.sqlite" }, "b": { "driver": "sqlite", "path": "b.sqlite" } } }
            """)
        try sandbox.write("versions/a/\(Fixture.r1)_users.sql", Fixture.users)
        try sandbox.write("versions/b/\(Fixture.r1)_users.sql", Fixture.users)
        let result = try await sandbox.shoal("lint", "--since", Fixture.r1)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--since names a revision of one database: add --db NAME (databases: a, b)"))
        #expect(try await sandbox.shoal("lint", "--since", Fixture.r1, "--db", "b").status == 0)
    }

    @Test func helpListsTheRules() async throws {
        let result = try await Sandbox().shoal("lint", "--help")
        for rule in ["require-concurrent-index", "concurrently-in-transaction", "volatile-default", "unique-without-index",
                     "rename", "drop", "blocking-command"] {
            #expect(result.stdout.contains(rule), "\(rule)")
        }
    }

    @Test func checkCountsLintErrorsAsAHintAndKeepsItsExitCode() async throws {
        let sandbox = try Sandbox()
        try Self.fleet(sandbox)
        let result = try await sandbox.shoal("check")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("  hint: 1 lint error; `shoal lint --db app` lists them"))
        let json = try await sandbox.shoal("check", "--json")
        let databases = try #require(try json.json()["databases"] as? [[String: Any]])
        #expect(databases.first?["lint_errors"] as? Int == 1)
    }
}
