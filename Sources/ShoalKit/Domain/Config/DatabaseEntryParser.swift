import Foundation

/// One entry of `databases` as read from config.json, with the positions
/// that cross-database checks (`after`, `tenants.from`) need for their errors.
struct ParsedDatabase {
    var config: DatabaseConfig
    var line: Int
    var after: [(name: String, line: Int)]
    var tenantsFrom: (name: String, line: Int)?
}

/// Reads and validates one database entry of config.json (SPEC §2): the
/// rules that need only the entry itself. ``ConfigLoader`` checks the rules
/// that span databases.
enum DatabaseEntryParser {
    static let keys = [
        "driver", "url", "path", "shards", "layout", "schema", "tenants", "versions", "version_table",
        "replicas", "after", "lock_timeout_ms", "statement_timeout_ms", "lock_retries", "lint", "scratch_url", "role",
        "transaction_mode",
    ]
    static let tenantPlaceholder = "{tenant}"

    /// `unresolved`: key paths of connection settings left as written
    /// (their variables are unset; see ``ConfigLoader``), whose text is not checked.
    static func parse(name: String, node: JSONNode, nameLine: Int, defaults: SessionSettings,
                      directory: String, file: String, unresolved: Set<String> = []) throws -> ParsedDatabase {
        guard NameRule.isValid(name) else {
            throw ShoalError(.config, "database name `\(name)` is invalid: \(NameRule.description)", file: file, line: nameLine)
        }
        let entry = try ConfigObject(node, keyPath: "databases.\(name)", file: file)
        try entry.checkKeys(allowed: keys)
        let driver = try parseDriver(entry)
        let tenants = try parseTenants(entry, directory: directory)
        var config = DatabaseConfig(
            name: name, driver: driver,
            tenants: tenants?.source,
            versionsDirectory: try versionsDirectory(entry, name: name, directory: directory),
            versionTable: try versionTable(entry) ?? "shoal_version",
            settings: try sessionSettings(entry, defaults: defaults))
        switch driver {
        case .sqlite: try readSQLite(entry, into: &config, directory: directory)
        case .postgres: try readPostgres(entry, into: &config, unresolved: unresolved)
        }
        var after: [(name: String, line: Int)] = []
        for item in try entry.stringArray("after") ?? [] {
            if item.value == name {
                throw entry.error("`\(entry.path("after"))` names `\(name)` itself; a database cannot run after itself", line: item.line)
            }
            if !after.contains(where: { $0.name == item.value }) { after.append((item.value, item.line)) }
        }
        config.after = after.map(\.name)
        return ParsedDatabase(config: config, line: node.line, after: after, tenantsFrom: tenants?.from)
    }

    /// The timeout keys, `lint` and `transaction_mode`, each falling back to `defaults` (top level, or the built-in defaults).
    static func sessionSettings(_ object: ConfigObject, defaults: SessionSettings) throws -> SessionSettings {
        var settings = defaults
        let nonNegative = "a non-negative integer (milliseconds)"
        if let value = try object.integer("lock_timeout_ms", in: 0...Int.max, rule: nonNegative) {
            settings.lockTimeoutMs = value
        }
        if let node = object["statement_timeout_ms"] {
            if case .null = node.value {
                settings.statementTimeoutMs = nil
            } else {
                settings.statementTimeoutMs = try object.integer(
                    "statement_timeout_ms", in: 0...Int.max, rule: "a non-negative integer (milliseconds) or null")
            }
        }
        if let value = try object.integer("lock_retries", in: 0...100, rule: "an integer from 0 to 100") {
            settings.lockRetries = value
        }
        if let text = try object.string("lint") {
            guard let mode = LintMode(rawValue: text) else {
                throw object.error("`\(object.path("lint"))` must be `warn`, `refuse` or `off`, not `\(text)`"
                                   + Suggestion.didYouMean(text, in: LintMode.allCases.map(\.rawValue)), line: object["lint"]?.line)
            }
            settings.lint = mode
        }
        if let text = try object.string("transaction_mode") {
            guard let mode = TransactionMode(rawValue: text) else {
                throw object.error("`\(object.path("transaction_mode"))` must be `per-step` or `per-target`, not `\(text)`"
                                   + Suggestion.didYouMean(text, in: TransactionMode.allCases.map(\.rawValue)),
                                   line: object["transaction_mode"]?.line)
            }
            settings.transactionMode = mode
        }
        return settings
    }

