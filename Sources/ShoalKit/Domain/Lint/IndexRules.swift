/// Index builds and drops: without `CONCURRENTLY` they block the table's
/// writes (or all its use) for as long as they work; with it, they cannot
/// run in a transaction.
extension StaticRule {
    package static let requireConcurrentIndex = StaticRule(rule: .requireConcurrentIndex) { analysis, context in
        guard analysis.kind == .createIndex, !analysis.concurrently, let table = analysis.table, context.isExisting(table)
        else { return nil }
        return "CREATE \(analysis.unique ? "UNIQUE " : "")INDEX on existing table \(table) blocks writes to it for the whole build"
    }

    package static let requireConcurrentIndexDrop = StaticRule(rule: .requireConcurrentIndexDrop) { analysis, _ in
        guard analysis.kind == .dropIndex, !analysis.concurrently else { return nil }
        return "DROP INDEX \(analysis.index ?? "") takes ACCESS EXCLUSIVE on its table, which waits for every query on it and blocks the ones after"
    }

    package static let concurrentlyInTransaction = StaticRule(rule: .concurrentlyInTransaction) { analysis, context in
        guard analysis.concurrently, context.transactional else { return nil }
        let what: String
        switch analysis.kind {
        case .createIndex: what = "CREATE INDEX CONCURRENTLY"
        case .dropIndex: what = "DROP INDEX CONCURRENTLY"
        case .reindex: what = "REINDEX CONCURRENTLY"
        case .alterTable: what = "DETACH PARTITION CONCURRENTLY"
        default: return nil
        }
        let on = analysis.table.map { " on \($0)" } ?? analysis.index.map { " of \($0)" } ?? ""
        return "\(what)\(on) cannot run inside a transaction, and this migration runs in one"
    }
}
