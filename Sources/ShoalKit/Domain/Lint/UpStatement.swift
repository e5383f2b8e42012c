/// One statement of a migration's `up`, as ``SQLScript/locatedStatements(_:)``
/// cuts it, with the file line an editor can jump to and the rules its
/// `-- shoal:allow` comments allow: what `shoal lint` reports on, by rule
/// (``Linter``) and by running it (`--observe`).
package struct UpStatement: Sendable, Hashable {
    /// The statement from its first code to its end, without the final `;`
    /// (the comment lines above it are not part of it).
    package var text: String
    /// 1-based line of the file where the statement's code starts (after
    /// the comments above it).
    package var line: Int
    /// The rules of the `-- shoal:allow` comments directly above the statement.
    package var allowedRules: Set<LintRule>

    /// The statements of `migration.up`, in order. ``MigrationParser`` has
    /// checked every allow comment of a migration read from a file; one
    /// that names an unknown rule (a `Migration` built in code) allows nothing.
    package static func statements(of migration: Migration) -> [UpStatement] {
        SQLScript.locatedStatements(migration.up).map { statement in
            var allowed: Set<LintRule> = []
            for comment in statement.commentsAbove {
                let line = migration.upLine + comment.line - 1
                allowed.formUnion(((try? LintAllowance.comment(comment.text, file: migration.path, lineNumber: line)) ?? nil) ?? [])
            }
            return UpStatement(text: statement.text, line: migration.upLine + statement.line - 1, allowedRules: allowed)
        }
    }
}
