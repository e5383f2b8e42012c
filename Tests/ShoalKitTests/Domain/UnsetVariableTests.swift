import Foundation
import Testing
@testable import ShoalKit

/// SPEC §2: every unset variable is named at once, with the key that uses
/// it; connection settings are resolved only for commands that connect.
@Suite struct UnsetVariableTests {
    /// A fleet using every kind of connection setting, all from variables.
    static let fleet = """
    {
      "databases": {
        "core": {
          "driver": "postgres",
          "url": "${CORE_URL}",
          "replicas": [{ "name": "core-replica", "url": "${CORE_REPLICA_URL}" }]
        },
        "accounts": {
          "driver": "postgres",
          "shards": {
            "eu-1": { "url": "${EU1_URL}", "replicas": [{ "name": "eu-1-replica", "url": "${EU1_REPLICA_URL}" }] },
            "us-1": { "url": "postgres://${US1_USER}:${US1_PASSWORD}@us1/accounts" }
          },
          "tenants": "tenants/accounts.json"
        },
        "sites": {
          "driver": "postgres", "layout": "database", "url": "${SITES_URL}",
          "tenants": { "query": "SELECT name FROM sites", "from": "core" }
        },
        "app": { "driver": "sqlite", "path": "${DATA_DIR:-data}/{tenant}.sqlite", "tenants": "tenants/app.json" }
      }
    }
    """

    /// (variable, key path) of every connection setting of ``fleet``.
    static let connectionVariables = [
        ("CORE_URL", "databases.core.url"), ("CORE_REPLICA_URL", "databases.core.replicas[0].url"),
        ("EU1_URL", "databases.accounts.shards.eu-1.url"),
        ("EU1_REPLICA_URL", "databases.accounts.shards.eu-1.replicas[0].url"),
        ("US1_USER", "databases.accounts.shards.us-1.url"), ("US1_PASSWORD", "databases.accounts.shards.us-1.url"),
        ("SITES_URL", "databases.sites.url"),
    ]

    static func parse(_ json: String, environment: [String: String] = [:], resolvingConnections: Bool) throws -> FleetConfig {
        try ConfigLoader.parse(Data(json.utf8), file: testConfigFile, environment: environment,
                               resolvingConnections: resolvingConnections)
    }

    @Test func everyUnsetVariableOfTheFileIsNamedInOneError() throws {
        let error = #expect(throws: ShoalError.self) { try Self.parse(Self.fleet, resolvingConnections: true) }
        let message = try #require(error).message
        #expect(error?.kind == .config)
        #expect(error?.file == testConfigFile)
        #expect(error?.line == 5, "the line of the first")
        #expect(message.contains("7 environment variables are not set"), "\(message)")
        for (variable, keyPath) in Self.connectionVariables {
            #expect(message.contains("`\(variable)`"), "\(variable): \(message)")
            #expect(message.contains("`\(keyPath)`"), "\(keyPath): \(message)")
        }
        #expect(!message.contains("DATA_DIR"), "a variable with a default is not missing")
    }

    @Test func oneUnsetVariableKeepsItsSentence() throws {
        let error = #expect(throws: ShoalError.self) {
            try Self.parse(configWith(#"{"driver": "postgres", "url": "${CORE_URL}"}"#), resolvingConnections: true)
        }
        #expect(error?.message == "environment variable `CORE_URL` is not set (used by `databases.app.url`); "
                + "set it, or give a default with ${CORE_URL:-default}")
        #expect(error?.line == 1)
    }

