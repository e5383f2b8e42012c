import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit

/// config.json, tenant registries and `${VAR}` expansion under broken and
/// hostile input: shoal answers with an error naming the file (or the
/// variable and the key), never a crash, a hang or a leaked password.
extension FuzzTests {
    @Suite struct ConfigFuzz {
        static let file = "/fuzz/fleet/config.json"
        static let secret = "FuzzSecr3t"
        static let environment = [
            "DB_URL": "postgres://fuzz:\(secret)@db.internal:5432/app",
            "CONNINFO": "host=db.internal password=\(secret) dbname=app",
            "EMPTY": "",
            "TENANT_DB": "postgres://db.internal/app_{tenant}",
            "DIR": "data",
        ]

        /// Valid configs to start from: the demo, and one using every key.
        static let seeds: [String] = [
            DemoFleet.files[0].contents,
            #"""
            {
              "concurrency": 8, "lock_timeout_ms": 5000, "statement_timeout_ms": null, "lock_retries": 3,
              "databases": {
                "core": { "driver": "postgres", "url": "${DB_URL}",
                          "replicas": [{ "name": "core-replica", "url": "${DB_URL:-postgres://r/core}" }] },
                "accounts": {
                  "driver": "postgres", "after": ["core"], "layout": "schema", "schema": "tenant_{tenant}",
                  "shards": {
                    "eu-1": { "url": "${CONNINFO}", "max_connections": 4 },
                    "us-1": { "url": "postgres://us1/accounts", "replicas": [{ "name": "us-1-replica", "url": "postgres://r/a" }] }
                  },
                  "tenants": "tenants/accounts.json", "version_table": "acct_version", "lock_retries": 0
                },
                "billing": { "driver": "postgres", "layout": "database", "url": "${TENANT_DB}",
                             "tenants": { "query": "SELECT name FROM tenants WHERE x = '$$1'", "from": "core" } },
                "app": { "driver": "sqlite", "path": "${DIR}/{tenant}.sqlite", "tenants": "tenants/app.json",
                         "versions": "versions/app", "after": ["accounts", "core"] }
              }
            }
            """#,
        ]

        /// Fails unless `body` returned, or threw a `.config` ShoalError whose
        /// description names the config file and carries no password.
        static func checkConfigError(_ body: () throws -> FleetConfig) -> String? {
            do {
                let config = try body()
                for database in config.databases where !NameRule.isValid(database.name) {
                    return "accepted database name \(Fuzz.show(database.name))"
                }
                for database in config.databases where !NameRule.isIdentifier(database.versionTable) {
                    return "accepted version table \(Fuzz.show(database.versionTable))"
                }
                return nil
            } catch let error as ShoalError {
                if error.kind != .config { return "error of kind \(error.kind): \(error)" }
                if !error.description.contains(file) { return "error does not name the config file: \(error)" }
                if error.description.contains(secret) { return "error shows a password: \(error)" }
                if error.message.contains("environment variable") && !error.message.contains("(used by `") {
                    return "variable error does not name the key: \(error)"
                }
                return nil
            } catch {
                return "threw \(type(of: error)), not a ShoalError: \(error)"
            }
        }

        @Test func mutatedConfigsAreLoadedOrRejectedByName() async {
            let seeds = Self.seeds
            await Fuzz.run("config-mutated", generate: { random in
                Mutator.mutate(random.pick(seeds), others: seeds, using: &random)
            }, describe: { Fuzz.show($0) }, check: { bytes in
                Self.checkConfigError { try ConfigLoader.parse(Data(bytes), file: Self.file, environment: Self.environment) }
            })
        }

        @Test func randomConfigsAreLoadedOrRejectedByName() async {
            await Fuzz.run("config-structured", generate: { random in
                RandomConfig.document(using: &random)
            }, describe: { Fuzz.show($0) }, check: { text in
                Self.checkConfigError { try ConfigLoader.parse(Data(text.utf8), file: Self.file, environment: Self.environment) }
            })
        }

        @Test func mutatedRegistriesAreLoadedOrRejectedByName() async throws {
            let directory = try TemporaryDirectory(in: .memoryIfAvailable)
            let path = directory.file("tenants.json")
            let seeds = [
                #"["acme", "globex", {"name": "initech"}]"#,
                #"[{"name": "acme", "shard": "eu-1"}, {"name": "globex", "shard": "us-1"}]"#,
                "[]",
            ]
            let databases = [FleetFixtures.app, FleetFixtures.accounts, FleetFixtures.crm, FleetFixtures.solo]
            await Fuzz.run("registry-mutated", cases: 1000, generate: { random in
                (Mutator.mutate(random.pick(seeds), others: seeds, using: &random), random.pick(databases))
            }, describe: { "\($0.1.name): \(Fuzz.show($0.0))" }, check: { bytes, database in
                do {
                    try Data(bytes).write(to: URL(fileURLWithPath: path))
                    let tenants = try TenantRegistry.load(path: path, database: database)
                    if let bad = tenants.first(where: { !NameRule.isValid($0.name) }) {
                        return "accepted tenant \(Fuzz.show(bad.name))"
                    }
                    return nil
                } catch let error as ShoalError {
                    if error.kind != .config { return "error of kind \(error.kind): \(error)" }
                    return error.description.contains(path) ? nil : "error does not name the registry: \(error)"
                } catch {
                    return "threw \(type(of: error)), not a ShoalError: \(error)"
                }
            })
        }

        @Test func variableExpansionNamesTheKeyOfEveryError() async {
            let alphabet = ["${", "}", ":-", ":?", "$$", "$", "DB_URL", "EMPTY", "UNSET", "DIR", "x", "{", " ", "1", "_",
                            "é", "{tenant}", "${UNSET:-", "${EMPTY:?", "\u{0}", ":", "-", "?"]
            await Fuzz.run("env-expand", generate: { random in
                (Mutator.text(from: alphabet, length: 0...24, using: &random), "databases.db\(random.int(0...99)).url")
            }, describe: { "\($0.1): \(Fuzz.show($0.0))" }, check: { text, keyPath in
                do {
                    let expanded = try EnvironmentExpander.expand(text, keyPath: keyPath, environment: Self.environment)
                    if !text.contains("$") && expanded != text { return "changed text without `$`: \(Fuzz.show(expanded))" }
                    return nil
                } catch let error as ShoalError {
                    if error.kind != .config { return "error of kind \(error.kind): \(error)" }
                    if !error.message.contains("`\(keyPath)`") { return "error does not name the key: \(error)" }
                    if error.description.contains(Self.secret) { return "error shows a password: \(error)" }
                    if error.message.contains("is not set"), !error.message.contains("environment variable `") {
                        return "unset-variable error does not name the variable: \(error)"
                    }
                    return nil
                } catch {
                    return "threw \(type(of: error)), not a ShoalError: \(error)"
                }
            })
        }

        // MARK: Worst cases, always run

        /// Inputs far beyond any real config, by name (the texts are too big to print as test arguments).
        static let worstCases = [
            "100k nested arrays", "100k nested objects", "100k closed arrays", "100k nested defaults",
            "100k unclosed variables", "a 1 MB key", "a 1 MB line of spaces", "a 1 MB number", "100k values on one line",
        ]

        static func worstCase(_ label: String) -> String {
            switch label {
            case "100k nested arrays": String(repeating: "[", count: 100_000)
            case "100k nested objects": String(repeating: "{\"a\":", count: 100_000)
            case "100k closed arrays": String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            case "100k nested defaults":
                "{\"databases\": {\"a\": {\"driver\": \"sqlite\", \"path\": \""
                    + String(repeating: "${UNSET:-", count: 100_000) + "x" + String(repeating: "}", count: 100_000) + "\"}}}"
            case "100k unclosed variables": "{\"concurrency\": \"" + String(repeating: "${", count: 100_000) + "\"}"
            case "a 1 MB key": "{\"" + String(repeating: "k", count: 1_000_000) + "\": 1}"
            case "a 1 MB line of spaces": "{\"concurrenc" + String(repeating: " ", count: 1_000_000) + "\": 1}"
            case "a 1 MB number": "{\"concurrency\": " + String(repeating: "9", count: 1_000_000) + "}"
            case "100k values on one line": "{\"databases\": [" + Array(repeating: "1", count: 100_000).joined(separator: ",") + "]}"
            default: ""
            }
        }

        @Test(arguments: worstCases)
        func hugeAndDeepConfigsAreErrorsNotCrashes(_ label: String) async {
            let text = Self.worstCase(label)
            let clock = ContinuousClock()
            let start = clock.now
            let problem = Self.checkConfigError {
                try ConfigLoader.parse(Data(text.utf8), file: Self.file, environment: Self.environment)
            }
            #expect(problem == nil, "\(label): \(problem ?? "")")
            // A hang guard (see WorstCases): quadratic on a megabyte takes minutes.
            #expect(clock.now - start < .seconds(30), "\(label) took \(clock.now - start)")
        }

        @Test func deeplyNestedDefaultsAreAnErrorNamingTheKey() async {
            let text = String(repeating: "${UNSET:-", count: 100_000) + "x" + String(repeating: "}", count: 100_000)
            let error = shoalError { _ = try EnvironmentExpander.expand(text, keyPath: "databases.a.url", environment: [:]) }
            #expect(error?.kind == .config)
            #expect(error?.message.contains("`databases.a.url`") == true, "\(String(describing: error))")
        }
    }
}

/// Random config documents from config.json's own vocabulary: right and wrong
/// keys, values of every type, variables, templates and hostile names.
enum RandomConfig {
    static func document(using random: inout SplitMix64) -> String {
        var members: [String] = []
        if random.oneIn(2) { members.append("\"concurrency\": \(random.pick(numbers))") }
        for key in ["lock_timeout_ms", "statement_timeout_ms", "lock_retries"] where random.oneIn(4) {
            members.append("\"\(key)\": \(random.pick(numbers))")
        }
        if random.oneIn(10) { members.append("\"\(random.pick(["databse", "database", "", "Databases"]))\": {}") }
        if !random.oneIn(20) {
            let databases = (0..<random.int(0...4)).map { _ in
                "\(quoted(random.pick(databaseNames))): \(random.oneIn(15) ? random.pick(scalars) : entry(using: &random))"
            }
            members.append("\"databases\": {\(databases.joined(separator: ", "))}")
        }
        return "{" + shuffled(members, using: &random).joined(separator: ", ") + "}"
    }

    static let databaseNames = ["core", "app", "accounts", "billing", "a", "x-1", "Bad Name", "../x", "", "a\"b", "é", "core"]
    static let numbers = ["0", "1", "8", "-1", "100", "101", "1.5", "1e3", "null", "\"8\"", "true", "9223372036854775807",
                          "9223372036854775808", "-9223372036854775808", "1e400"]
    static let scalars = ["null", "1", "\"x\"", "[]", "true", "{}"]
    static let strings = [
        "postgres://h/db", "${DB_URL}", "${CONNINFO}", "postgres://h/app_{tenant}", "host=h dbname=app_{tenant}",
        "${TENANT_DB}", "", " ", "x.sqlite", "t/{tenant}.sqlite", "${UNSET}", "${UNSET:-d}/{tenant}.db", "${EMPTY:?need it}",
        "{tenant}", "tenant_{tenant}", "a\\\"; DROP TABLE x; --{tenant}", "../../etc/{tenant}", "{tenant}{tenant}",
        String(repeating: "s", count: 60) + "{tenant}", "$$1", "${", "}", "postgres://u:p@h/db?sslmode=require",
    ]

    static func entry(using random: inout SplitMix64) -> String {
        var members: [String] = []
        let driver = random.pick(["\"postgres\"", "\"sqlite\"", "\"mysql\"", "1", "null", "\"Postgres\""])
        if !random.oneIn(10) { members.append("\"driver\": \(driver)") }
        let keys: [(String, (inout SplitMix64) -> String)] = [
            ("url", { quoted($0.pick(strings)) }),
            ("path", { quoted($0.pick(strings)) }),
            ("layout", { $0.pick(["\"schema\"", "\"database\"", "\"shema\"", "1"]) }),
            ("schema", { quoted($0.pick(strings)) }),
            ("tenants", { random in
                random.pick(["\"tenants/x.json\"", "\"\"", "[]", "1",
                             "{\"query\": \"SELECT 1\", \"from\": \"core\"}", "{\"query\": \"\", \"from\": \"app\"}",
                             "{\"query\": \"SELECT 1\"}", "{\"from\": \"core\", \"extra\": 1}"])
            }),
            ("versions", { quoted($0.pick(strings)) }),
            ("version_table", { random in
                quoted(random.pick(["shoal_version", "v", "x;drop", "a\\\"b", "1abc", String(repeating: "t", count: 56), "", "_"]))
            }),
            ("shards", { random in
                let shards = (0..<random.int(0...3)).map { _ in
                    "\(quoted(random.pick(["eu-1", "us-1", "eu-1", "../s", ""]))): "
                        + "{\"url\": \(quoted(random.pick(strings)))"
                        + (random.oneIn(2) ? ", \"max_connections\": \(random.pick(numbers))" : "")
                        + (random.oneIn(3) ? ", \"replicas\": \(replicas(using: &random))" : "")
                        + (random.oneIn(8) ? ", \"urll\": 1" : "") + "}"
                }
                return "{" + shards.joined(separator: ", ") + "}"
            }),
            ("replicas", { replicas(using: &$0) }),
            ("after", { random in
                "[" + (0..<random.int(0...3)).map { _ in random.pick(["\"core\"", "\"app\"", "\"nope\"", "1", "\"accounts\""]) }
                    .joined(separator: ", ") + "]"
            }),
            ("lock_timeout_ms", { $0.pick(numbers) }),
            ("statement_timeout_ms", { $0.pick(numbers) }),
            ("lock_retries", { $0.pick(numbers) }),
            ("drvier", { _ in "\"sqlite\"" }),
        ]
        for (key, value) in keys where random.oneIn(3) {
            members.append("\"\(key)\": \(value(&random))")
        }
        if random.oneIn(10), let first = members.first { members.append(first) } // a duplicate key
        return "{" + shuffled(members, using: &random).joined(separator: ", ") + "}"
    }

    static func replicas(using random: inout SplitMix64) -> String {
        "[" + (0..<random.int(0...2)).map { _ in
            "{\"name\": \(quoted(random.pick(["r1", "r1", "bad name", ""]))), \"url\": \(quoted(random.pick(strings)))}"
        }.joined(separator: ", ") + "]"
    }

    static func quoted(_ text: String) -> String { "\"" + text + "\"" }

    static func shuffled(_ items: [String], using random: inout SplitMix64) -> [String] {
        items.shuffled(using: &random)
    }
}