    private static func parseDriver(_ entry: ConfigObject) throws -> DriverKind {
        let names = DriverKind.allCases.map(\.rawValue)
        guard let text = try entry.string("driver") else {
            throw entry.error("`\(entry.path("driver"))` is required: `postgres` or `sqlite`")
        }
        guard let driver = DriverKind(rawValue: text) else {
            throw entry.error("`\(entry.path("driver"))` must be `postgres` or `sqlite`, not `\(text)`"
                              + Suggestion.didYouMean(text, in: names), line: entry["driver"]?.line)
        }
        return driver
    }

    private static func versionsDirectory(_ entry: ConfigObject, name: String, directory: String) throws -> String {
        guard let path = try entry.nonEmptyString("versions") else {
            return FilePath.absolute("versions/\(name)", relativeTo: directory)
        }
        if path.contains(tenantPlaceholder) {
            throw entry.error("`\(entry.path("versions"))` cannot contain `{tenant}`: all tenants share one migration directory",
                              line: entry["versions"]?.line)
        }
        return FilePath.absolute(path, relativeTo: directory)
    }

    private static func versionTable(_ entry: ConfigObject) throws -> String? {
        guard let table = try entry.string("version_table") else { return nil }
        guard NameRule.isIdentifier(table), table.utf8.count <= 55 else {
            throw entry.error("`\(entry.path("version_table"))` must be an identifier ([A-Za-z_][A-Za-z0-9_]*) of at most "
                              + "55 bytes, so that `\(table)_history` fits PostgreSQL's 63; got `\(table)`",
                              line: entry["version_table"]?.line)
        }
        return table
    }

