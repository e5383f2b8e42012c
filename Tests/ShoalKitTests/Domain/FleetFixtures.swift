@testable import ShoalKit

/// Databases built in code, one of each kind the resolver knows.
enum FleetFixtures {
    static let core = DatabaseConfig(
        name: "core", driver: .postgres, url: "postgres://u:pw@core/core", versionsDirectory: "/f/versions/core",
        replicas: [ReplicaConfig(name: "core-replica", url: "postgres://u:pw@core-replica/core")])

    static let events = DatabaseConfig(
        name: "events", driver: .postgres,
        shards: [ShardConfig(name: "eu-1", url: "postgres://eu1/events", maxConnections: 2),
                 ShardConfig(name: "us-1", url: "postgres://us1/events",
                             replicas: [ReplicaConfig(name: "us-1-replica", url: "postgres://us1r/events")])],
        versionsDirectory: "/f/versions/events")

    static let accounts = DatabaseConfig(
        name: "accounts", driver: .postgres,
        shards: [ShardConfig(name: "eu-1", url: "postgres://eu1/accounts", maxConnections: 4),
                 ShardConfig(name: "us-1", url: "postgres://us1/accounts", maxConnections: 4,
                             replicas: [ReplicaConfig(name: "us-1-replica", url: "postgres://us1r/accounts")])],
        schemaTemplate: "tenant_{tenant}", tenants: .registry(path: "/f/tenants/accounts.json"),
        versionsDirectory: "/f/versions/accounts", versionTable: "acct_version", after: ["core"],
        settings: SessionSettings(lockTimeoutMs: 100, statementTimeoutMs: 2000, lockRetries: 1))

    static let billing = DatabaseConfig(
        name: "billing", driver: .postgres, url: "postgres://pg/billing_{tenant}", layout: .database,
        tenants: .query(sql: "SELECT name FROM tenants", from: "core"), versionsDirectory: "/f/versions/billing",
        replicas: [ReplicaConfig(name: "r", url: "postgres://replica/billing_{tenant}")])

    static let app = DatabaseConfig(
        name: "app", driver: .sqlite, path: "/f/tenants/app/{tenant}.sqlite",
        tenants: .registry(path: "/f/tenants/app.json"), versionsDirectory: "/f/versions/app")

    static let local = DatabaseConfig(name: "local", driver: .sqlite, path: "/f/local.sqlite", versionsDirectory: "/f/versions/local")

    /// A multi-tenant schema-per-tenant database on one server.
    static let crm = DatabaseConfig(
        name: "crm", driver: .postgres, url: "postgres://pg/crm", schemaTemplate: "crm_{tenant}",
        tenants: .registry(path: "/f/tenants/crm.json"), versionsDirectory: "/f/versions/crm")

    /// A multi-tenant database with exactly one shard.
    static let solo = DatabaseConfig(
        name: "solo", driver: .postgres, shards: [ShardConfig(name: "only", url: "postgres://only/solo")],
        tenants: .registry(path: "/f/tenants/solo.json"), versionsDirectory: "/f/versions/solo")

    static let fleet = FleetConfig(directory: "/f", databases: [core, events, accounts, billing, app, local])

    static let fleetTenants: [String: [Tenant]] = [
        "accounts": [Tenant(name: "globex", shard: "us-1"), Tenant(name: "acme", shard: "eu-1")],
        "billing": [Tenant(name: "initech")],
        "app": [Tenant(name: "umbrella"), Tenant(name: "acme")],
    ]
}
