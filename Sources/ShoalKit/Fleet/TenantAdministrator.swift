import Foundation

/// Edits a database's tenant registry (`shoal tenants add|remove`), and
/// creates or drops the tenant's storage.
public struct TenantAdministrator: Sendable {
    public let fleet: Fleet
    public let database: DatabaseConfig

    public init(fleet: Fleet, database: DatabaseConfig) throws {
        guard database.isMultiTenant else {
            throw ShoalError(.usage, "\(database.name) has no tenants: give it a `tenants` registry in \(fleet.config.file ?? "the config") first")
        }
        self.fleet = fleet
        self.database = database
    }

    /// The registry file; tenants that come from a query cannot be edited here.
    public func registryPath() throws -> String {
        guard case .registry(let path) = database.tenants else {
            throw ShoalError(.usage, "the tenants of \(database.name) come from a query; add or remove them in the database that query reads")
        }
        return path
    }

    /// The registry's tenants; a registry file that does not exist yet is empty.
    public func registeredTenants() throws -> [Tenant] {
        let path = try registryPath()
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try TenantRegistry.load(path: path, database: database)
    }

    /// Adds `name` to the registry (on `shard`, or the least loaded one),
    /// creating its database first for `layout: database`, and returns its
    /// target. The caller then brings it to head (which creates a schema or a
    /// SQLite file with the version tables).
    ///
    /// A new database is only registered once every replica of the target
    /// has replayed its creation (waiting up to `replicaTimeout`), so that
    /// the upgrade that follows finds it there. If one has not, the tenant is
    /// not registered and the database stays on the primary, for a second
    /// `add` to reuse.
    public func add(_ name: String, shard: String?, replicaTimeout: Duration = .seconds(60)) async throws -> Target {
        try TenantName.validate(name, database: database)
        var tenants = try registeredTenants()
        if tenants.contains(where: { $0.name == name }) {
            throw ShoalError(.usage, "\(database.name) already has a tenant named \(name)")
        }
        if let shard, database.shard(named: shard) == nil {
            throw ShoalError(.usage, "\(database.name) has no shard named \(shard) (shards: \(database.shards.map(\.name).joined(separator: ", ")))")
        }
        if shard != nil && database.shards.isEmpty {
            throw ShoalError(.usage, "\(database.name) is not sharded; drop --shard")
        }
        let tenant = Tenant(name: name, shard: shard ?? TenantRegistry.leastLoadedShard(tenants, database: database))
        tenants.append(tenant)
        tenants = try TenantRegistry.validate(tenants, database: database, source: try registryPath())
        let target = try TargetResolver.targets(database: database, tenants: [tenant])[0]
        if let position = try await TenantStorage.create(target, layout: database.layout) {
            do {
                try await TenantStorage.waitForReplicas(of: target, toReplay: position, timeout: replicaTimeout)
            } catch var error as ShoalError {
                error.hint = "\(name) was not added to \(try registryPath()); run `shoal tenants add \(name) --db \(database.name)` again once the replica has caught up (it reuses the database), or give it longer with --replica-timeout"
                throw error
            }
        }
        try AtomicFile.replace(try registryPath(), contents: TenantRegistry.encode(tenants))
        return target
    }

    /// Removes `name` from the registry. With `drop`, also deletes its storage
    /// (SQLite file, schema or database) first; without it, the data stays
    /// where it is.
    /// Returns what was done, for the user.
    public func remove(_ name: String, drop: Bool) async throws -> String {
        let found = try registered(name)
        let target = found.target
        var tenants = found.tenants
        tenants.remove(at: found.index)
        var done = "removed \(name) from \(try registryPath())"
        if drop {
            done += " and " + (try await TenantStorage.drop(target))
        } else {
            switch target.location {
            case .sqlite(let path) where FileManager.default.fileExists(atPath: path):
                done += "; its data stays in \(path) (pass --drop to delete it)"
            case .postgres(_, let schema?):
                done += "; its schema \(schema) stays (pass --drop to drop it)"
            case .postgres(let url, nil):
                done += "; its database \(PostgresURL.databaseName(of: url) ?? "") stays (pass --drop to drop it)"
            case .sqlite:
                break
            }
        }
        try AtomicFile.replace(try registryPath(), contents: TenantRegistry.encode(tenants))
        return done
    }

    /// What `remove(name, drop: true)` would delete, for the user to
    /// confirm: `schema tenant_acme in postgres://u:***@h/db`,
    /// `database tenant_acme (postgres://u:***@h/tenant_acme)`, `file /x/acme.sqlite`.
    /// Throws as ``remove(_:drop:)`` does for a tenant that is not registered.
    public func storage(of name: String) throws -> String {
        switch try registered(name).target.location {
        case .sqlite(let path):
            return "file \(path)"
        case .postgres(let url, let schema?):
            return "schema \(schema) in \(Redactor.redact(url))"
        case .postgres(let url, nil):
            return "database \(PostgresURL.databaseName(of: url) ?? "") (\(Redactor.redact(url)))"
        }
    }

    /// The registry's tenants, where `name` is among them, and its target.
    private func registered(_ name: String) throws -> (tenants: [Tenant], index: Int, target: Target) {
        let tenants = try registeredTenants()
        guard let index = tenants.firstIndex(where: { $0.name == name }) else {
            var message = "\(database.name) has no tenant named \(name)"
            if let close = Suggestion.closest(to: name, in: tenants.map(\.name)) { message += "; did you mean \(close)?" }
            throw ShoalError(.usage, message)
        }
        return (tenants, index, try TargetResolver.targets(database: database, tenants: [tenants[index]])[0])
    }
}
