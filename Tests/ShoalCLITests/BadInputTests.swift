import Foundation
import ShoalTestSupport
import Testing

/// A broken input: files written over the standard fleet, the command, and
/// what stderr must say. In `files`, `@APP@` stands for the keys of `app` on
/// the backend under test (``AppFleet/appKeys``).
struct BadInput: Sendable, CustomStringConvertible {
    var description: String
    var files: [String: String] = [:]
    var args: [String] = ["upgrade"]
    var environment: [String: String] = [:]
    var expect: [String]
    /// The backends the case means something on: a config written for one
    /// driver only is checked on that driver.
    var backends: [Backend] = Backend.allCases
}


private func config(_ app: String, top: String = "") -> String {
    "{ \(top) \"databases\": { \"app\": { \(app) } } }"
}

private let appKeys = "@APP@"

/// `app` on PostgreSQL, at a server nothing listens on: these configs are
/// refused before any connection.
private let postgresKeys = "\"driver\": \"postgres\", \"tenants\": \"tenants/app.json\""

@Suite("bad input exits 2, names the problem and changes nothing")
struct BadInputTests {
    static let cases: [BadInput] = [
        // config.json (SPEC §2)
        BadInput(description: "malformed JSON", files: ["config.json": "{\n  \"databases\": {\n    \"app\": { \"driver\": \"sqlite\",, }\n  }\n}"],
                 expect: ["config.json", "line 3", "column"]),
        BadInput(description: "unknown top-level key", files: ["config.json": "{ \"databse\": {} }"],
                 expect: ["databse", "did you mean", "databases"]),
        BadInput(description: "unknown database key", files: ["config.json": config(appKeys + ", \"pth\": \"x\"")],
                 expect: ["pth", "did you mean", "path"]),
        BadInput(description: "missing driver", files: ["config.json": config("\"path\": \"x.sqlite\"")],
                 expect: ["driver"], backends: [.sqlite]),
        BadInput(description: "unknown driver", files: ["config.json": config("\"driver\": \"mysql\", \"path\": \"x.sqlite\"")],
                 expect: ["mysql"], backends: [.sqlite]),
        BadInput(description: "unset variable", files: ["config.json": config("\"driver\": \"sqlite\", \"path\": \"${SHOAL_TEST_UNSET_VAR}/{tenant}.sqlite\", \"tenants\": \"tenants/app.json\"")],
                 expect: ["SHOAL_TEST_UNSET_VAR", "databases.app.path"], backends: [.sqlite]),
        BadInput(description: "required variable with message", files: ["config.json": config("\"driver\": \"sqlite\", \"path\": \"${SHOAL_TEST_UNSET_VAR:?set it to the data folder}/{tenant}.sqlite\", \"tenants\": \"tenants/app.json\"")],
                 expect: ["set it to the data folder"], backends: [.sqlite]),
        BadInput(description: "after names an unknown database", files: ["config.json": config(appKeys + ", \"after\": [\"core\"]")],
                 expect: ["core"]),
        BadInput(description: "after cycle", files: ["config.json": """
                 { "databases": {
                   "app": { \(appKeys), "after": ["other"] },
                   "other": { "driver": "sqlite", "path": "other.sqlite", "after": ["app"] } } }
                 """], expect: ["cycle", "app", "other"]),
        BadInput(description: "tenant path without {tenant}", files: ["config.json": config("\"driver\": \"sqlite\", \"path\": \"app.sqlite\", \"tenants\": \"tenants/app.json\"")],
                 expect: ["{tenant}"], backends: [.sqlite]),
        BadInput(description: "hostile tenant name", files: ["tenants/app.json": "[\"acme\", \"../../etc/passwd\"]"],
                 expect: ["../../etc/passwd"]),
        BadInput(description: "tenant name with SQL", files: ["tenants/app.json": "[\"acme\", \"x\\\"; DROP TABLE users; --\"]"],
                 expect: ["DROP TABLE"]),
        BadInput(description: "duplicate tenant", files: ["tenants/app.json": "[\"acme\", \"acme\"]"],
                 expect: ["acme"]),
        BadInput(description: "missing config file", args: ["upgrade", "--config", "nowhere/config.json"],
                 expect: ["nowhere/config.json"]),
        BadInput(description: "concurrency not a number", files: ["config.json": config(appKeys, top: "\"concurrency\": \"many\",")],
                 expect: ["concurrency"]),
        // migration files (SPEC §4)
        BadInput(description: "missing revision header", files: ["versions/app/9999ffff0009_x.sql": "-- message: x\n\n-- shoal:up\nSELECT 1;\n"],
                 expect: ["9999ffff0009_x.sql", "revision"]),
        BadInput(description: "unknown header key", files: ["versions/app/9999ffff0009_x.sql": "-- revision: 9999ffff0009\n-- parents: \(Fixture.r3)\n-- mesage: x\n\n-- shoal:up\nSELECT 1;\n"],
                 expect: ["9999ffff0009_x.sql", "mesage"]),
        BadInput(description: "missing up section", files: ["versions/app/9999ffff0009_x.sql": "-- revision: 9999ffff0009\n-- parents: \(Fixture.r3)\n\n-- shoal:down\nSELECT 1;\n"],
                 expect: ["9999ffff0009_x.sql", "up"]),
        BadInput(description: "unknown section", files: ["versions/app/9999ffff0009_x.sql": "-- revision: 9999ffff0009\n-- parents: \(Fixture.r3)\n\n-- shoal:up\nSELECT 1;\n-- shoal:sideways\nSELECT 2;\n"],
                 expect: ["9999ffff0009_x.sql", "sideways"]),
        BadInput(description: "bad transaction value", files: ["versions/app/9999ffff0009_x.sql": "-- revision: 9999ffff0009\n-- parents: \(Fixture.r3)\n-- transaction: maybe\n\n-- shoal:up\nSELECT 1;\n"],
                 expect: ["9999ffff0009_x.sql", "maybe"]),
        BadInput(description: "duplicate revision", files: ["versions/app/\(Fixture.r3)_again.sql": MigrationFile(revision: Fixture.r3, parents: [Fixture.r2], message: "again", up: "SELECT 1;").text],
                 expect: [Fixture.r3]),
        BadInput(description: "unknown parent", files: ["versions/app/9999ffff0009_x.sql": MigrationFile(revision: "9999ffff0009", parents: ["abcdef999999"], message: "x", up: "SELECT 1;").text],
                 expect: ["abcdef999999", "9999ffff0009_x.sql"]),
        BadInput(description: "cycle", files: ["versions/app/\(Fixture.r1)_create_users.sql": MigrationFile(revision: Fixture.r1, parents: [Fixture.r3], message: "x", up: "SELECT 1;").text],
                 expect: ["cycle"]),
        // revision arguments and usage
        BadInput(description: "unknown revision", args: ["upgrade", "abcdef123456"], expect: ["abcdef123456"]),
        BadInput(description: "prefix too short", args: ["upgrade", "111"], expect: ["111"]),
        BadInput(description: "bad relative step", args: ["upgrade", "+x"], expect: ["+x"]),
        BadInput(description: "unknown flag", args: ["upgrade", "--concurency", "2"], expect: ["concurency"]),
        BadInput(description: "bad on-error mode", args: ["upgrade", "--on-error", "explode"], expect: ["explode"]),
        BadInput(description: "bad partition", args: ["upgrade", "--partition", "4/3"], expect: ["4/3"]),
        BadInput(description: "unknown database selector", args: ["upgrade", "--db", "ap"], expect: ["ap", "app"]),
        // PostgreSQL entries (SPEC §2)
        BadInput(description: "unset variable in a url", files: ["config.json": config(postgresKeys + ", \"url\": \"${SHOAL_TEST_UNSET_VAR}\"")],
                 expect: ["SHOAL_TEST_UNSET_VAR", "databases.app.url"], backends: [.postgres]),
        BadInput(description: "unknown layout", files: ["config.json": config(appKeys + ", \"layout\": \"tables\"")],
                 expect: ["layout", "tables"], backends: [.postgres]),
        BadInput(description: "schema template without {tenant}", files: ["config.json": config(appKeys + ", \"schema\": \"tenants\"")],
                 expect: ["schema", "{tenant}"], backends: [.postgres]),
        BadInput(description: "url and shards", files: ["config.json": config(appKeys + ", \"shards\": { \"eu-1\": { \"url\": \"host=127.0.0.1 port=1\" } }")],
                 expect: ["url", "shards"], backends: [.postgres]),
        BadInput(description: "path on postgres", files: ["config.json": config(appKeys + ", \"path\": \"x.sqlite\"")],
                 expect: ["path"], backends: [.postgres]),
        BadInput(description: "database layout without {tenant} in the url",
                 files: ["config.json": config(postgresKeys + ", \"layout\": \"database\", \"url\": \"postgres://u@127.0.0.1:1/app\"")],
                 expect: ["{tenant}"], backends: [.postgres]),
        BadInput(description: "tenant on an unknown shard",
                 files: ["config.json": config(postgresKeys + ", \"shards\": { \"eu-1\": { \"url\": \"host=127.0.0.1 port=1\" }, \"us-1\": { \"url\": \"host=127.0.0.1 port=1\" } }"),
                         "tenants/app.json": "[{\"name\": \"acme\", \"shard\": \"ap-1\"}]"],
                 expect: ["acme", "ap-1"], backends: [.postgres]),
        BadInput(description: "tenant without a shard on two shards",
                 files: ["config.json": config(postgresKeys + ", \"shards\": { \"eu-1\": { \"url\": \"host=127.0.0.1 port=1\" }, \"us-1\": { \"url\": \"host=127.0.0.1 port=1\" } }"),
                         "tenants/app.json": "[{\"name\": \"acme\", \"shard\": \"eu-1\"}, \"globex\"]"],
                 expect: ["globex", "shard"], backends: [.postgres]),
        BadInput(description: "max_connections zero",
                 files: ["config.json": config(postgresKeys + ", \"shards\": { \"eu-1\": { \"url\": \"host=127.0.0.1 port=1\", \"max_connections\": 0 } }")],
                 expect: ["max_connections"], backends: [.postgres]),
        BadInput(description: "lock_retries out of range", files: ["config.json": config(appKeys, top: "\"lock_retries\": 1000,")],
                 expect: ["lock_retries"], backends: [.postgres]),
    ]

    static let runs: [(BadInput, Backend)] = cases.flatMap { input in input.backends.map { (input, $0) } }

    @Test(arguments: runs)
    func badInputIsRefusedBeforeAnythingIsTouched(_ input: BadInput, _ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r1).status == 0)
            for (path, contents) in input.files {
                try fleet.sandbox.write(path, contents.replacingOccurrences(of: "@APP@", with: fleet.appKeys))
            }
            let before = try await fleet.snapshot()
            let result = try await fleet.run(input.args, environment: input.environment)
            #expect(result.status == 2, "\(input): exit \(result.status)\n\(result.stderr)")
            for phrase in input.expect {
                #expect(result.stderr.contains(phrase), "\(input): stderr lacks \(phrase):\n\(result.stderr)")
            }
            #expect(result.stdout.isEmpty || !result.stdout.contains("applied"), "\(input): \(result.stdout)")
            #expect(try await fleet.snapshot() == before, "\(input) changed files or the database")
            #expect(try await fleet.versions("acme") == [Fixture.r1])
        }
    }
}
