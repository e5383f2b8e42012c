import Testing
@testable import ShoalKit

/// Inputs far bigger and deeper than the random ones, once each: every
/// parser answers in linear time and without recursing per character.
extension FuzzTests {
    @Suite struct WorstCases {
        static let megabyte = 1_000_000

        /// Named inputs (the texts are too big to print as test arguments).
        static let cases = [
            "migration: a 1 MB header value", "migration: a 1 MB section marker", "migration: 100k lines",
            "migration: 100k header lines", "migration: 1 MB of trailing blanks", "sql: 1 MB of blanks", "sql: 100k nested comments", "sql: an unterminated 1 MB string",
            "sql: 100k dollar tags", "sql: 100k statements", "redact: 20k URLs", "redact: 20k passwords",
            "redact: an unterminated quoted password", "env: 100k references", "env: 100k literal dollars",
            "libpq: a message ending in 1 MB of blanks", "spec: a 1 MB revision", "partition: 1 MB of digits", "tenant: a 1 MB name",
            "lint: 100k statements", "lint: an ALTER TABLE of 50k actions", "lint: 100k comment lines above a statement",
            "lint: 100k nested parentheses",
        ]

        static func run(_ label: String) {
            let big = String(repeating: "a", count: megabyte)
            let path = "/fuzz/versions/app/5c1e9a0b7f3d_x.sql"
            switch label {
            case "migration: a 1 MB header value":
                _ = try? MigrationParser.parse("-- revision: 5c1e9a0b7f3d\n-- message: \(big)\n-- shoal:up\n", path: path)
            case "migration: a 1 MB section marker":
                _ = try? MigrationParser.parse("-- revision: 5c1e9a0b7f3d\n-- shoal:\(big)\n", path: path)
            case "migration: 100k lines":
                _ = try? MigrationParser.parse("-- revision: 5c1e9a0b7f3d\n-- shoal:up\n" + String(repeating: "SELECT 1;\n", count: 100_000),
                                               path: path)
            case "migration: 100k header lines":
                _ = try? MigrationParser.parse(String(repeating: "-- message: x\n", count: 100_000), path: path)
            case "migration: 1 MB of trailing blanks":
                let blanks = String(repeating: " ", count: megabyte)
                _ = try? MigrationParser.parse("-- revision: 5c1e9a0b7f3d\(blanks)\n-- shoal:up\(blanks)\nSELECT 1;\(blanks)\n", path: path)
            case "sql: 1 MB of blanks":
                _ = SQLScript.split(String(repeating: " ", count: megabyte) + "SELECT 1" + String(repeating: "\t", count: megabyte))
            case "sql: 100k nested comments":
                _ = SQLScript.split(String(repeating: "/*", count: 100_000) + "; SELECT 1")
            case "sql: an unterminated 1 MB string":
                _ = SQLScript.split("SELECT '" + big + ";")
            case "sql: 100k dollar tags":
                _ = SQLScript.split(String(repeating: "$a", count: 100_000) + "$ ;")
            case "sql: 100k statements":
                _ = SQLScript.split(String(repeating: "SELECT 1;", count: 100_000))
            case "redact: 20k URLs":
                _ = Redactor.redact(String(repeating: "postgres://u:pw@h/db ", count: 20_000))
            case "redact: 20k passwords":
                _ = Redactor.redact(String(repeating: "password=x ", count: 20_000))
            case "redact: an unterminated quoted password":
                _ = Redactor.redact("password='" + String(repeating: "\\", count: megabyte))
            case "env: 100k references":
                _ = try? EnvironmentExpander.expand(String(repeating: "${A:-b}", count: 100_000), keyPath: "k", environment: [:])
            case "env: 100k literal dollars":
                _ = try? EnvironmentExpander.expand(String(repeating: "$$", count: 100_000) + "${", keyPath: "k", environment: [:])
            case "libpq: a message ending in 1 MB of blanks":
                _ = PostgresError.clean("FATAL:  x" + String(repeating: " ", count: megabyte))
            case "spec: a 1 MB revision":
                _ = try? RevisionSpec(parsing: big)
                _ = try? RevisionSpec(parsing: "+" + String(repeating: "9", count: megabyte))
                _ = try? GraphFixtures.linear().resolve(big)
            case "partition: 1 MB of digits":
                _ = try? Partition(parsing: String(repeating: "9", count: megabyte) + "/1")
            case "tenant: a 1 MB name":
                _ = try? TenantName.validate(big, database: FleetFixtures.crm)
                _ = try? TenantName.validate(big + "/", database: FleetFixtures.app)
            case "lint: 100k statements":
                _ = lint(String(repeating: "CREATE INDEX i ON t (a);\n", count: 100_000))
            case "lint: an ALTER TABLE of 50k actions":
                _ = lint("ALTER TABLE t " + String(repeating: "ADD COLUMN c int NOT NULL DEFAULT random(), ", count: 50_000) + "DROP COLUMN d")
            case "lint: 100k comment lines above a statement":
                _ = lint(String(repeating: "-- shoal:allow drop why\n", count: 100_000) + "DROP TABLE t")
            case "lint: 100k nested parentheses":
                _ = lint("ALTER TABLE t ADD COLUMN c int DEFAULT " + String(repeating: "(", count: 100_000) + "random()")
            default:
                Issue.record("no worst case named \(label)")
            }
        }

        private static func lint(_ up: String) -> [LintFinding] {
            let migration = Migration(revision: "5c1e9a0b7f3d", up: up, checksum: "", path: "/fuzz/versions/app/5c1e9a0b7f3d_x.sql")
            return Linter.lint(database: "app", driver: .postgres, migrations: [migration])
        }

        /// A hang guard, not a speed test: linear work on these inputs takes
        /// well under a second, a quadratic path on a megabyte (10^12 steps)
        /// takes many minutes, so a loaded machine's slowness never trips it.
        @Test(arguments: cases)
        func hugeInputIsHandledInLinearTime(_ label: String) async {
            let clock = ContinuousClock()
            let start = clock.now
            Self.run(label)
            #expect(clock.now - start < .seconds(30), "\(label) took \(clock.now - start)")
        }
    }
}