    @Test func twoUnsetVariablesInOneStringAreBothNamed() throws {
        let error = #expect(throws: ShoalError.self) {
            try EnvironmentExpander.expand("postgres://${DB_USER}:${DB_PASSWORD:?ask ops}@db/app", keyPath: "databases.app.url",
                                           environment: [:])
        }
        let message = try #require(error).message
        #expect(message.contains("2 environment variables are not set"), "\(message)")
        #expect(message.contains("`DB_USER` (used by `databases.app.url`)"), "\(message)")
        #expect(message.contains("`DB_PASSWORD`: ask ops (used by `databases.app.url`)"), "\(message)")
    }

    @Test func aVariableUsedByTwoKeysIsNamedOnceWithBoth() throws {
        let json = #"{"databases": {"a": {"driver": "sqlite", "path": "${DIR}/a.sqlite"}, "b": {"driver": "sqlite", "path": "${DIR}/b.sqlite"}}}"#
        let error = #expect(throws: ShoalError.self) { try Self.parse(json, resolvingConnections: false) }
        let message = try #require(error).message
        #expect(message.hasPrefix("environment variable `DIR` is not set (used by `databases.a.path` at line 1, `databases.b.path` at line 1)"),
                "\(message)")
    }

    @Test func aHundredThousandUsesMakeAShortErrorQuickly() throws {
        let values = Array(repeating: #""${X}""#, count: 100_000).joined(separator: ",")
        let json = #"{"databases": {"app": {"driver": "sqlite", "path": "a.sqlite", "after": [\#(values)]}}}"#
        let clock = ContinuousClock()
        let start = clock.now
        let error = #expect(throws: ShoalError.self) { try Self.parse(json, resolvingConnections: true) }
        let message = try #require(error).message
        #expect(message.hasPrefix("environment variable `X` is not set (used by `databases.app.after[0]` at line 1, "), "\(message.prefix(300))")
        #expect(message.contains("and 99995 more)"), "\(message.prefix(300))")
        #expect(message.utf8.count < 1000)
        // A hang guard, not a speed test: comparing every use with every other takes minutes.
        #expect(clock.now - start < .seconds(30), "took \(clock.now - start)")
    }

    @Test func withoutConnectingOnlyTheOtherStringsAreResolved() throws {
        let config = try Self.parse(Self.fleet, resolvingConnections: false)
        #expect(config.unresolvedConnections.map { "\($0.name) \($0.keyPath)" }.sorted()
                == Self.connectionVariables.map { "\($0.0) \($0.1)" }.sorted())
        #expect(config.database(named: "core")?.url == "${CORE_URL}", "left as written")
        #expect(config.database(named: "app")?.path == "/fleet/data/{tenant}.sqlite")
        let error = #expect(throws: ShoalError.self) { try config.requireConnections() }
        #expect(error?.message.contains("7 environment variables are not set") == true, "\(String(describing: error))")

        // Set, they are checked as usual (here: `{tenant}` must be in the database name).
        let environment = Dictionary(uniqueKeysWithValues: Self.connectionVariables.map { ($0.0, "postgres://h/x") })
        let set = try Self.parse(Self.fleet.replacingOccurrences(of: "${SITES_URL}", with: "postgres://h/site_{tenant}"),
                                 environment: environment, resolvingConnections: false)
        #expect(set.unresolvedConnections.isEmpty)
        #expect(set.database(named: "core")?.url == "postgres://h/x")
        let badSites = #expect(throws: ShoalError.self) {
            try Self.parse(Self.fleet, environment: environment, resolvingConnections: false)
        }
        #expect(badSites?.message.contains("{tenant}") == true, "\(String(describing: badSites))")
    }

    @Test func withoutConnectingOtherUnsetVariablesAreStillErrors() throws {
        let json = Self.fleet
            .replacingOccurrences(of: "${DATA_DIR:-data}", with: "${DATA_DIR}")
            .replacingOccurrences(of: "tenants/accounts.json", with: "${REGISTRY_DIR}/accounts.json")
        let error = #expect(throws: ShoalError.self) { try Self.parse(json, resolvingConnections: false) }
        let message = try #require(error).message
        #expect(message.contains("2 environment variables are not set"), "\(message)")
        #expect(message.contains("`DATA_DIR` (used by `databases.app.path` at line 20)"), "\(message)")
        #expect(message.contains("`REGISTRY_DIR` (used by `databases.accounts.tenants` at line 14)"), "\(message)")
        #expect(!message.contains("CORE_URL"), "\(message)")
    }

    @Test func targetsOfAFleetLoadedWithoutConnectionsAreRefused() async throws {
        let fleet = Fleet(config: try Self.parse(configWith(#"{"driver": "postgres", "url": "${CORE_URL}"}"#), resolvingConnections: false))
        let error = await #expect(throws: ShoalError.self) { try await fleet.targets() }
        #expect(error?.kind == .config)
        #expect(error?.message.contains("`CORE_URL`") == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        (["databases", "core", "url"], true),
        (["databases", "core", "replicas", "[]", "url"], true),
        (["databases", "core", "shards", "eu-1", "url"], true),
        (["databases", "core", "shards", "eu-1", "replicas", "[]", "url"], true),
        (["databases", "core", "path"], false),
        (["databases", "core", "tenants"], false),
        (["databases", "core", "tenants", "query"], false),
        (["databases", "core", "replicas", "[]", "name"], false),
        (["databases", "url"], false),
        (["url"], false),
    ])
    func connectionSettingsAreTheURLs(_ path: [String], _ expected: Bool) {
        #expect(ConfigLoader.isConnectionSetting(path) == expected)
    }
}
