/// `shoal lint`'s static half (SPEC §9.1): reads the `up` sections of a
/// database's migrations statement by statement and applies every static
/// rule for its driver. No I/O: the migrations are already parsed.
///
/// ```swift
/// let graph = try fleet.graph(for: db)
/// let findings = Linter.lint(database: db.name, driver: db.driver, migrations: graph.migrations,
///                            selection: Linter.selection(since: "9d2a", in: graph))
/// findings.contains { $0.fails(strict: false) }
/// ```
public enum Linter {
    /// The findings of `migrations` (in graph order), in file order: by
    /// migration, then by line. With a `selection`, only the migrations whose
    /// revision it holds are linted. `displayPath` names a migration's file
    /// in findings (default: its absolute path).
    public static func lint(database: String, driver: DriverKind, migrations: [Migration],
                            selection: Set<String>? = nil,
                            displayPath: (Migration) -> String = \.path) -> [LintFinding] {
        let rules = StaticRule.rules(for: driver)
        var findings: [LintFinding] = []
        for migration in migrations where selection?.contains(migration.revision) ?? true {
            let file = displayPath(migration)
            var context = StatementContext(transactional: migration.transactional)
            for statement in UpStatement.statements(of: migration) {
                let analysis = StatementAnalysis(statement.text)
                for rule in rules {
                    guard let message = rule.check(analysis, context) else { continue }
                    findings.append(LintFinding(
                        database: database, revision: migration.revision, file: file, line: statement.line, rule: rule.rule,
                        severity: rule.rule.severity(in: migration.phase), message: message,
                        help: rule.rule.help(in: migration.phase), statement: statement.text,
                        allowed: statement.allowedRules.contains(rule.rule) || migration.allowedRules.contains(rule.rule)))
                }
                record(analysis, in: &context)
            }
        }
        return findings
    }

    /// `--since REV`: the revisions that are neither `revision` nor one of
    /// its ancestors, what a branch adds on top of it.
    public static func selection(since revision: String, in graph: RevisionGraph) -> Set<String> {
        Set(graph.migrations.map(\.revision)).subtracting(graph.ancestors(of: [revision], inclusive: true))
    }

    /// Remembers the tables a statement creates (or renames a created one
    /// to), so that later statements treat them as new.
    private static func record(_ analysis: StatementAnalysis, in context: inout StatementContext) {
        if analysis.kind == .createTable, let table = analysis.table {
            context.createdTables.append(table)
        }
        if let table = analysis.table, !context.isExisting(table) {
            for case .renameTable(let name) in analysis.actions {
                context.createdTables.append(TableName(schema: table.schema, name: name))
            }
        }
    }
}
