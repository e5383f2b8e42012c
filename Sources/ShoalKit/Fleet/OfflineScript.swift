/// The SQL `shoal sql` prints for a revision range, for review or for a DBA
/// to run by hand on a target at FROM: each step with the version-table
/// statements a live run makes, values inlined. Touches no database; the
/// statements come from the driver's offline SQL
/// (``VersionStore/offlineSQL(for:target:context:dialect:)``).
package struct OfflineScript: Sendable {
    /// The steps, from FROM's version rows to TO's.
    package let plan: Plan
    /// The script: how to run it on a tenant, the version tables (from
    /// base) or the tenant schema's search path, then every step.
    package let text: String

    /// Plans `range` (``Planner/range(_:graph:database:)``) on `database`'s
    /// `graph`; `context` is who the history rows say applied the steps.
    package init(range: String, database: DatabaseConfig, graph: RevisionGraph, context: ApplyContext) throws {
        plan = try Planner.range(range, graph: graph, database: database.name)
        text = Self.render(plan, database: database, context: context)
    }

    private static func render(_ plan: Plan, database db: DatabaseConfig, context: ApplyContext) -> String {
        let target = reviewTarget(db)
        var text = ""
        if db.isMultiTenant {
            switch (db.driver, db.layout) {
            case (.postgres, .schema): text += "-- run once per tenant; \(db.schemaTemplate) stands for the tenant's schema\n"
            case (.postgres, .database): text += "-- run once per tenant, connected to the tenant's own database\n"
            case (.sqlite, _): text += "-- run once per tenant, on the tenant's own file (\(db.path ?? ""))\n"
            }
        }
        if db.driver == .postgres {
            text += roleStatements(db)
        }
        if plan.from.isEmpty {
            text += "\n" + VersionStore.offlineCreateTables(target: target, dialect: db.driver) + "\n"
        } else if let searchPath = VersionStore.offlineSearchPath(target: target, dialect: db.driver) {
            text += "\n" + searchPath + "\n"
        }
        for step in plan.steps {
            text += "\n" + VersionStore.offlineSQL(for: step, target: target, context: context, dialect: db.driver) + "\n"
        }
        return text
    }

    /// `SET ROLE` to the database's `role` (SPEC §14), so that what the
    /// script creates belongs to it as in a live run; a shard with a role of
    /// its own gets a comment saying which to use there.
    private static func roleStatements(_ db: DatabaseConfig) -> String {
        var text = ""
        if let role = db.settings.role {
            text += "\nSET ROLE \(VersionTableSQL.quote(role));\n"
        }
        for shard in db.shards {
            guard let role = shard.role, role != db.settings.role else { continue }
            let how = db.settings.role == nil ? "first" : "instead"
            text += "-- on shard \(shard.name): SET ROLE \(VersionTableSQL.quote(role)); \(how)\n"
        }
        return text
    }

    /// A stand-in target for review: version tables named as configured,
    /// in the schema template for schema-per-tenant databases.
    private static func reviewTarget(_ db: DatabaseConfig) -> Target {
        let location: TargetLocation = switch db.driver {
        case .sqlite: .sqlite(path: db.path ?? "")
        case .postgres: .postgres(url: "", schema: db.isMultiTenant && db.layout == .schema ? db.schemaTemplate : nil)
        }
        return Target(id: db.name, database: db.name, driver: db.driver, location: location, versionTable: db.versionTable)
    }
}
