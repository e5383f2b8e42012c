/// Renames and drops: the schema change is quick, but the application
/// version still running uses the old name and breaks.
extension StaticRule {
    package static let rename = StaticRule(rule: .rename) { analysis, context in
        alterActions(analysis, context) { action, table in
            switch action {
            case .renameColumn(let from, let to):
                return "renaming column \(table).\(from) to \(to) breaks the running code that uses the old name"
            case .renameTable(let to):
                return "renaming table \(table) to \(to) breaks the running code that uses the old name"
            default:
                return nil
            }
        }
    }

    package static let drop = StaticRule(rule: .drop) { analysis, context in
        if analysis.kind == .dropTable {
            let existing = analysis.tables.filter(context.isExisting)
            guard !existing.isEmpty else { return nil }
            let names = existing.map(\.description).joined(separator: ", ")
            return "dropping table\(existing.count == 1 ? "" : "s") \(names) breaks the running code that still uses \(existing.count == 1 ? "it" : "them"), and loses the data"
        }
        return alterActions(analysis, context) { action, table in
            guard case .dropColumn(let column) = action else { return nil }
            return "dropping column \(table).\(column) breaks the running code that still reads it, and loses the data"
        }
    }
}
