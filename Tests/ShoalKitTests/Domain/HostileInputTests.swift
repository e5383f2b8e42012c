import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit

/// Names and templates that try SQL injection or path traversal are refused
/// before any target is built from them, whichever way they come in: a
/// tenant registry, a tenant query's rows, `tenants add`, or config.json
/// (directly or through a variable).
@Suite struct HostileInputTests {
    static let hostileNames = [
        "a\"; DROP TABLE x; --", "x'; DROP SCHEMA public CASCADE; --", "../../etc/passwd", "a/b", "..", ".", "/abs",
        "a\\b", "a\u{0}b", "a\nb", "a\rb", "a\tb", " acme", "acme ", "acme;", "$(touch pwned)", "`id`", "*", "%2e%2e",
        "\u{0430}cme" /* Cyrillic а */, "\u{FF41}cme" /* fullwidth ａ */, "acme\u{200B}", "\u{202E}emca", "ACME\u{0301}",
        "tenant_{tenant}", "-acme", "_acme", "",
    ]

    /// Every database kind a tenant name is templated into.
    static let databases = [FleetFixtures.app, FleetFixtures.crm, FleetFixtures.accounts, FleetFixtures.billing]

    @Test(arguments: hostileNames)
    func hostileTenantNamesAreRejectedForEveryLayout(_ name: String) {
        for database in Self.databases {
            let error = shoalError { try TenantName.validate(name, database: database) }
            #expect(error?.kind == .config, "\(database.name) accepted \(name.debugDescription)")
            #expect(error?.message.contains(database.name) == true)
            if !name.isEmpty { #expect(error?.message.contains("`\(name)`") == true, "\(String(describing: error))") }
        }
    }

    @Test func hostileNamesInARegistryAreRejectedWithTheFileAndLine() throws {
        let directory = try TemporaryDirectory()
        for name in Self.hostileNames {
            let json = "[\n  \"acme\",\n  " + String(decoding: TenantRegistry.encode([Tenant(name: name)]), as: UTF8.self)
                .dropFirst(2).dropLast(3) + "\n]"
            let path = try directory.write(json, to: "tenants.json")
            let error = shoalError { _ = try TenantRegistry.load(path: path, database: FleetFixtures.app) }
            #expect(error?.file == path, "accepted \(name.debugDescription)")
            #expect(error?.line == 3)
        }
    }

    @Test func hostileNamesFromATenantQueryAreRejected() {
        for name in Self.hostileNames {
            let error = shoalError {
                _ = try TenantRegistry.validate([Tenant(name: "acme"), Tenant(name: name)], database: FleetFixtures.billing,
                                                source: "the tenant query of billing (run on core)")
            }
            #expect(error?.message.contains("the tenant query of billing") == true, "accepted \(name.debugDescription)")
        }
    }

    // MARK: Length after templating

    /// PostgreSQL truncates identifiers to 63 bytes: a name that makes a
    /// longer schema or database name would collide with its neighbours.
    @Test func namesFitA63ByteIdentifierAfterTemplating() {
        let crmLimit = 63 - "crm_".utf8.count
        #expect(throws: Never.self) { try TenantName.validate(String(repeating: "a", count: crmLimit), database: FleetFixtures.crm) }
        let long = shoalError { try TenantName.validate(String(repeating: "a", count: crmLimit + 1), database: FleetFixtures.crm) }
        #expect(long?.message.contains("64 bytes") == true, "\(String(describing: long))")
        let billingLimit = 63 - "billing_".utf8.count
        #expect(throws: Never.self) {
            try TenantName.validate(String(repeating: "b", count: billingLimit), database: FleetFixtures.billing)
        }
        let longDatabase = shoalError {
            try TenantName.validate(String(repeating: "b", count: billingLimit + 1), database: FleetFixtures.billing)
        }
        #expect(longDatabase?.message.contains("database name") == true)
    }

    @Test func sqliteNamesFitAFileName() {
        #expect(throws: Never.self) { try TenantName.validate(String(repeating: "s", count: 100), database: FleetFixtures.app) }
        let error = shoalError { try TenantName.validate(String(repeating: "s", count: 250), database: FleetFixtures.app) }
        #expect(error?.message.contains("255") == true)
    }

    // MARK: Templates and table names in config.json

    static let hostileSchemas = [
        #"tenant_{tenant}\"; DROP TABLE x; --"#, "tenant_{tenant}; DROP SCHEMA public", "../{tenant}", "a b_{tenant}",
        "{tenant}.public", "tenant_{tenant}\\u0000", "pg_{tenant}", "PG_catalog_{tenant}", "{tenant}'", "${SCHEMA}",
        "${SCHEMA_PREFIX}{tenant}",
    ]

    @Test(arguments: hostileSchemas)
    func hostileSchemaTemplatesAreRejected(_ schema: String) throws {
        let environment = ["SCHEMA": "x\"; DROP TABLE y; --{tenant}", "SCHEMA_PREFIX": "a;b_"]
        let entry = #"{"driver": "postgres", "url": "postgres://h/db", "tenants": "t.json", "schema": "\#(schema)"}"#
        let error = try configFailure(configWith(entry), environment: environment)
        #expect(error.message.contains("`databases.app.schema`"), "\(error)")
        #expect(error.file == testConfigFile)
    }

    @Test(arguments: ["tenant_{tenant}", "{tenant}", "{tenant}_data", "t-{tenant}-x", "Tenant_{tenant}_2"])
    func plainSchemaTemplatesAreAccepted(_ schema: String) throws {
        let entry = #"{"driver": "postgres", "url": "postgres://h/db", "tenants": "t.json", "schema": "\#(schema)"}"#
        #expect(try parseConfig(configWith(entry)).databases[0].schemaTemplate == schema)
    }

    @Test(arguments: [#"v\"; DROP TABLE x; --"#, "../v", "v v", "v;", "v\\u0000", "${TABLE}", "", "1v", "v-1"])
    func hostileVersionTablesAreRejected(_ table: String) throws {
        let entry = #"{"driver": "sqlite", "path": "a.db", "version_table": "\#(table)"}"#
        let error = try configFailure(configWith(entry), environment: ["TABLE": "x\"; DROP TABLE y; --"])
        #expect(error.message.contains("`databases.app.version_table` must be an identifier"), "\(error)")
    }

    @Test(arguments: ["../../etc", "a/b", "x\"; DROP", "..", "tenant one"])
    func hostileDatabaseAndShardNamesAreRejected(_ name: String) throws {
        let escaped = name.replacingOccurrences(of: "\"", with: "\\\"")
        let database = try configFailure(configWith(#"{"driver": "sqlite", "path": "a.db"}"#, name: escaped))
        #expect(database.message.contains("database name"))
        let shard = try configFailure(configWith(#"{"driver": "postgres", "shards": {"\#(escaped)": {"url": "postgres://h/db"}}}"#))
        #expect(shard.message.contains("shard name"))
    }
}
