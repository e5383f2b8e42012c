/// A tenant of a multi-tenant database, as listed in its registry or query.
public struct Tenant: Sendable, Hashable {
    public var name: String
    /// The shard the tenant lives on; nil on an unsharded database.
    public var shard: String?
    public init(name: String, shard: String? = nil) {
        self.name = name
        self.shard = shard
    }
}

/// Where a target's version table lives.
public enum TargetLocation: Sendable, Hashable {
    /// A SQLite file (absolute path, `{tenant}` already substituted).
    case sqlite(path: String)
    /// A PostgreSQL database (URL with `{tenant}` substituted for
    /// `layout: database`) and, for `layout: schema`, the tenant's schema.
    case postgres(url: String, schema: String?)
}

/// One place that holds one version table (SPEC §3): `core`,
/// `events/eu-1` or `accounts/acme`.
public struct Target: Sendable, Hashable, Identifiable {
    public var id: String
    public var database: String
    public var shard: String?
    public var tenant: String?
    public var driver: DriverKind
    public var location: TargetLocation
    public var versionTable: String
    public var historyTable: String { versionTable + "_history" }
    public var dirtyTable: String { versionTable + "_dirty" }
    /// shoal's own three tables: the version, history and dirty table.
    package var shoalTables: [String] { [versionTable, historyTable, dirtyTable] }
    /// The key of the one-migrator-per-target lock (SPEC §7): the target's
    /// database, schema and version table.
    public var migrationLockKey: String {
        var schema = ""
        if case .postgres(_, let name?) = location { schema = name }
        return "\(database)/\(schema)/\(versionTable)"
    }
    /// Replicas to wait for after this target's primary commits.
    public var replicas: [ReplicaConfig]
    public var settings: SessionSettings
    /// Key of the connection cap this target counts against
    /// (`<database>/<shard>` for a shard with `max_connections`), and the cap.
    public var connectionCap: ConnectionCap?

    public init(id: String, database: String, shard: String? = nil, tenant: String? = nil,
                driver: DriverKind, location: TargetLocation, versionTable: String = "shoal_version",
                replicas: [ReplicaConfig] = [], settings: SessionSettings = SessionSettings(),
                connectionCap: ConnectionCap? = nil) {
        self.id = id
        self.database = database
        self.shard = shard
        self.tenant = tenant
        self.driver = driver
        self.location = location
        self.versionTable = versionTable
        self.replicas = replicas
        self.settings = settings
        self.connectionCap = connectionCap
    }
}

/// A limit on concurrent sessions shared by every target with the same key.
public struct ConnectionCap: Sendable, Hashable {
    public var key: String
    public var limit: Int
    public init(key: String, limit: Int) {
        self.key = key
        self.limit = limit
    }
}
