import ArgumentParser
import Foundation
import ShoalKit

struct SQLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Print the SQL of a path, version-table statements included, for offline review.",
        discussion: "RANGE is [FROM:]TO, e.g. `head`, `base:head`, `9d2a:5c1e`, or `head:base` for a downgrade. FROM defaults to base.")

    @Argument(help: "[FROM:]TO") var range: String
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("db"), help: "Database (optional when the config has one).") var database: String?

    func run() async throws {
        let fleet = try global.loadFleet(resolvingConnections: false)
        let db = try fleet.database(database)
        let graph = try fleet.graph(for: db)
        let plan = try Planner.range(range, graph: graph, database: db.name)
        let target = Self.reviewTarget(db)
        let context = ApplyContext.current
        var text = "-- shoal sql \(range) --db \(db.name): \(ReportText.revisions(plan.from)) -> \(ReportText.revisions(plan.to)), \(plan.steps.count) step(s)\n"
        if db.isMultiTenant {
            switch (db.driver, db.layout) {
            case (.postgres, .schema): text += "-- run once per tenant; \(db.schemaTemplate) stands for the tenant's schema\n"
            case (.postgres, .database): text += "-- run once per tenant, connected to the tenant's own database\n"
            case (.sqlite, _): text += "-- run once per tenant, on the tenant's own file (\(db.path ?? ""))\n"
            }
        }
        if plan.from.isEmpty {
            text += "\n" + VersionStore.offlineCreateTables(target: target, dialect: db.driver) + "\n"
        } else if let searchPath = VersionStore.offlineSearchPath(target: target, dialect: db.driver) {
            text += "\n" + searchPath + "\n"
        }
        for step in plan.steps {
            text += "\n" + VersionStore.offlineSQL(for: step, target: target, context: context, dialect: db.driver) + "\n"
        }
        if global.json {
            struct Document: Encodable { var database: String; var from: [String]; var to: [String]; var steps: [String]; var sql: String }
            try Console.json(Document(database: db.name, from: plan.from, to: plan.to, steps: plan.steps.map(\.revision), sql: text))
        } else {
            Console.write(text, toStderr: false)
        }
    }

    /// A stand-in target for review: version tables named as configured,
    /// in the schema template for schema-per-tenant databases.
    static func reviewTarget(_ db: DatabaseConfig) -> Target {
        let location: TargetLocation = switch db.driver {
        case .sqlite: .sqlite(path: db.path ?? "")
        case .postgres: .postgres(url: "", schema: db.isMultiTenant && db.layout == .schema ? db.schemaTemplate : nil)
        }
        return Target(id: db.name, database: db.name, driver: db.driver, location: location, versionTable: db.versionTable)
    }
}
