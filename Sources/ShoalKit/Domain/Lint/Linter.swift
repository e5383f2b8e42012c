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
            for statement in SQLScript.locatedStatements(migration.up) {
                let analysis = StatementAnalysis(statement.text)
                let line = migration.upLine + statement.line - 1
                let allowedHere = allowedRules(above: statement, in: migration, file: file)
                for rule in rules {
                    guard let message = rule.check(analysis, context) else { continue }
                    findings.append(LintFinding(
                        database: database, revision: migration.revision, file: file, line: line, rule: rule.rule,
                        severity: rule.rule.severity(in: migration.phase), message: message, statement: statement.text,
                        allowed: allowedHere.contains(rule.rule) || migration.allowedRules.contains(rule.rule)))
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

    /// The rules the `-- shoal:allow` comments directly above `statement` allow.
    private static func allowedRules(above statement: LocatedStatement, in migration: Migration, file: String) -> Set<LintRule> {
        var rules: Set<LintRule> = []
        for comment in statement.commentsAbove {
            // The parser has checked every allow comment of `up`; one that
            // names an unknown rule here (a Migration built in code) allows nothing.
            let named = (try? LintAllowance.comment(comment.text, file: file, lineNumber: migration.upLine + comment.line - 1)) ?? nil
            rules.formUnion(named ?? [])
        }
        return rules
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
