import Foundation

/// The generated fleets: one multi-tenant database `app`, its tenants, its
/// migrations. Shared by the files shoal reads and by the raw baseline, which
/// derives the same names from the same counts.
enum Fleets {
    static let database = "app"

    /// `t00001`, `t00002`, …
    static func tenants(_ count: Int) -> [String] {
        (0..<max(0, count)).map { index in
            let digits = String(index + 1)
            return "t" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
        }
    }

    static func schema(of tenant: String) -> String { "tenant_\(tenant)" }

    static func sqlitePath(in directory: String, tenant: String) -> String {
        "\(directory)/tenants/\(database)/\(tenant).sqlite"
    }

    /// Shard names of a sharded fleet; tenant `index` lives on `shards[index % shards.count]`.
    static let shardNames = ["eu", "us"]

    static func tenants(_ all: [String], onShard shard: Int, of shardCount: Int) -> [String] {
        all.enumerated().filter { $0.offset % shardCount == shard }.map(\.element)
    }

    /// Where the tenants live.
    enum Storage {
        /// A SQLite file each, `tenants/app/{tenant}.sqlite`.
        case sqlite
        /// A schema each in one PostgreSQL database.
        case postgres(url: String)
        /// A schema each, spread over shards (name, url) by ``tenants(_:onShard:of:)``.
        case shards([(name: String, url: String)])
    }

    /// Writes config.json, versions/app/*.sql and tenants/app.json into
    /// `directory` (created), and the SQLite tenants' folder. Returns the
    /// config's path.
    @discardableResult
    static func write(to directory: String, storage: Storage, tenantCount: Int, migrations: [BenchMigration],
                      concurrency: Int) throws -> String {
        let files = FileManager.default
        try files.createDirectory(atPath: "\(directory)/versions/\(database)", withIntermediateDirectories: true)
        try files.createDirectory(atPath: "\(directory)/tenants/\(database)", withIntermediateDirectories: true)
        for migration in migrations {
            try migration.fileText.write(toFile: "\(directory)/versions/\(database)/\(migration.fileName)",
                                         atomically: false, encoding: .utf8)
        }

        var entry: [String: Any] = ["tenants": "tenants/\(database).json"]
        let names = tenants(tenantCount)
        // One tenant per line, as `shoal tenants add` writes the registry.
        var registry = names.map { "  \"\($0)\"" }
        switch storage {
        case .sqlite:
            entry["driver"] = "sqlite"
            entry["path"] = "tenants/\(database)/{tenant}.sqlite"
        case .postgres(let url):
            entry["driver"] = "postgres"
            entry["url"] = url
            entry["layout"] = "schema"
        case .shards(let shards):
            entry["driver"] = "postgres"
            entry["layout"] = "schema"
            entry["shards"] = Dictionary(uniqueKeysWithValues: shards.map { ($0.name, ["url": $0.url]) })
            registry = names.enumerated().map { index, name in
                "  {\"name\": \"\(name)\", \"shard\": \"\(shards[index % shards.count].name)\"}"
            }
        }
        let config: [String: Any] = ["concurrency": concurrency, "databases": [database: entry]]
        let configPath = "\(directory)/config.json"
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: configPath))
        try ("[\n" + registry.joined(separator: ",\n") + "\n]\n")
            .write(toFile: "\(directory)/tenants/\(database).json", atomically: false, encoding: .utf8)
        return configPath
    }
}
