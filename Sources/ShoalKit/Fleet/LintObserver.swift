/// `shoal lint --observe` (SPEC §9.2): rules read text, PostgreSQL's own
/// behaviour is the truth. The observer builds a scratch database, applies
/// every migration of a database from `base` in graph order, and watches
/// the statements of the selected migrations one at a time: the locks each
/// one holds, the tables and indexes it rewrites, the tables it reads in
/// full. The scratch database is dropped afterwards, also after a failure
/// or a cancelled task; nothing outside it is touched.
///
/// ```swift
/// let database = try fleet.database("app")
/// let observation = try await LintObserver(fleet: fleet)
///     .observe(database, graph: try fleet.graph(for: database))
/// for finding in observation.findings { print(finding.file, finding.line, finding.rule.id) }
/// ```
public struct LintObserver: Sendable {
    public let fleet: Fleet

    public init(fleet: Fleet) {
        self.fleet = fleet
    }

    /// Observes `database`'s migrations (`graph`, from ``Fleet/graph(for:)``)
    /// and returns every statement of the migrations in `selection` (nil:
    /// all of them) with what it did, and the findings of the `observed-*`
    /// rules. `displayPath` names a migration's file in findings and errors
    /// (`versions/app/…sql`; default: its absolute path), as in ``Linter``.
    ///
    /// The scratch database `shoal_scratch_<random>` is created on the
    /// database's `scratch_url`, or else on the server of its first target;
    /// a multi-tenant database's migrations run in a schema named by its
    /// template, as a tenant's would.
    ///
    /// Throws, with kind `.config` (the CLI exits 2), when the server cannot
    /// be reached or the role may not create a database, naming the server
    /// or the role and the `scratch_url` key; with kind `.usage` for a
    /// SQLite database; with the failing statement's file and line when a
    /// migration fails on the scratch database; with kind `.interrupted`
    /// when the task is cancelled.
    public func observe(_ database: DatabaseConfig, graph: RevisionGraph, selection: Set<String>? = nil,
                        displayPath: @escaping @Sendable (Migration) -> String = { $0.path }) async throws -> LintObservation {
        try await observe(database, graph: graph, selection: selection, displayPath: displayPath,
                          scratchName: PostgresScratchDatabase.newName())
    }

    /// ``observe(_:graph:selection:displayPath:)`` in a scratch database
    /// named `scratchName` (tests check that it is gone afterwards).
    package func observe(_ database: DatabaseConfig, graph: RevisionGraph, selection: Set<String>?,
                         displayPath: @escaping @Sendable (Migration) -> String, scratchName: String) async throws -> LintObservation {
        guard database.driver == .postgres else {
            throw ShoalError(.usage, "`--observe` watches PostgreSQL apply migrations; \(database.name) is a \(database.driver.rawValue) database")
        }
        return try await ScratchTarget.with(database, fleet: fleet, command: "`shoal lint --observe`", postgresName: scratchName) { scratch in
            var run = ObservedRun(database: database, session: scratch.session, displayPath: displayPath)
            for migration in graph.migrations {
                try await run.apply(migration, observing: selection?.contains(migration.revision) ?? true)
            }
            return LintObservation(statements: run.statements, findings: run.findings)
        }
    }
}

/// What ``LintObserver`` saw: every statement of the selected migrations,
/// in order, and the findings they gave.
public struct LintObservation: Sendable, Hashable {
    /// One per statement of the selection, finding or not (`--observe
    /// --json` lists them under `"statements"`).
    public var statements: [StatementObservation]
    /// The `observed-*` findings, in statement order.
    public var findings: [LintFinding]

    public init(statements: [StatementObservation], findings: [LintFinding]) {
        self.statements = statements
        self.findings = findings
    }
}
