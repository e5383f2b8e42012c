import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit

@Suite struct TenantRegistryTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    func load(_ json: String, database: DatabaseConfig) throws -> [Tenant] {
        try TenantRegistry.load(path: try directory.write(json, to: "tenants.json"), database: database)
    }

    func loadFailure(_ json: String, database: DatabaseConfig,
                     sourceLocation: SourceLocation = #_sourceLocation) throws -> ShoalError {
        let error = #expect(throws: ShoalError.self, sourceLocation: sourceLocation) { try load(json, database: database) }
        return try #require(error, sourceLocation: sourceLocation)
    }

    var registryPath: String { directory.path + "/tenants.json" }

    // MARK: Loading

    @Test func loadsNamesAndObjects() throws {
        #expect(try load(#"["acme", {"name": "globex"}]"#, database: FleetFixtures.crm)
                == [Tenant(name: "acme"), Tenant(name: "globex")])
        #expect(try load(#"[{"name": "globex", "shard": "us-1"}, {"name": "initech", "shard": "eu-1"}]"#,
                         database: FleetFixtures.accounts)
                == [Tenant(name: "globex", shard: "us-1"), Tenant(name: "initech", shard: "eu-1")])
    }

    @Test func emptyRegistryHasNoTenants() throws {
        #expect(try load("[]", database: FleetFixtures.app).isEmpty)
    }

    @Test func tenantOnSingleShardDatabaseGetsThatShard() throws {
        let tenants = try load(#"["acme", {"name": "globex", "shard": "only"}]"#, database: FleetFixtures.solo)
        #expect(tenants == [Tenant(name: "acme", shard: "only"), Tenant(name: "globex", shard: "only")])
    }

    @Test func tenantWithoutShardOnMultiShardDatabaseIsAnError() throws {
        let error = try loadFailure("[\n  {\"name\": \"acme\", \"shard\": \"eu-1\"},\n  \"globex\"\n]", database: FleetFixtures.accounts)
        #expect(error.kind == .config)
        #expect(error.file == registryPath)
        #expect(error.line == 3)
        #expect(error.message.contains("tenant `globex` names no shard"))
        #expect(error.message.contains("`accounts`"))
        #expect(error.message.contains("eu-1, us-1"))
    }

    @Test func unknownShardSuggestsClosest() throws {
        let error = try loadFailure(#"[{"name": "acme", "shard": "eu1"}]"#, database: FleetFixtures.accounts)
        #expect(error.message.contains("tenant `acme` names shard `eu1`, which database `accounts` does not have; did you mean `eu-1`?"))
        #expect(error.file == registryPath)
    }

    @Test func shardOnUnshardedDatabaseIsAnError() throws {
        let error = try loadFailure(#"[{"name": "acme", "shard": "eu-1"}]"#, database: FleetFixtures.crm)
        #expect(error.message.contains("database `crm` has no shards"))
    }

    @Test func duplicateTenantNamesBothLines() throws {
        let error = try loadFailure("[\n\"acme\",\n\"globex\",\n\"acme\"\n]", database: FleetFixtures.app)
        #expect(error.message.contains("tenant `acme` of database `app` is listed twice (lines 2 and 4)"))
        #expect(error.line == 4)
    }

    @Test func unknownObjectKeySuggestsClosest() throws {
        let error = try loadFailure(#"[{"name": "acme", "shrd": "only"}]"#, database: FleetFixtures.solo)
        #expect(error.message.contains("unknown key `shrd`"))
        #expect(error.message.contains("did you mean `shard`?"))
        #expect(error.file == registryPath)
    }

    @Test(arguments: [
        (#"{"acme": {}}"#, "must be a JSON array"),
        (#"[42]"#, "tenant entry [0] must be a name"),
        (#"["acme", {"shard": "only"}]"#, "tenant entry [1] has no `name`"),
        (#"[{"name": 7}]"#, "`[0].name` must be a string, not a number"),
        (#"[{"name": "a", "name": "b"}]"#, "duplicate key `name`"),
    ])
    func malformedEntriesAreRejected(_ json: String, _ fragment: String) throws {
        let error = try loadFailure(json, database: FleetFixtures.solo)
        #expect(error.message.contains(fragment), "\(error.message)")
        #expect(error.file == registryPath)
        #expect(error.line == 1)
    }

    @Test func malformedJSONReportsLineAndColumn() throws {
        let error = try loadFailure("[\n  \"acme\",\n  \"globex\"\n  \"initech\"\n]", database: FleetFixtures.app)
        #expect(error.message.contains("malformed JSON at line 4, column 3"))
        #expect(error.line == 4)
        #expect(error.file == registryPath)
    }

    @Test func missingRegistryNamesFileAndHowToCreateIt() throws {
        let path = directory.path + "/missing.json"
        let error = #expect(throws: ShoalError.self) { try TenantRegistry.load(path: path, database: FleetFixtures.app) }
        #expect(error?.file == path)
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("shoal tenants add NAME --db app") == true)
    }

    // MARK: Names

    @Test(arguments: ["../etc", "a b", "a;b", "a'b", "a\"b", "", "-acme", "_acme", "acme.corp", "ä", "a/b", "a\nb"])
    func invalidTenantNamesAreRejected(_ name: String) throws {
        let error = #expect(throws: ShoalError.self) { try TenantName.validate(name, database: FleetFixtures.crm) }
        #expect(error?.kind == .config)
        #expect(error?.message.contains("database `crm`") == true)
        if !name.isEmpty { #expect(error?.message.contains("tenant `\(name)`") == true) }
        #expect(error?.message.contains("letter or digit") == true)
    }

    @Test(arguments: ["acme", "Acme", "7eleven", "a", "acme_corp-2"])
    func validTenantNamesAreAccepted(_ name: String) throws {
        try TenantName.validate(name, database: FleetFixtures.crm)
    }

    @Test func schemaNameMustFitPostgresIdentifier() throws {
        // crm_ + 59 = 63 bytes: fits; one more does not.
        try TenantName.validate(String(repeating: "a", count: 59), database: FleetFixtures.crm)
        let long = String(repeating: "a", count: 60)
        let error = #expect(throws: ShoalError.self) { try TenantName.validate(long, database: FleetFixtures.crm) }
        #expect(error?.message.contains("tenant `\(long)` of database `crm` is too long") == true)
        #expect(error?.message.contains("schema name `crm_\(long)` is 64 bytes") == true)
        #expect(error?.message.contains("63") == true)
    }

    @Test func databaseNameMustFitPostgresIdentifier() throws {
        // billing_ + 55 = 63 bytes.
        try TenantName.validate(String(repeating: "b", count: 55), database: FleetFixtures.billing)
        let long = String(repeating: "b", count: 56)
        let error = #expect(throws: ShoalError.self) { try TenantName.validate(long, database: FleetFixtures.billing) }
        #expect(error?.message.contains("database name `billing_\(long)` is 64 bytes") == true)
    }

    @Test func sqliteFileNameMustFitFileSystem() throws {
        try TenantName.validate(String(repeating: "c", count: 200), database: FleetFixtures.app)
        let error = #expect(throws: ShoalError.self) {
            try TenantName.validate(String(repeating: "c", count: 250), database: FleetFixtures.app)
        }
        #expect(error?.message.contains("file name") == true)
    }

    /// The lengths are counted, not built: at the limit exactly, with the
    /// placeholder twice, and with it in a folder (not the file name).
    @Test func lengthLimitsHoldAtTheirBoundaryForEveryTemplateShape() throws {
        // app's file name is {tenant}.sqlite: 248 + 7 = 255 bytes fit, 256 do not.
        try TenantName.validate(String(repeating: "c", count: 248), database: FleetFixtures.app)
        let file = #expect(throws: ShoalError.self) {
            try TenantName.validate(String(repeating: "c", count: 249), database: FleetFixtures.app)
        }
        #expect(file?.message.contains("is 256 bytes, more than the 255") == true)

        var twice = FleetFixtures.crm
        twice.schemaTemplate = "{tenant}_x_{tenant}"  // 2n + 3 bytes
        try TenantName.validate(String(repeating: "a", count: 30), database: twice)
        let schema = #expect(throws: ShoalError.self) { try TenantName.validate(String(repeating: "a", count: 31), database: twice) }
        #expect(schema?.message.contains("schema name `\(String(repeating: "a", count: 31))_x_\(String(repeating: "a", count: 31))` is 65 bytes") == true)

        var folders = FleetFixtures.app
        folders.path = "/f/{tenant}/{tenant}/data.sqlite"  // the file name is data.sqlite whatever the name
        try TenantName.validate(String(repeating: "d", count: 250), database: folders)
        var braces = FleetFixtures.app
        braces.path = "/f/{x}{tenant}{.sqlite"  // braces that are not the placeholder count as text: 3 + n + 8
        try TenantName.validate(String(repeating: "e", count: 244), database: braces)
        #expect(throws: ShoalError.self) { try TenantName.validate(String(repeating: "e", count: 245), database: braces) }
    }

    @Test(arguments: ["", "{tenant}", "tenant_{tenant}", "{tenant}{tenant}", "{{tenant}}", "{tenan}{tenant", "a{b}c", "é_{tenant}_ü", "{tenant}{"])
    func countedLengthIsTheLengthOfTheBuiltName(_ template: String) {
        for name in ["", "a", "acme_corp-2", String(repeating: "z", count: 70)] {
            #expect(TenantName.substitutedByteCount(template, nameBytes: name.utf8.count)
                    == TenantName.substitute(name, in: template).utf8.count, "\(template) with \(name)")
        }
    }

    @Test func substituteReplacesEveryPlaceholderAndNothingElse() {
        #expect(TenantName.substitute("acme", in: "/f/{tenant}/{tenant}.db") == "/f/acme/acme.db")
        #expect(TenantName.substitute("a", in: "{{tenant}}") == "{a}")
        #expect(TenantName.substitute("a", in: "{tenan}{tenant") == "{tenan}{tenant")
        #expect(TenantName.substitute("a", in: "é_{tenant}_ü{") == "é_a_ü{")
        #expect(TenantName.substitute("a", in: "") == "")
        #expect(TenantName.substitute("a", in: "{tenant}") == "a")
    }

    @Test func validateNamesTheSourceInErrors() throws {
        let error = #expect(throws: ShoalError.self) {
            try TenantRegistry.validate([Tenant(name: "a b")], database: FleetFixtures.crm, source: "the tenant query of `crm`")
        }
        #expect(error?.message.contains("(in the tenant query of `crm`)") == true)
        #expect(error?.file == nil)
    }

    // MARK: Encoding and shard choice

    @Test func encodesOneTenantPerLine() throws {
        let data = TenantRegistry.encode([Tenant(name: "acme"), Tenant(name: "globex", shard: "eu-1")])
        #expect(String(decoding: data, as: UTF8.self) == """
        [
          "acme",
          {"name": "globex", "shard": "eu-1"}
        ]

        """)
        #expect(String(decoding: TenantRegistry.encode([]), as: UTF8.self) == "[]\n")
    }

    @Test func encodedRegistryLoadsBack() throws {
        let tenants = [Tenant(name: "acme", shard: "us-1"), Tenant(name: "globex", shard: "eu-1"), Tenant(name: "z", shard: "eu-1")]
        let path = directory.path + "/roundtrip.json"
        try TenantRegistry.encode(tenants).write(to: URL(fileURLWithPath: path))
        #expect(try TenantRegistry.load(path: path, database: FleetFixtures.accounts) == tenants)
    }

    @Test func leastLoadedShardPicksFewestTenantsThenName() {
        let accounts = FleetFixtures.accounts
        #expect(TenantRegistry.leastLoadedShard([], database: accounts) == "eu-1")
        #expect(TenantRegistry.leastLoadedShard([Tenant(name: "a", shard: "eu-1")], database: accounts) == "us-1")
        #expect(TenantRegistry.leastLoadedShard([Tenant(name: "a", shard: "eu-1"), Tenant(name: "b", shard: "us-1")],
                                                database: accounts) == "eu-1")
        #expect(TenantRegistry.leastLoadedShard([Tenant(name: "a")], database: FleetFixtures.solo) == "only")
        #expect(TenantRegistry.leastLoadedShard([Tenant(name: "a")], database: FleetFixtures.crm) == nil)
    }

    @Test func aRegistryOfManyTenantsOnOneLineLoadsInLinearTime() throws {
        // Tools write JSON without line breaks (`jq -c`): positions must not
        // be recounted from the start of the line for every value.
        // Linear work takes 8 times longer for 8 times the tenants; recounting
        // positions from the line's start would take 64 times longer.
        let ratio = try Growth.ratio(size: 2_500) { count in
            let names = (0..<count).map { "tenant-\($0)" }
            let path = try directory.write("[" + names.map { "\"\($0)\"" }.joined(separator: ",") + "]", to: "one-line.json")
            let tenants = try TenantRegistry.load(path: path, database: FleetFixtures.app)
            #expect(tenants.count == count)
        }
        #expect(ratio < 24, "8 times the tenants took \(ratio) times longer")
    }

    @Test func aSyntaxErrorLateOnALongLineReportsItsColumn() throws {
        let error = try loadFailure("[" + String(repeating: "\"a\", ", count: 1000) + "\"é\", x]", database: FleetFixtures.app)
        #expect(error.message.contains("line 1, column \(1 + 5 * 1000 + 5 + 1)"), "\(error.message)")
    }
}