    private static func parseTenants(_ entry: ConfigObject, directory: String) throws
        -> (source: TenantSource, from: (name: String, line: Int)?)? {
        guard let node = entry["tenants"] else { return nil }
        switch node.value {
        case .string(let path):
            guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw entry.error("`\(entry.path("tenants"))` is empty", line: node.line)
            }
            return (.registry(path: FilePath.absolute(path, relativeTo: directory)), nil)
        case .object:
            let query = try ConfigObject(node, keyPath: entry.path("tenants"), file: entry.file)
            try query.checkKeys(allowed: ["query", "from"])
            guard let sql = try query.nonEmptyString("query") else {
                throw query.error("`\(query.path("query"))` is required: SQL returning rows of (name[, shard])")
            }
            guard let from = try query.nonEmptyString("from") else {
                throw query.error("`\(query.path("from"))` is required: the configured postgres database the query runs on")
            }
            return (.query(sql: sql, from: from), (from, query["from"]?.line ?? query.line))
        default:
            throw entry.typeError("tenants", node, expected: "a registry path (a string) or {\"query\": …, \"from\": …}")
        }
    }

    private static func readSQLite(_ entry: ConfigObject, into config: inout DatabaseConfig, directory: String) throws {
        for key in ["url", "shards", "replicas", "layout", "schema", "scratch_url", "role"] {
            if let node = entry[key] {
                throw entry.error("`\(entry.path(key))` does not apply to a sqlite database (it has a `path`)", line: node.line)
            }
        }
        guard let path = try entry.nonEmptyString("path") else {
            throw entry.error("`\(entry.path("path"))` is required for a sqlite database: the database file")
        }
        let line = entry["path"]?.line
        if config.isMultiTenant && !path.contains(tenantPlaceholder) {
            throw entry.error("`\(entry.path("path"))` must contain `{tenant}`: each tenant has its own file", line: line)
        }
        if !config.isMultiTenant && path.contains(tenantPlaceholder) {
            throw entry.error("`\(entry.path("path"))` contains `{tenant}` but the database has no `tenants`", line: line)
        }
        config.path = FilePath.absolute(path, relativeTo: directory)
    }

    private static func readPostgres(_ entry: ConfigObject, into config: inout DatabaseConfig, unresolved: Set<String>) throws {
        if let node = entry["path"] {
            throw entry.error("`\(entry.path("path"))` does not apply to a postgres database; use `url` or `shards`", line: node.line)
        }
        if let layout = try entry.string("layout") {
            guard let value = TenantLayout(rawValue: layout) else {
                throw entry.error("`\(entry.path("layout"))` must be `schema` or `database`, not `\(layout)`"
                                  + Suggestion.didYouMean(layout, in: ["schema", "database"]), line: entry["layout"]?.line)
            }
            guard config.isMultiTenant else {
                throw entry.error("`\(entry.path("layout"))` applies only to a database with `tenants`", line: entry["layout"]?.line)
            }
            config.layout = value
        }
        if let schema = try entry.string("schema") {
            let line = entry["schema"]?.line
            guard config.isMultiTenant, config.layout == .schema else {
                throw entry.error("`\(entry.path("schema"))` applies only to a database with `tenants` and `layout: schema`", line: line)
            }
            guard schema.contains(tenantPlaceholder) else {
                throw entry.error("`\(entry.path("schema"))` must contain `{tenant}`, or every tenant would share one schema", line: line)
            }
            // Tenant names follow NameRule, so the whole schema name does if the rest of the template does.
            let rest = schema.replacingOccurrences(of: tenantPlaceholder, with: "")
            guard rest.isEmpty || NameRule.isValid("x" + rest), !schema.lowercased().hasPrefix("pg_") else {
                throw entry.error("`\(entry.path("schema"))` `\(schema)` is not a plain schema name: around `{tenant}` use "
                                  + "only letters, digits, `_` and `-`, and do not start with `pg_` (reserved by PostgreSQL)",
                                  line: line)
            }
            config.schemaTemplate = schema
        }
        config.settings.role = try role(entry)
        let url = try entry.nonEmptyString("url")
        let shards = try entry.object("shards")
        switch (url, shards) {
        case (nil, nil):
            throw entry.error("`\(entry.keyPath)` needs a `url` (one server) or `shards` (several)")
        case (.some, .some):
            throw entry.error("`\(entry.keyPath)` has both `url` and `shards`; use one of them", line: entry["shards"]?.line)
        case (let url?, nil):
            if !unresolved.contains(entry.path("url")) {
                try checkPlaceholder(in: url, keyPath: entry.path("url"), line: entry["url"]?.line, config: config, entry: entry)
            }
            config.url = url
            config.replicas = try parseReplicas(entry, config: config)
        case (nil, let shards?):
            if entry.has("replicas") {
                throw entry.error("`\(entry.path("replicas"))` applies to an unsharded database; list replicas under each shard",
                                  line: entry["replicas"]?.line)
            }
            config.shards = try parseShards(shards, config: config, unresolved: unresolved)
        }
        try checkReplicaNames(config, entry: entry)
        if let scratch = try entry.nonEmptyString("scratch_url") {
            if scratch.contains(tenantPlaceholder) {
                throw entry.error("`\(entry.path("scratch_url"))` cannot contain `{tenant}`: it names the server where "
                                  + "`shoal lint --observe` creates its scratch database", line: entry["scratch_url"]?.line)
            }
            config.scratchURL = scratch
        }
    }

    /// The `role` key of a database or a shard: a role name, as PostgreSQL
    /// spells it (case and all; shoal passes it to `set_config('role', …)`,
    /// never into SQL). `none` would silently mean the login role.
    private static func role(_ object: ConfigObject) throws -> String? {
        guard let role = try object.string("role") else { return nil }
        let line = object["role"]?.line
        guard !role.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw object.error("`\(object.path("role"))` is empty; name the role that should own what migrations create, "
                               + "or leave the key out to migrate as the login role", line: line)
        }
        guard role.lowercased() != "none", !role.utf8.contains(0), role.utf8.count <= 63 else {
            throw object.error("`\(object.path("role"))` `\(role)` is not a role name shoal can SET ROLE to "
                               + "(at most 63 bytes, not `none`)", line: line)
        }
        return role
    }

    private static func parseShards(_ shards: ConfigObject, config: DatabaseConfig, unresolved: Set<String>) throws -> [ShardConfig] {
        guard !shards.members.isEmpty else { throw shards.error("`\(shards.keyPath)` is empty; list at least one shard") }
        var result: [ShardConfig] = []
        var seen: Set<String> = []
        for member in shards.members {
            guard NameRule.isValid(member.key) else {
                throw shards.error("shard name `\(member.key)` in `\(shards.keyPath)` is invalid: \(NameRule.description)", line: member.line)
            }
            guard seen.insert(member.key).inserted else {
                throw shards.error("duplicate key `\(member.key)` in `\(shards.keyPath)`", line: member.line)
            }
            let shard = try ConfigObject(member.node, keyPath: shards.path(member.key), file: shards.file)
            try shard.checkKeys(allowed: ["url", "max_connections", "replicas", "role"])
            guard let url = try shard.nonEmptyString("url") else {
                throw shard.error("`\(shard.path("url"))` is required")
            }
            if !unresolved.contains(shard.path("url")) {
                try checkPlaceholder(in: url, keyPath: shard.path("url"), line: shard["url"]?.line, config: config, entry: shard)
            }
            let cap = try shard.integer("max_connections", in: 1...Int.max, rule: "a positive integer")
            result.append(ShardConfig(name: member.key, url: url, maxConnections: cap,
                                      replicas: try parseReplicas(shard, config: config), role: try role(shard)))
        }
        return result.sorted { $0.name < $1.name }
    }

    private static func parseReplicas(_ owner: ConfigObject, config: DatabaseConfig) throws -> [ReplicaConfig] {
        guard let elements = try owner.array("replicas") else { return [] }
        return try elements.enumerated().map { index, element in
            let replica = try ConfigObject(element, keyPath: "\(owner.path("replicas"))[\(index)]", file: owner.file)
            try replica.checkKeys(allowed: ["name", "url"])
            guard let name = try replica.string("name") else { throw replica.error("`\(replica.path("name"))` is required") }
            guard NameRule.isValid(name) else {
                throw replica.error("`\(replica.path("name"))` `\(name)` is invalid: \(NameRule.description)", line: replica["name"]?.line)
            }
            guard let url = try replica.nonEmptyString("url") else { throw replica.error("`\(replica.path("url"))` is required") }
            if url.contains(tenantPlaceholder) && !(config.isMultiTenant && config.layout == .database) {
                throw replica.error("`\(replica.path("url"))` contains `{tenant}`, which only `layout: database` substitutes",
                                    line: replica["url"]?.line)
            }
            return ReplicaConfig(name: name, url: url)
        }
    }

    private static func checkReplicaNames(_ config: DatabaseConfig, entry: ConfigObject) throws {
        var seen: Set<String> = []
        for replica in config.replicas + config.shards.flatMap(\.replicas) where !seen.insert(replica.name).inserted {
            throw entry.error("replica name `\(replica.name)` is used twice in `\(entry.keyPath)`; replica names must be unique")
        }
    }

    /// `{tenant}` belongs in the database name of the url with `layout: database`, and nowhere else.
    private static func checkPlaceholder(in url: String, keyPath: String, line: Int?, config: DatabaseConfig,
                                         entry: ConfigObject) throws {
        let perTenantDatabase = config.isMultiTenant && config.layout == .database
        if perTenantDatabase {
            guard ConnectionString.databaseName(in: url)?.contains(tenantPlaceholder) == true else {
                throw entry.error("`\(keyPath)`: with `layout: database` the database name in the url must contain `{tenant}` "
                                  + "(e.g. postgres://host/app_{tenant})", line: line)
            }
        } else if url.contains(tenantPlaceholder) {
            let why = config.isMultiTenant ? "only `layout: database` puts `{tenant}` in the url" : "the database has no `tenants`"
            throw entry.error("`\(keyPath)` contains `{tenant}` but \(why)", line: line)
        }
    }
}
