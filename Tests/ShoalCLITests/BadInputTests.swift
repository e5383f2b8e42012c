import Foundation
import Testing

/// A broken input: files written over the standard fleet, the command, and
/// what stderr must say.
struct BadInput: Sendable, CustomStringConvertible {
    var description: String
    var files: [String: String] = [:]
    var args: [String] = ["upgrade"]
    var environment: [String: String] = [:]
    var expect: [String]
}


private func config(_ app: String, top: String = "") -> String {
    "{ \(top) \"databases\": { \"app\": { \(app) } } }"
}

private let appKeys = "\"driver\": \"sqlite\", \"path\": \"tenants/app/{tenant}.sqlite\", \"tenants\": \"tenants/app.json\""

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
                 expect: ["driver"]),
        BadInput(description: "unknown driver", files: ["config.json": config("\"driver\": \"mysql\", \"path\": \"x.sqlite\"")],
                 expect: ["mysql"]),
        BadInput(description: "unset variable", files: ["config.json": config("\"driver\": \"sqlite\", \"path\": \"${SHOAL_TEST_UNSET_VAR}/{tenant}.sqlite\", \"tenants\": \"tenants/app.json\"")],
                 expect: ["SHOAL_TEST_UNSET_VAR", "databases.app.path"]),
        BadInput(description: "required variable with message", files: ["config.json": config("\"driver\": \"sqlite\", \"path\": \"${SHOAL_TEST_UNSET_VAR:?set it to the data folder}/{tenant}.sqlite\", \"tenants\": \"tenants/app.json\"")],
                 expect: ["set it to the data folder"]),
        BadInput(description: "after names an unknown database", files: ["config.json": config(appKeys + ", \"after\": [\"core\"]")],
                 expect: ["core"]),
        BadInput(description: "after cycle", files: ["config.json": """
                 { "databases": {
                   "app": { \(appKeys), "after": ["other"] },
                   "other": { "driver": "sqlite", "path": "other.sqlite", "after": ["app"] } } }
                 """], expect: ["cycle", "app", "other"]),
        BadInput(description: "tenant path without {tenant}", files: ["config.json": config("\"driver\": \"sqlite\", \"path\": \"app.sqlite\", \"tenants\": \"tenants/app.json\"")],
                 expect: ["{tenant}"]),
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
        BadInput(description: "duplicate revision", files: ["versions/app/\(Fixture.r3)_again.sql": Fixture.migration(Fixture.r3, parents: [Fixture.r2], message: "again", up: "SELECT 1;")],
                 expect: [Fixture.r3]),
        BadInput(description: "unknown parent", files: ["versions/app/9999ffff0009_x.sql": Fixture.migration("9999ffff0009", parents: ["abcdef999999"], message: "x", up: "SELECT 1;")],
                 expect: ["abcdef999999", "9999ffff0009_x.sql"]),
        BadInput(description: "cycle", files: ["versions/app/\(Fixture.r1)_create_users.sql": Fixture.migration(Fixture.r1, parents: [Fixture.r3], message: "x", up: "SELECT 1;")],
                 expect: ["cycle"]),
        // revision arguments and usage
        BadInput(description: "unknown revision", args: ["upgrade", "abcdef123456"], expect: ["abcdef123456"]),
        BadInput(description: "prefix too short", args: ["upgrade", "111"], expect: ["111"]),
        BadInput(description: "bad relative step", args: ["upgrade", "+x"], expect: ["+x"]),
        BadInput(description: "unknown flag", args: ["upgrade", "--concurency", "2"], expect: ["concurency"]),
        BadInput(description: "bad on-error mode", args: ["upgrade", "--on-error", "explode"], expect: ["explode"]),
        BadInput(description: "bad partition", args: ["upgrade", "--partition", "4/3"], expect: ["4/3"]),
        BadInput(description: "unknown database selector", args: ["upgrade", "--db", "ap"], expect: ["ap", "app"]),
    ]

    @Test(arguments: cases)
    func badInputIsRefusedBeforeAnythingIsTouched(_ input: BadInput) async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade", Fixture.r1).status == 0)
        for (path, contents) in input.files { try sandbox.write(path, contents) }
        let before = try sandbox.snapshot()
        let result = try sandbox.run(input.args, environment: input.environment)
        #expect(result.status == 2, "\(input): exit \(result.status)\n\(result.stderr)")
        for phrase in input.expect {
            #expect(result.stderr.contains(phrase), "\(input): stderr lacks \(phrase):\n\(result.stderr)")
        }
        #expect(result.stdout.isEmpty || !result.stdout.contains("applied"), "\(input): \(result.stdout)")
        #expect(try sandbox.snapshot() == before, "\(input) changed files")
        #expect(try await sandbox.column(Fixture.tenantFile("acme"), "SELECT revision FROM shoal_version") == [Fixture.r1])
    }
}
