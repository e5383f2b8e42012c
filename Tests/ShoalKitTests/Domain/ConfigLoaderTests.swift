import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit

@Suite struct ConfigLoaderTests {
    // MARK: Defaults and the SPEC example

    @Test func minimalDatabaseGetsDefaults() throws {
        let config = try parseConfig(configWith(#"{"driver": "sqlite", "path": "app.sqlite"}"#))
        #expect(config.file == testConfigFile)
        #expect(config.directory == "/fleet")
        #expect(config.concurrency == 8)
        #expect(config.settings == SessionSettings(lockTimeoutMs: 5000, statementTimeoutMs: nil, lockRetries: 3))
        let app = try #require(config.database(named: "app"))
        #expect(app.driver == .sqlite)
        #expect(app.path == "/fleet/app.sqlite")
        #expect(app.versionsDirectory == "/fleet/versions/app")
        #expect(app.versionTable == "shoal_version")
        #expect(app.tenants == nil)
        #expect(app.after.isEmpty)
        #expect(app.settings == config.settings)
    }

    @Test func specExampleLoads() throws {
        let json = """
        {
          "concurrency": 8,
          "databases": {
            "core": {
              "driver": "postgres",
              "url": "${CORE_DATABASE_URL}",
              "replicas": [{ "name": "core-replica", "url": "${CORE_REPLICA_URL}" }]
            },
            "accounts": {
              "driver": "postgres",
              "after": ["core"],
              "layout": "schema",
              "schema": "tenant_{tenant}",
              "shards": {
                "us-1": { "url": "${US1_URL}", "max_connections": 4,
                          "replicas": [{ "name": "us-1-replica", "url": "${US1_REPLICA_URL}" }] },
                "eu-1": { "url": "${EU1_URL}", "max_connections": 4 }
              },
              "tenants": "tenants/accounts.json"
            },
            "app": {
              "driver": "sqlite",
              "path": "tenants/app/{tenant}.sqlite",
              "tenants": "tenants/app.json"
            }
          }
        }
        """
        let environment = [
            "CORE_DATABASE_URL": "postgres://core", "CORE_REPLICA_URL": "postgres://core-replica",
            "EU1_URL": "postgres://eu1", "US1_URL": "postgres://us1", "US1_REPLICA_URL": "postgres://us1-replica",
        ]
        let config = try parseConfig(json, environment: environment)
        #expect(config.databases.map(\.name) == ["app", "core", "accounts"])
        let core = try #require(config.database(named: "core"))
        #expect(core.url == "postgres://core")
        #expect(core.replicas == [ReplicaConfig(name: "core-replica", url: "postgres://core-replica")])
        let accounts = try #require(config.database(named: "accounts"))
        #expect(accounts.shards.map(\.name) == ["eu-1", "us-1"])
        #expect(accounts.shards[0] == ShardConfig(name: "eu-1", url: "postgres://eu1", maxConnections: 4))
        #expect(accounts.shards[1].replicas == [ReplicaConfig(name: "us-1-replica", url: "postgres://us1-replica")])
        #expect(accounts.layout == .schema)
        #expect(accounts.schemaTemplate == "tenant_{tenant}")
        #expect(accounts.tenants == .registry(path: "/fleet/tenants/accounts.json"))
        #expect(accounts.after == ["core"])
        let app = try #require(config.database(named: "app"))
        #expect(app.path == "/fleet/tenants/app/{tenant}.sqlite")
        #expect(app.tenants == .registry(path: "/fleet/tenants/app.json"))
    }

    @Test func topLevelTimeoutsAreDefaultsThatDatabasesOverride() throws {
        let json = """
        {"lock_timeout_ms": 100, "statement_timeout_ms": 60000, "lock_retries": 5, "concurrency": 3,
         "databases": {
           "a": {"driver": "sqlite", "path": "a.db"},
           "b": {"driver": "sqlite", "path": "b.db", "lock_timeout_ms": 0, "lock_retries": 0},
           "c": {"driver": "sqlite", "path": "c.db", "statement_timeout_ms": null}
         }}
        """
        let config = try parseConfig(json)
        #expect(config.concurrency == 3)
        #expect(config.database(named: "a")?.settings == SessionSettings(lockTimeoutMs: 100, statementTimeoutMs: 60000, lockRetries: 5))
        #expect(config.database(named: "b")?.settings == SessionSettings(lockTimeoutMs: 0, statementTimeoutMs: 60000, lockRetries: 0))
        #expect(config.database(named: "c")?.settings.statementTimeoutMs == nil)
    }

    @Test func lintIsWarnByDefaultAndATopLevelDefaultThatDatabasesOverride() throws {
        #expect(try parseConfig(configWith(#"{"driver": "sqlite", "path": "a.db"}"#)).database(named: "app")?.settings.lint == .warn)
        let config = try parseConfig("""
            {"lint": "refuse", "databases": {
               "a": {"driver": "sqlite", "path": "a.db"},
               "b": {"driver": "sqlite", "path": "b.db", "lint": "off"},
               "c": {"driver": "sqlite", "path": "c.db", "lint": "warn"}
             }}
            """)
        #expect(config.settings.lint == .refuse)
        #expect(config.database(named: "a")?.settings.lint == .refuse)
        #expect(config.database(named: "b")?.settings.lint == .off)
        #expect(config.database(named: "c")?.settings.lint == .warn)
    }

    @Test func transactionModeIsPerStepByDefaultAndATopLevelDefaultThatDatabasesOverride() throws {
        #expect(try parseConfig(configWith(#"{"driver": "sqlite", "path": "a.db"}"#)).database(named: "app")?.settings.transactionMode == .perStep)
        let config = try parseConfig("""
            {"transaction_mode": "per-target", "databases": {
               "a": {"driver": "sqlite", "path": "a.db"},
               "b": {"driver": "sqlite", "path": "b.db", "transaction_mode": "per-step"}
             }}
            """)
        #expect(config.settings.transactionMode == .perTarget)
        #expect(config.database(named: "a")?.settings.transactionMode == .perTarget)
        #expect(config.database(named: "b")?.settings.transactionMode == .perStep)
    }

    @Test func versionsAndVersionTableAreConfigurable() throws {
        let config = try parseConfig(configWith(
            #"{"driver": "sqlite", "path": "/data/app.db", "versions": "../migrations/app", "version_table": "app_version"}"#))
        let app = try #require(config.database(named: "app"))
        #expect(app.path == "/data/app.db")
        #expect(app.versionsDirectory == "/migrations/app")
        #expect(app.versionTable == "app_version")
        #expect(app.historyTable == "app_version_history")
    }

    @Test func versionTableOf55BytesIsAccepted() throws {
        let table = String(repeating: "v", count: 55)
        let config = try parseConfig(configWith(#"{"driver": "sqlite", "path": "a.db", "version_table": "\#(table)"}"#))
        #expect(config.database(named: "app")?.versionTable == table)
    }

    // MARK: Unknown keys

    @Test func unknownKeySuggestsClosestName() throws {
        let error = try configFailure(#"{"databse": {}}"#)
        #expect(error.kind == .config)
        #expect(error.message == "unknown key `databse` at top level of config.json; did you mean `databases`?")
        #expect(error.file == testConfigFile)
        #expect(error.line == 1)
    }

    @Test func unknownDatabaseKeyNamesItsKeyPath() throws {
        let error = try configFailure("""
        {"databases": {
          "app": {"driver": "sqlite",
                  "pth": "a.db"}}}
        """)
        #expect(error.message.contains("`databases.app.pth`"))
        #expect(error.message.contains("did you mean `path`?"))
        #expect(error.line == 3)
    }

    @Test func unknownKeyWithoutCloseMatchListsAllowedKeys() throws {
        let error = try configFailure(configWith(#"{"driver": "sqlite", "path": "a.db", "colour": "blue"}"#))
        #expect(error.message.contains("unknown key `colour`"))
        #expect(error.message.contains("allowed keys:"))
        #expect(error.message.contains("`version_table`"))
    }

    @Test func duplicateKeysAreRejected() throws {
        let error = try configFailure("""
        {"databases": {"app": {"driver": "sqlite",
          "path": "a.db",
          "path": "b.db"}}}
        """)
        #expect(error.message.contains("duplicate key `path` in `databases.app` (first at line 2)"))
        #expect(error.line == 3)
        let twice = try configFailure("""
        {"databases": {"app": {"driver": "sqlite", "path": "a.db"},
                       "app": {"driver": "sqlite", "path": "b.db"}}}
        """)
        #expect(twice.message.contains("duplicate key `app`"))
        #expect(twice.line == 2)
    }

    // MARK: Types and ranges

    static let wrongTypes: [RejectedConfig] = [
        .init("concurrency string", #"{"concurrency": "8", "databases": {}}"#, "`concurrency` must be a positive integer, not a string"),
        .init("concurrency zero", #"{"concurrency": 0, "databases": {}}"#, "`concurrency` must be a positive integer, got 0"),
        .init("concurrency fraction", #"{"concurrency": 2.5, "databases": {}}"#, "`concurrency` must be a positive integer, not a number"),
        .init("databases array", #"{"databases": []}"#, "`databases` must be an object, not an array"),
        .init("databases missing", #"{"concurrency": 2}"#, "`databases` is required"),
        .init("databases empty", #"{"databases": {}}"#, "`databases` is empty"),
        .init("top level array", #"[]"#, "top level of config.json must be an object, not an array"),
        .init("database not object", configWith(#""sqlite""#), "`databases.app` must be an object, not a string"),
        .init("url number", configWith(#"{"driver": "postgres", "url": 5}"#), "`databases.app.url` must be a string, not a number"),
        .init("after string", configWith(#"{"driver": "sqlite", "path": "a", "after": "core"}"#), "`databases.app.after` must be an array, not a string"),
        .init("after element", configWith(#"{"driver": "sqlite", "path": "a", "after": [1]}"#), "`databases.app.after[0]` must be a string, not a number"),
        .init("shards array", configWith(#"{"driver": "postgres", "shards": []}"#), "`databases.app.shards` must be an object, not an array"),
        .init("lock_timeout negative", configWith(#"{"driver": "sqlite", "path": "a", "lock_timeout_ms": -1}"#), "`databases.app.lock_timeout_ms` must be a non-negative integer"),
        .init("statement_timeout string", #"{"statement_timeout_ms": "1s", "databases": {}}"#, "`statement_timeout_ms` must be a non-negative integer (milliseconds) or null, not a string"),
        .init("lock_retries too many", configWith(#"{"driver": "sqlite", "path": "a", "lock_retries": 101}"#), "`databases.app.lock_retries` must be an integer from 0 to 100, got 101"),
        .init("lock_retries negative", #"{"lock_retries": -1, "databases": {}}"#, "`lock_retries` must be an integer from 0 to 100, got -1"),
        .init("lint unknown", configWith(#"{"driver": "sqlite", "path": "a", "lint": "refused"}"#), "`databases.app.lint` must be `warn`, `refuse` or `off`, not `refused`; did you mean `refuse`?"),
        .init("transaction_mode unknown", configWith(#"{"driver": "sqlite", "path": "a", "transaction_mode": "per-targets"}"#), "`databases.app.transaction_mode` must be `per-step` or `per-target`, not `per-targets`; did you mean `per-target`?"),
        .init("transaction_mode top level", #"{"transaction_mode": "per_step", "databases": {}}"#, "`transaction_mode` must be `per-step` or `per-target`, not `per_step`; did you mean `per-step`?"),
        .init("transaction_mode boolean", #"{"transaction_mode": true, "databases": {}}"#, "`transaction_mode` must be a string, not a boolean"),
        .init("lint top level boolean", #"{"lint": false, "databases": {}}"#, "`lint` must be a string, not a boolean"),
        .init("max_connections zero", configWith(#"{"driver": "postgres", "shards": {"s1": {"url": "postgres://h/a", "max_connections": 0}}}"#), "`databases.app.shards.s1.max_connections` must be a positive integer, got 0"),
        .init("tenants number", configWith(#"{"driver": "sqlite", "path": "{tenant}", "tenants": 3}"#), "`databases.app.tenants` must be a registry path (a string) or {\"query\": …, \"from\": …}, not a number"),
        .init("replicas object", configWith(#"{"driver": "postgres", "url": "postgres://h/a", "replicas": {}}"#), "`databases.app.replicas` must be an array, not an object"),
        .init("empty url", configWith(#"{"driver": "postgres", "url": " "}"#), "`databases.app.url` is empty"),
    ]

    @Test(arguments: wrongTypes)
    func wrongTypesAndRangesNameKeyAndExpectation(_ rejected: RejectedConfig) throws {
        try expectRejected(rejected)
    }

    // MARK: Environment variables

    @Test func variablesAreExpandedInEveryStringValue() throws {
        let json = """
        {"databases": {"core": {"driver": "${DRIVER}", "url": "${URL:-postgres://localhost/core}",
          "replicas": [{"name": "${REPLICA}", "url": "postgres://replica/$$core"}]}}}
        """
        let core = try #require(try parseConfig(json, environment: ["DRIVER": "postgres", "REPLICA": "r1"]).database(named: "core"))
        #expect(core.url == "postgres://localhost/core")
        #expect(core.replicas == [ReplicaConfig(name: "r1", url: "postgres://replica/$core")])
    }

    @Test func unsetVariableNamesVariableKeyPathFileAndLine() throws {
        let error = try configFailure("""
        {"databases": {
          "core": {"driver": "postgres",
                   "replicas": [{"name": "r", "url": "${REPLICA_URL}"}],
                   "url": "${CORE_DATABASE_URL}"}}}
        """)
        #expect(error.kind == .config)
        #expect(error.message.contains("`REPLICA_URL`"))
        #expect(error.message.contains("`databases.core.replicas[0].url`"))
        #expect(error.file == testConfigFile)
        #expect(error.line == 3)
    }

    @Test func variableRequiredMessageIsReported() throws {
        let error = try configFailure(configWith(#"{"driver": "postgres", "url": "${DB:?export DB first}"}"#))
        #expect(error.message.contains("export DB first"))
        #expect(error.message.contains("`databases.app.url`"))
    }

    @Test func variableDefaultingToEmptyIsCaughtAsEmptyValue() throws {
        let error = try configFailure(configWith(#"{"driver": "postgres", "url": "${DB:-}"}"#))
        #expect(error.message.contains("`databases.app.url` is empty"))
    }

    // MARK: Malformed JSON

    static let malformed: [(label: String, json: String, line: Int, column: Int)] = [
        ("missing value", "{\n  \"databases\": {\n    \"a\": }\n}", 3, 10),
        ("trailing comma", "{\"databases\": {},\n}", 2, 1),
        ("unterminated string", "{\n\"databases", 2, 1),
        ("comment", "{\n  // fleet\n  \"databases\": {}}", 2, 3),
        ("empty file", "", 1, 1),
        ("garbage after document", "{\"databases\": {}} x", 1, 19),
        ("single quotes", "{'databases': {}}", 1, 2),
        ("missing colon", "{\"databases\" {}}", 1, 14),
        ("unicode before error", "{\"é\": [1,, 2]}", 1, 10),
    ]

    @Test(arguments: malformed)
    func malformedJSONReportsLineAndColumn(_ label: String, _ json: String, _ line: Int, _ column: Int) throws {
        let error = try configFailure(json)
        #expect(error.kind == .config)
        #expect(error.message.contains("malformed JSON at line \(line), column \(column)"), "\(label): \(error.message)")
        #expect(error.line == line)
        #expect(error.file == testConfigFile)
    }

    /// Strings without escapes and strings with every kind of escape read
    /// the same as any JSON reader reads them.
    @Test(arguments: [
        (#"postgres://h/db"#, "postgres://h/db"),
        (#"postgres:\/\/h\/db"#, "postgres://h/db"),
        (#"postgres://h/d\u00e9b?x=\"q\"&y=a\\b"#, "postgres://h/déb?x=\"q\"&y=a\\b"),
        (#"postgres://h/déb-😀"#, "postgres://h/déb-😀"),
        (#"postgres://h/\ud83d\ude00\t"#, "postgres://h/😀\t"),
    ])
    func stringsDecodeWithAndWithoutEscapes(_ written: String, _ read: String) throws {
        let config = try parseConfig(configWith(#"{"driver": "postgres", "url": "\#(written)"}"#))
        #expect(config.databases.first?.url == read)
    }

    @Test func aControlCharacterInAStringIsRejectedAfterPlainText() throws {
        let error = try configFailure("{\"databases\": {\"app\": {\"driver\": \"postgres\", \"url\": \"postgres://h/\u{01}db\"}}}")
        #expect(error.message.contains("malformed JSON at line 1, column 67: control character in a string"), "\(error.message)")
    }

    @Test func invalidUTF8IsRejected() throws {
        let data = Data([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])
        let error = #expect(throws: ShoalError.self) {
            try ConfigLoader.parse(data, file: testConfigFile, environment: [:])
        }
        #expect(error?.message.contains("not valid UTF-8") == true)
        #expect(error?.message.contains("line 1, column 3") == true)
    }

    // MARK: Locating and loading files

    @Test func locatePrefersExplicitThenEnvironmentThenCurrentDirectory() {
        #expect(ConfigLoader.locate(explicit: "other.json", environment: ["SHOAL_CONFIG": "/etc/shoal.json"],
                                    currentDirectory: "/work") == "/work/other.json")
        #expect(ConfigLoader.locate(explicit: "/abs/c.json", environment: [:], currentDirectory: "/work") == "/abs/c.json")
        #expect(ConfigLoader.locate(explicit: nil, environment: ["SHOAL_CONFIG": "/etc/shoal.json"],
                                    currentDirectory: "/work") == "/etc/shoal.json")
        #expect(ConfigLoader.locate(explicit: nil, environment: ["SHOAL_CONFIG": "conf/shoal.json"],
                                    currentDirectory: "/work/") == "/work/conf/shoal.json")
        #expect(ConfigLoader.locate(explicit: nil, environment: ["SHOAL_CONFIG": ""], currentDirectory: "/work")
                == "/work/config.json")
        #expect(ConfigLoader.locate(explicit: nil, environment: [:], currentDirectory: "/work/./sub/..") == "/work/config.json")
    }

    @Test func loadReadsFileAndResolvesPathsAgainstItsDirectory() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(configWith(#"{"driver": "sqlite", "path": "data/app.db"}"#), to: "conf/config.json")
        let config = try ConfigLoader.load(path: path, environment: [:])
        #expect(config.file == path)
        #expect(config.directory == directory.path + "/conf")
        #expect(config.database(named: "app")?.path == directory.path + "/conf/data/app.db")
        #expect(config.database(named: "app")?.versionsDirectory == directory.path + "/conf/versions/app")
    }

    @Test func loadOfMissingFileSaysHowToCreateOne() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/config.json"
        let error = #expect(throws: ShoalError.self) { try ConfigLoader.load(path: path, environment: [:]) }
        #expect(error?.kind == .config)
        #expect(error?.file == path)
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("shoal init") == true)
        #expect(error?.message.contains("--config") == true)
    }

    @Test func loadOfDirectoryIsRejected() throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: ShoalError.self) { try ConfigLoader.load(path: directory.path, environment: [:]) }
        #expect(error?.message.contains("is a directory") == true)
    }

    @Test func loadReportsErrorsWithTheFilePath() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("{\n  \"databases\": {\n", to: "config.json")
        let error = #expect(throws: ShoalError.self) { try ConfigLoader.load(path: path, environment: [:]) }
        #expect(error?.file == path)
        #expect(error?.description.hasPrefix(path + ":3: malformed JSON at line 3") == true)
    }
}
