import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit

@Suite struct TargetResolverTests {
    @Test func fleetTargetsFollowDatabaseOrderThenId() throws {
        let targets = try TargetResolver.targets(config: FleetFixtures.fleet, tenants: FleetFixtures.fleetTenants)
        #expect(targets.map(\.id) == [
            "core", "events/eu-1", "events/us-1", "accounts/acme", "accounts/globex",
            "billing/initech", "app/acme", "app/umbrella", "local",
        ])
    }

    @Test func unshardedDatabaseIsOneTargetWithItsReplicas() throws {
        let targets = try TargetResolver.targets(database: FleetFixtures.core, tenants: nil)
        #expect(targets == [Target(
            id: "core", database: "core", driver: .postgres,
            location: .postgres(url: "postgres://u:pw@core/core", schema: nil),
            replicas: FleetFixtures.core.replicas)])
    }

    @Test func shardedDatabaseIsOneTargetPerShardWithCaps() throws {
        let targets = try TargetResolver.targets(database: FleetFixtures.events, tenants: nil)
        #expect(targets.map(\.id) == ["events/eu-1", "events/us-1"])
        #expect(targets[0].shard == "eu-1")
        #expect(targets[0].tenant == nil)
        #expect(targets[0].location == .postgres(url: "postgres://eu1/events", schema: nil))
        #expect(targets[0].connectionCap == ConnectionCap(key: "events/eu-1", limit: 2))
        #expect(targets[0].replicas.isEmpty)
        #expect(targets[1].connectionCap == nil)
        #expect(targets[1].replicas.map(\.name) == ["us-1-replica"])
    }

    @Test func schemaLayoutTenantsUseTheirShardAndSchema() throws {
        let targets = try TargetResolver.targets(
            database: FleetFixtures.accounts,
            tenants: [Tenant(name: "globex", shard: "us-1"), Tenant(name: "acme", shard: "eu-1")])
        #expect(targets.map(\.id) == ["accounts/acme", "accounts/globex"])
        let acme = targets[0], globex = targets[1]
        #expect(acme.tenant == "acme")
        #expect(acme.shard == "eu-1")
        #expect(acme.location == .postgres(url: "postgres://eu1/accounts", schema: "tenant_acme"))
        #expect(acme.connectionCap == ConnectionCap(key: "accounts/eu-1", limit: 4))
        #expect(acme.replicas.isEmpty)
        #expect(globex.location == .postgres(url: "postgres://us1/accounts", schema: "tenant_globex"))
        #expect(globex.replicas.map(\.url) == ["postgres://us1r/accounts"])
        #expect(acme.versionTable == "acct_version")
        #expect(acme.settings == FleetFixtures.accounts.settings)
    }

    @Test func schemaLayoutOnOneServerUsesDatabaseURL() throws {
        let targets = try TargetResolver.targets(database: FleetFixtures.crm, tenants: [Tenant(name: "acme")])
        #expect(targets.map(\.location) == [.postgres(url: "postgres://pg/crm", schema: "crm_acme")])
        #expect(targets[0].shard == nil)
        #expect(targets[0].connectionCap == nil)
    }

    @Test func databaseLayoutSubstitutesTenantInURLAndReplicas() throws {
        let targets = try TargetResolver.targets(database: FleetFixtures.billing, tenants: [Tenant(name: "initech")])
        #expect(targets.map(\.id) == ["billing/initech"])
        #expect(targets[0].location == .postgres(url: "postgres://pg/billing_initech", schema: nil))
        #expect(targets[0].replicas == [ReplicaConfig(name: "r", url: "postgres://replica/billing_initech")])
    }

    @Test func sqliteTenantsGetTheirOwnFile() throws {
        let targets = try TargetResolver.targets(database: FleetFixtures.app, tenants: [Tenant(name: "umbrella"), Tenant(name: "acme")])
        #expect(targets.map(\.location) == [.sqlite(path: "/f/tenants/app/acme.sqlite"), .sqlite(path: "/f/tenants/app/umbrella.sqlite")])
        #expect(targets.allSatisfy { $0.driver == .sqlite && $0.shard == nil })
    }

    @Test func everyPlaceholderIsSubstitutedAndOtherTextKeptByteForByte() {
        #expect(TenantName.substitute("acme", in: "/data/{tenant}/{tenant}.sqlite") == "/data/acme/acme.sqlite")
        #expect(TenantName.substitute("acme", in: "tenant_{tenant}") == "tenant_acme")
        #expect(TenantName.substitute("acme", in: "{tenant") == "{tenant", "an unclosed brace is text")
        #expect(TenantName.substitute("acme", in: "{{tenant}}") == "{acme}")
        #expect(TenantName.substitute("acme", in: "données/é_{tenant}_ß") == "données/é_acme_ß")
        #expect(TenantName.substitute("acme", in: "") == "")
    }

    @Test func plainSqliteIsOneTarget() throws {
        let targets = try TargetResolver.targets(database: FleetFixtures.local, tenants: nil)
        #expect(targets.map(\.id) == ["local"])
        #expect(targets[0].location == .sqlite(path: "/f/local.sqlite"))
    }

    @Test func singleShardTenantsGetTheShard() throws {
        let targets = try TargetResolver.targets(database: FleetFixtures.solo, tenants: [Tenant(name: "acme")])
        #expect(targets[0].shard == "only")
        #expect(targets[0].location == .postgres(url: "postgres://only/solo", schema: "tenant_acme"))
    }

    @Test func multiTenantDatabaseWithoutTenantsIsAnError() throws {
        var tenants = FleetFixtures.fleetTenants
        tenants["billing"] = nil
        let error = #expect(throws: ShoalError.self) {
            try TargetResolver.targets(config: FleetFixtures.fleet, tenants: tenants)
        }
        #expect(error?.message.contains("`billing`") == true)
        #expect(throws: ShoalError.self) { try TargetResolver.targets(database: FleetFixtures.app, tenants: nil) }
    }

    @Test func databaseBuiltInCodeWithoutLocationIsAnError() throws {
        let noURL = DatabaseConfig(name: "orphan", driver: .postgres, versionsDirectory: "/v")
        let error = #expect(throws: ShoalError.self) { try TargetResolver.targets(database: noURL, tenants: nil) }
        #expect(error?.message == "database `orphan` (postgres) needs a `url` or `shards` to resolve its targets")
        let noPath = DatabaseConfig(name: "orphan", driver: .sqlite, versionsDirectory: "/v")
        #expect(throws: ShoalError.self) { try TargetResolver.targets(database: noPath, tenants: nil) }
    }

    @Test func tenantsAreValidatedBeforeTargetsAreBuilt() throws {
        let error = #expect(throws: ShoalError.self) {
            try TargetResolver.targets(database: FleetFixtures.app, tenants: [Tenant(name: "../../etc/passwd")])
        }
        #expect(error?.message.contains("tenant `../../etc/passwd` of database `app`") == true)
        #expect(throws: ShoalError.self) {
            try TargetResolver.targets(database: FleetFixtures.accounts, tenants: [Tenant(name: "acme")])
        }
    }

    @Test func loadRegistryTenantsReadsRegistriesAndSkipsQueries() throws {
        let directory = try TemporaryDirectory()
        try directory.write(#"["umbrella", "acme"]"#, to: "tenants/app.json")
        try directory.write("[]", to: "tenants/crm.json")
        let json = """
        {"databases": {
          "core": {"driver": "postgres", "url": "postgres://h/core"},
          "app": {"driver": "sqlite", "path": "tenants/app/{tenant}.sqlite", "tenants": "tenants/app.json"},
          "crm": {"driver": "postgres", "url": "postgres://h/crm", "tenants": "tenants/crm.json"},
          "billing": {"driver": "postgres", "url": "postgres://h/b_{tenant}", "layout": "database",
                      "tenants": {"query": "SELECT name FROM tenants", "from": "core"}}}}
        """
        let path = try directory.write(json, to: "config.json")
        let config = try ConfigLoader.load(path: path, environment: [:])
        let tenants = try TargetResolver.loadRegistryTenants(config: config)
        #expect(tenants == ["app": [Tenant(name: "umbrella"), Tenant(name: "acme")], "crm": []])
        let targets = try TargetResolver.targets(config: config, tenants: tenants.merging(["billing": []]) { $1 })
        #expect(targets.map(\.id) == ["app/acme", "app/umbrella", "core"])
        #expect(targets[0].location == .sqlite(path: directory.path + "/tenants/app/acme.sqlite"))
    }

    @Test func loadRegistryTenantsReportsTheBrokenRegistry() throws {
        let directory = try TemporaryDirectory()
        let registry = try directory.write(#"["ok", "not ok"]"#, to: "app.json")
        let path = try directory.write(
            configWith(#"{"driver": "sqlite", "path": "{tenant}.db", "tenants": "app.json"}"#), to: "config.json")
        let config = try ConfigLoader.load(path: path, environment: [:])
        let error = #expect(throws: ShoalError.self) { try TargetResolver.loadRegistryTenants(config: config) }
        #expect(error?.file == registry)
        #expect(error?.line == 1)
        #expect(error?.message.contains("tenant `not ok`") == true)
    }
}
