extension FleetPlan {
    /// Lints the migrations this plan applies (the `up` steps of the targets
    /// that run, each migration once however many targets run it), database
    /// by database as each one's `lint` key says (SPEC §9.1): `off` skips
    /// it; `refuse` throws, naming every error finding that nothing allows,
    /// before anything runs; `warn` keeps those findings in ``lint``.
    /// Findings name files relative to the config's directory
    /// (`versions/app/…sql`).
    public mutating func lint(config: FleetConfig) throws {
        var revisions: [String: Set<String>] = [:]
        for (index, decision) in decisions.enumerated() {
            guard case .work(let plan) = decision, plan.kind == .steps else { continue }
            for step in plan.steps where step.direction == .up {
                revisions[targets[index].database, default: []].insert(step.migration.revision)
            }
        }
        var warned: [LintFinding] = []
        var refused: [LintFinding] = []
        for database in config.databases {
            guard database.settings.lint != .off, let selection = revisions[database.name], let graph = graphs[database.name]
            else { continue }
            let failing = Linter.lint(database: database.name, driver: database.driver, migrations: graph.migrations,
                                      selection: selection, displayPath: { FilePath.relative($0.path, to: config.directory) })
                .filter { $0.fails(strict: false) }
            if database.settings.lint == .refuse { refused += failing } else { warned += failing }
        }
        lint = warned
        guard !refused.isEmpty else { return }
        let list = refused.map { "\($0.file):\($0.line): \($0.rule.id): \($0.message)" }.joined(separator: "\n  ")
        throw ShoalError(.migrationFile,
                         "lint refuses this upgrade (\"lint\": \"refuse\"): \(refused.count == 1 ? "1 error" : "\(refused.count) errors") "
                             + "that nothing allows:\n  \(list)\nFix the migration, allow the rule with "
                             + "`-- shoal:allow RULE <reason>` above the statement (or `-- allow: RULE` in the header), "
                             + "or set \"lint\": \"warn\". Nothing ran.")
    }
}
