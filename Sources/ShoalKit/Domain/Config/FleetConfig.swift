/// The database engine behind a configured database.
public enum DriverKind: String, Sendable, Hashable, CaseIterable {
    case postgres
    case sqlite
}

/// How tenants of a multi-tenant PostgreSQL database are laid out.
public enum TenantLayout: String, Sendable, Hashable {
    /// One schema per tenant, named by the `schema` template.
    case schema
    /// One database per tenant: `{tenant}` in the URL's database name.
    case database
}

/// A streaming replica of a PostgreSQL primary.
public struct ReplicaConfig: Sendable, Hashable {
    public var name: String
    public var url: String
    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }
}

/// One shard of a sharded PostgreSQL database.
public struct ShardConfig: Sendable, Hashable {
    public var name: String
    public var url: String
    /// Caps shoal's sessions to this shard, whatever `--concurrency` says.
    public var maxConnections: Int?
    public var replicas: [ReplicaConfig]
    /// The shard's own `role` key, when it differs from the database's
    /// (``SessionSettings/role``); nil: the database's.
    public var role: String?
    public init(name: String, url: String, maxConnections: Int? = nil, replicas: [ReplicaConfig] = [], role: String? = nil) {
        self.name = name
        self.url = url
        self.maxConnections = maxConnections
        self.replicas = replicas
        self.role = role
    }
}

/// Where a multi-tenant database's tenants come from.
public enum TenantSource: Sendable, Hashable {
    /// A JSON registry file (absolute path).
    case registry(path: String)
    /// A query run against another configured database, returning (name[, shard]).
    case query(sql: String, from: String)
}

/// How a database's migrations are applied, set at the top level of
/// config.json and overridden per database: the session settings of each
/// migration (PostgreSQL), what lint findings do to an upgrade, and how
/// steps are grouped into transactions.
public struct SessionSettings: Sendable, Hashable {
    public var lockTimeoutMs: Int
    /// nil: the server's own setting.
    public var statementTimeoutMs: Int?
    public var lockRetries: Int
    /// The `lint` key (SPEC §9.1).
    public var lint: LintMode
    /// The `role` key (SPEC §14, PostgreSQL): every session `SET ROLE`s to
    /// it after connecting, so that what migrations create belongs to it
    /// while the login role only migrates. nil: the login role itself.
    public var role: String?
    /// The `transaction_mode` key (SPEC §13): one transaction per step, or
    /// per target. `--transaction` overrides it for a run
    /// (``FleetRunner/Options/transactionMode``).
    public var transactionMode: TransactionMode
    public init(lockTimeoutMs: Int = 5000, statementTimeoutMs: Int? = nil, lockRetries: Int = 3, lint: LintMode = .warn,
                role: String? = nil, transactionMode: TransactionMode = .perStep) {
        self.lockTimeoutMs = lockTimeoutMs
        self.statementTimeoutMs = statementTimeoutMs
        self.lockRetries = lockRetries
        self.lint = lint
        self.role = role
        self.transactionMode = transactionMode
    }
}

/// What `shoal upgrade` does with lint error findings that are not allowed
/// in the migrations it would apply (the `lint` config key, SPEC §9.1).
public enum LintMode: String, CaseIterable, Sendable, Hashable {
    /// Print them once per migration, and list them under `"lint"` in the
    /// JSON report; the run goes on. The default.
    case warn
    /// Exit 2 before anything runs, naming each finding. `shoal init` writes it.
    case refuse
    /// Do not lint.
    case off
}

