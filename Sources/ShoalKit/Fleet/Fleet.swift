import Foundation
import Logging

/// A loaded fleet: the config, plus the ways to reach its targets and
/// revision graphs. The entry point of ShoalKit for an app that migrates
/// at start-up:
///
/// ```swift
/// let fleet = try Fleet.load(configPath: "config.json", logger: logger)
/// let targets = try await fleet.targets(TargetSelector(databases: ["app"]))
/// let report = try await FleetRunner(fleet: fleet).run(.upgrade(.head), targets: targets)
/// ```
public struct Fleet: Sendable {
    public let config: FleetConfig
    public let logger: Logger
    /// Who applies migrations, recorded in history rows.
    public let context: ApplyContext

    public init(config: FleetConfig, logger: Logger = Logger(label: "shoal"), context: ApplyContext = .current) {
        self.config = config
        self.logger = logger
        self.context = context
    }

    /// Loads and validates the config file. `resolvingConnections: false`
    /// is for work that never connects (checking files, writing revisions,
    /// printing SQL): connection settings whose variables are unset are then
    /// not an error, and ``targets(_:)`` refuses instead.
    public static func load(configPath: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            logger: Logger = Logger(label: "shoal"), resolvingConnections: Bool = true) throws -> Fleet {
        Fleet(config: try ConfigLoader.load(path: configPath, environment: environment, resolvingConnections: resolvingConnections),
              logger: logger)
    }

    /// The database named `name`, or a usage error with a did-you-mean.
    public func database(_ name: String) throws -> DatabaseConfig {
        if let db = config.database(named: name) { return db }
        let names = config.databases.map(\.name)
        var message = "no database named `\(name)` in \(config.file ?? "the config")"
        if let close = Suggestion.closest(to: name, in: names) {
            message += "; did you mean `\(close)`?"
        } else {
            message += " (databases: \(names.joined(separator: ", ")))"
        }
        throw ShoalError(.usage, message)
    }

    /// The database a per-database command (revision, heads, sql…) works on:
    /// the named one, or the only one when the config has a single database.
    public func database(_ name: String?) throws -> DatabaseConfig {
        if let name { return try database(name) }
        if config.databases.count == 1 { return config.databases[0] }
        throw ShoalError(.usage, "this command needs --db NAME (databases: \(config.databases.map(\.name).joined(separator: ", ")))")
    }

    /// Reads and checks the revision graph of one database.
    public func graph(for database: DatabaseConfig) throws -> RevisionGraph {
        let migrations = try MigrationDirectory.load(database.versionsDirectory)
        return try RevisionGraph(migrations: migrations, directory: database.versionsDirectory)
    }

    /// Graphs of the given databases, loaded once each.
    public func graphs(for databases: some Sequence<String>) throws -> [String: RevisionGraph] {
        var graphs: [String: RevisionGraph] = [:]
        for name in databases where graphs[name] == nil {
            graphs[name] = try graph(for: try database(name))
        }
        return graphs
    }

    /// The tenants of one multi-tenant database, from its registry file or its query.
    public func tenants(of database: DatabaseConfig) async throws -> [Tenant] {
        switch database.tenants {
        case nil:
            return []
        case .registry(let path):
            return try TenantRegistry.load(path: path, database: database)
        case .query(let sql, let from):
            try config.requireConnections()
            let source = try self.database(from)
            let tenants = try await TenantQuery.run(sql: sql, on: source, for: database)
            return try TenantRegistry.validate(tenants, database: database, source: "the tenant query of \(database.name) (run on \(from))")
        }
    }

    /// Every target the selector picks, in run order. Tenant sources are only
    /// read for databases the selector can match.
    public func targets(_ selector: TargetSelector = TargetSelector()) async throws -> [Target] {
        try config.requireConnections()
        try selector.validate(against: config)
        var all: [Target] = []
        for database in config.databases {
            if !selector.databases.isEmpty && !selector.databases.contains(database.name) { continue }
            let tenants: [Tenant]? = database.isMultiTenant ? try await self.tenants(of: database) : nil
            all += try TargetResolver.targets(database: database, validated: tenants)
        }
        return selector.select(all)
    }
}

extension ApplyContext {
    /// `user@host` of this process and this shoal's version.
    public static var current: ApplyContext {
        let env = ProcessInfo.processInfo.environment
        let user = env["USER"] ?? env["LOGNAME"] ?? NSUserName()
        let host = ProcessInfo.processInfo.hostName
        return ApplyContext(appliedBy: "\(user.isEmpty ? "unknown" : user)@\(host)", shoalVersion: ShoalKit.shoalVersion)
    }
}
