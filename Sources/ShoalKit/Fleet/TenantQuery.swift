/// Reads a tenant list with the `{ "query", "from" }` source of config.json:
/// rows of (name[, shard]) from another configured database.
enum TenantQuery {
    static func run(sql: String, on source: DatabaseConfig, for database: DatabaseConfig) async throws -> [Tenant] {
        let target = try TargetResolver.targets(database: source, tenants: nil).first.unwrap(
            ShoalError(.config, "the tenant query of \(database.name) reads from \(source.name), which has no single database to query"))
        let rows: [[String?]]
        do {
            rows = try await SessionPool.withSession(target, access: .read) { try await $0.query(sql) } ?? []
        } catch let error as ShoalError {
            // Without its tenants the command cannot start, and nothing has
            // been touched: a config-kind error, so the CLI exits 2.
            var error = error
            error.kind = .config
            error.message = "the tenant query of \(database.name) failed on \(source.name): \(error.message)"
            throw error
        }
        return try rows.enumerated().map { index, row in
            guard let name = row.first ?? nil else {
                throw ShoalError(.config, "the tenant query of \(database.name) returned a row \(index + 1) without a tenant name")
            }
            return Tenant(name: name, shard: row.count > 1 ? row[1] : nil)
        }
    }
}

extension Optional {
    /// The value, or `error` thrown.
    func unwrap(_ error: @autoclosure () -> some Error) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}
