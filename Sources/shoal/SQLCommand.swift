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
        let script = try OfflineScript(range: range, database: db, graph: graph, context: .current)
        let plan = script.plan
        let text = "-- shoal sql \(range) --db \(db.name): \(ReportText.revisions(plan.from)) -> \(ReportText.revisions(plan.to)), \(plan.steps.count) step(s)\n"
            + script.text
        if global.json {
            struct Document: Encodable { var database: String; var from: [String]; var to: [String]; var steps: [String]; var sql: String }
            try Console.json(Document(database: db.name, from: plan.from, to: plan.to, steps: plan.steps.map(\.revision), sql: text))
        } else {
            Console.write(text, toStderr: false)
        }
    }
}
