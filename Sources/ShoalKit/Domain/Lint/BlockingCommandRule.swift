/// Maintenance commands that hold a table (or more) locked while they work
/// through all of its data.
extension StaticRule {
    package static let blockingCommand = StaticRule(rule: .blockingCommand) { analysis, _ in
        let on = analysis.tables.isEmpty ? "" : " " + analysis.tables.map(\.description).joined(separator: ", ")
        switch analysis.kind {
        case .vacuum where analysis.full:
            return "VACUUM FULL\(on) rewrites \(on.isEmpty ? "every table" : "it") under ACCESS EXCLUSIVE: no reads or writes meanwhile"
        case .cluster:
            return "CLUSTER\(on) rewrites \(on.isEmpty ? "every clustered table" : "it") under ACCESS EXCLUSIVE: no reads or writes meanwhile"
        case .lockTable:
            return "LOCK TABLE\(on) blocks other sessions until the migration commits"
        case .reindex where !analysis.concurrently:
            return "REINDEX\(on) blocks writes to the table (and reads that use the index) for the whole rebuild"
        case .refreshMaterializedView where !analysis.concurrently:
            return "REFRESH MATERIALIZED VIEW\(on) blocks reads of the view for the whole refresh"
        default:
            return nil
        }
    }
}