/// One entry of `databases` in config.json, with defaults filled in,
/// variables expanded and paths made absolute.
public struct DatabaseConfig: Sendable, Hashable {
    public var name: String
    public var driver: DriverKind
    /// libpq URL or conninfo of an unsharded PostgreSQL database (or the
    /// template with `{tenant}` for `layout: database`).
    public var url: String?
    /// SQLite file, absolute; may contain `{tenant}`.
    public var path: String?
    /// Shards, sorted by name. Empty when unsharded.
    public var shards: [ShardConfig]
    public var layout: TenantLayout
    /// Schema name template for `layout: schema`.
    public var schemaTemplate: String
    /// nil when the database is not multi-tenant.
    public var tenants: TenantSource?
    /// Absolute path of the migration directory.
    public var versionsDirectory: String
    public var versionTable: String
    public var replicas: [ReplicaConfig]
    public var after: [String]
    public var settings: SessionSettings
    /// libpq URL or conninfo of the server where `shoal lint --observe`
    /// creates its scratch database (the `scratch_url` key); nil: the
    /// server of the database's first target.
    public var scratchURL: String?

    public init(name: String, driver: DriverKind, url: String? = nil, path: String? = nil,
                shards: [ShardConfig] = [], layout: TenantLayout = .schema,
                schemaTemplate: String = "tenant_{tenant}", tenants: TenantSource? = nil,
                versionsDirectory: String, versionTable: String = "shoal_version",
                replicas: [ReplicaConfig] = [], after: [String] = [],
                settings: SessionSettings = SessionSettings(), scratchURL: String? = nil) {
        self.name = name
        self.driver = driver
        self.url = url
        self.path = path
        self.shards = shards
        self.layout = layout
        self.schemaTemplate = schemaTemplate
        self.tenants = tenants
        self.versionsDirectory = versionsDirectory
        self.versionTable = versionTable
        self.replicas = replicas
        self.after = after
        self.settings = settings
        self.scratchURL = scratchURL
    }

    /// The history table: `<version_table>_history`.
    public var historyTable: String { versionTable + "_history" }
    /// The dirty-mark table: `<version_table>_dirty`.
    public var dirtyTable: String { versionTable + "_dirty" }
    public var isMultiTenant: Bool { tenants != nil }
    public func shard(named name: String) -> ShardConfig? { shards.first { $0.name == name } }
}

/// A loaded config.json: every database a system owns.
public struct FleetConfig: Sendable, Hashable {
    /// Absolute path of the config file (nil when built in code).
    public var file: String?
    /// Directory relative paths were resolved against.
    public var directory: String
    public var concurrency: Int
    /// Top-level defaults of the timeout keys.
    public var settings: SessionSettings
    /// Databases in run order: `after` dependencies first, then by name.
    public var databases: [DatabaseConfig]
    /// The unset variables of connection settings left as written, when the
    /// config was loaded for a command that never connects
    /// (``ConfigLoader/load(path:environment:resolvingConnections:)``); empty otherwise.
    public var unresolvedConnections: [UnsetVariable]
    /// Absolute path of the folder that holds the run journals (SPEC §11,
    /// `journal_dir`; `.shoal/runs` beside config.json by default); nil
    /// when runs write none (`"journal": false`). A config built in code
    /// has none unless it names one: an app that migrates at start-up may
    /// run where nothing should be written beside it.
    public var journalDirectory: String?
    /// Lowercase hex SHA-256 of config.json's bytes, recorded in each run's
    /// journal; nil for a config built in code.
    public var configSHA256: String?

    public init(file: String? = nil, directory: String, concurrency: Int = 8,
                settings: SessionSettings = SessionSettings(), databases: [DatabaseConfig],
                unresolvedConnections: [UnsetVariable] = [], journalDirectory: String? = nil,
                configSHA256: String? = nil) {
        self.file = file
        self.directory = directory
        self.concurrency = concurrency
        self.settings = settings
        self.databases = databases
        self.unresolvedConnections = unresolvedConnections
        self.journalDirectory = journalDirectory
        self.configSHA256 = configSHA256
    }

    /// Throws the error naming every unset variable of ``unresolvedConnections``,
    /// if any: what a command that connects would have refused to start with.
    public func requireConnections() throws {
        guard !unresolvedConnections.isEmpty else { return }
        throw UnsetVariable.error(unresolvedConnections, file: file)
    }

    public func database(named name: String) -> DatabaseConfig? {
        databases.first { $0.name == name }
    }
}
