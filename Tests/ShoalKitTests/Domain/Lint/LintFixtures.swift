import ShoalTestSupport
@testable import ShoalKit

/// Lints one migration file built from its parts, as `shoal lint` would
/// read it from `versions/app/aaaa0001_lint.sql` (its `up` starts on line 4
/// when the file has no header but `revision`).
func lintFindings(_ up: String, driver: DriverKind = .postgres, transactional: Bool = true, phase: String? = nil,
                  allow: [String] = [], down: String? = nil) throws -> [LintFinding] {
    let file = MigrationFile(revision: "aaaa0001", up: up, down: down, transactional: transactional, phase: phase, allow: allow)
    let migration = try MigrationParser.parse(file.text, path: "/fleet/versions/app/aaaa0001_lint.sql")
    return Linter.lint(database: "app", driver: driver, migrations: [migration])
}

/// The ids of the rules `up` breaks, in finding order.
func lintRules(_ up: String, driver: DriverKind = .postgres, transactional: Bool = true) throws -> [String] {
    try lintFindings(up, driver: driver, transactional: transactional).map(\.rule.id)
}
