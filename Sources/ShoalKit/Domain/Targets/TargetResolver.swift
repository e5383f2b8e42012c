/// Turns a config and its tenants into targets: the places that each hold
/// one version table (SPEC §3), with where to connect, which replicas to wait
/// for and which connection cap they count against.
///
/// Pure: the fleet layer reads registries or runs tenant queries and passes
/// the tenants in, so the same resolution serves `status`, `upgrade` and a
/// library that builds its tenant list in code.
package enum TargetResolver: Sendable {
    /// Every target of the fleet in run order: databases in `config.databases`
    /// order (after `after`), targets of a database by id.
    /// `tenants` maps each multi-tenant database to its tenants; a missing one is an error.
    package static func targets(config: FleetConfig, tenants: [String: [Tenant]]) throws -> [Target] {
        try config.databases.flatMap { database in
            if database.isMultiTenant && tenants[database.name] == nil {
                throw ShoalError(.config, "the tenants of database `\(database.name)` were not loaded; "
                                 + "load its registry or run its tenant query before resolving targets")
            }
            return try targets(database: database, tenants: tenants[database.name])
        }
    }

    /// The targets of one database, sorted by id. `tenants` is required for a
    /// multi-tenant database and ignored otherwise; it is validated here.
    package static func targets(database: DatabaseConfig, tenants: [Tenant]?) throws -> [Target] {
        let valid = database.isMultiTenant
            ? try tenants.map { try TenantRegistry.validate($0, database: database, source: "the tenants of `\(database.name)`") }
            : nil
        return try targets(database: database, validated: valid)
    }

    /// As ``targets(database:tenants:)``, for tenants that already went
    /// through ``TenantRegistry/validate(_:database:source:)`` (a registry
    /// or tenant query read by ``Fleet``): 10,000 names are not checked twice.
    static func targets(database: DatabaseConfig, validated tenants: [Tenant]?) throws -> [Target] {
        guard database.isMultiTenant else { return try plainTargets(database) }
        guard let tenants else {
            throw ShoalError(.config, "database `\(database.name)` is multi-tenant but no tenants were given")
        }
        let targets = try tenants.map { try tenantTarget($0, database: database) }
        // Registries are usually kept in order: check before sorting 10,000 targets.
        if zip(targets, targets.dropFirst()).allSatisfy({ $0.id <= $1.id }) { return targets }
        return targets.sorted { $0.id < $1.id }
    }

    /// The tenants of every database whose tenants come from a registry file;
    /// databases with a tenant query are left to the caller.
    package static func loadRegistryTenants(config: FleetConfig) throws -> [String: [Tenant]] {
        var result: [String: [Tenant]] = [:]
        for database in config.databases {
            if case .registry(let path) = database.tenants {
                result[database.name] = try TenantRegistry.load(path: path, database: database)
            }
        }
        return result
    }

    private static func plainTargets(_ database: DatabaseConfig) throws -> [Target] {
        switch database.driver {
        case .sqlite:
            guard let path = database.path else { throw missing("a `path`", database) }
            return [target(id: database.name, database: database, location: .sqlite(path: path))]
        case .postgres where database.shards.isEmpty:
            guard let url = database.url else { throw missing("a `url` or `shards`", database) }
            return [target(id: database.name, database: database, location: .postgres(url: url, schema: nil),
                           replicas: database.replicas)]
        case .postgres:
            return database.shards.map { shard in
                target(id: "\(database.name)/\(shard.name)", database: database, shard: shard,
                       location: .postgres(url: shard.url, schema: nil), replicas: shard.replicas)
            }.sorted { $0.id < $1.id }
        }
    }

    private static func tenantTarget(_ tenant: Tenant, database: DatabaseConfig) throws -> Target {
        let id = database.name + "/" + tenant.name
        let substitute = { (template: String) in TenantName.substitute(tenant.name, in: template) }
        switch database.driver {
        case .sqlite:
            guard let path = database.path else { throw missing("a `path`", database) }
            return target(id: id, database: database, tenant: tenant.name, location: .sqlite(path: substitute(path)))
        case .postgres:
            let shard = try tenant.shard.map { name in
                guard let shard = database.shard(named: name) else {
                    throw ShoalError(.config, "tenant `\(tenant.name)` names shard `\(name)`, which database `\(database.name)` does not have")
                }
                return shard
            }
            guard let url = shard?.url ?? database.url else { throw missing("a `url` or `shards`", database) }
            var replicas = shard?.replicas ?? database.replicas
            let location: TargetLocation
            switch database.layout {
            case .schema:
                location = .postgres(url: url, schema: substitute(database.schemaTemplate))
            case .database:
                location = .postgres(url: substitute(url), schema: nil)
                replicas = replicas.map { ReplicaConfig(name: $0.name, url: substitute($0.url)) }
            }
            return target(id: id, database: database, shard: shard, tenant: tenant.name, location: location, replicas: replicas)
        }
    }

    /// A database built in code without the place it lives in.
    private static func missing(_ what: String, _ database: DatabaseConfig) -> ShoalError {
        ShoalError(.config, "database `\(database.name)` (\(database.driver.rawValue)) needs \(what) to resolve its targets")
    }

    private static func target(id: String, database: DatabaseConfig, shard: ShardConfig? = nil, tenant: String? = nil,
                               location: TargetLocation, replicas: [ReplicaConfig] = []) -> Target {
        let cap = shard.flatMap { shard in
            shard.maxConnections.map { ConnectionCap(key: "\(database.name)/\(shard.name)", limit: $0) }
        }
        var settings = database.settings
        if let role = shard?.role { settings.role = role }
        return Target(id: id, database: database.name, shard: shard?.name, tenant: tenant, driver: database.driver,
                      location: location, versionTable: database.versionTable, replicas: replicas,
                      settings: settings, connectionCap: cap)
    }
}
