/// ``LintObserver``'s way through one database's migrations on the scratch
/// database: each migration applied statement by statement, as an upgrade
/// would (one transaction, or none for `transaction: false`), and the
/// statements of the observed ones watched with a ``RelationWatch``.
struct ObservedRun {
    let database: DatabaseConfig
    let session: any DatabaseSession
    let displayPath: @Sendable (Migration) -> String
    private(set) var statements: [StatementObservation] = []
    private(set) var findings: [LintFinding] = []

    init(database: DatabaseConfig, session: any DatabaseSession, displayPath: @escaping @Sendable (Migration) -> String) {
        self.database = database
        self.session = session
        self.displayPath = displayPath
    }

    /// Applies `migration`'s `up`; when `observing`, records each statement.
    /// A failure is thrown naming the migration's file, the statement's
    /// line and the revision.
    mutating func apply(_ migration: Migration, observing: Bool) async throws {
        let upStatements = UpStatement.statements(of: migration)
        guard !upStatements.isEmpty else { return }
        var current = upStatements[0]
        do {
            if migration.transactional {
                try await session.begin()
                do {
                    var watch = observing ? try await RelationWatch.start(on: session) : nil
                    for statement in upStatements {
                        current = statement
                        try await session.execute(statement.text)
                        if watch != nil { try await record(statement, of: migration, watch: &watch!, locksObserved: true) }
                    }
                    try await session.commit()
                } catch {
                    await session.rollback()
                    throw error
                }
            } else {
                var watch = observing ? try await RelationWatch.start(on: session) : nil
                for statement in upStatements {
                    current = statement
                    if watch == nil {
                        try await session.execute(statement.text)
                    } else {
                        try await applyAlone(statement, of: migration, watch: &watch!)
                    }
                }
            }
        } catch {
            throw failure(error, at: current, of: migration)
        }
    }

    /// A statement of a `transaction: false` migration, in a transaction of
    /// its own so that its locks can be read before it commits; a statement
    /// PostgreSQL refuses to run in one (`CREATE INDEX CONCURRENTLY`,
    /// `VACUUM`: it refuses before doing anything) runs outside, as an
    /// upgrade runs it, and its locks go unobserved.
    private mutating func applyAlone(_ statement: UpStatement, of migration: Migration, watch: inout RelationWatch) async throws {
        try await session.begin()
        do {
            try await session.execute(statement.text)
        } catch let error as ShoalError where error.failure?.refusesTransactionBlock == true {
            await session.rollback()
            try await session.execute(statement.text)
            try await record(statement, of: migration, watch: &watch, locksObserved: false)
            return
        } catch {
            await session.rollback()
            throw error
        }
        do {
            try await record(statement, of: migration, watch: &watch, locksObserved: true)
            try await session.commit()
        } catch {
            await session.rollback()
            throw error
        }
    }

    private mutating func record(_ statement: UpStatement, of migration: Migration, watch: inout RelationWatch,
                                 locksObserved: Bool) async throws {
        var observation = StatementObservation(database: database.name, revision: migration.revision, line: statement.line,
                                               statement: statement.text, locksObserved: locksObserved)
        try await watch.read(into: &observation, on: session)
        statements.append(observation)
        findings += ObservedRules.findings(for: observation, in: migration, file: displayPath(migration),
                                           allowed: statement.allowedRules)
    }

    /// `error` as the failure of `statement`: the file and line, the revision.
    private func failure(_ error: any Error, at statement: UpStatement, of migration: Migration) -> ShoalError {
        var failure = ShoalError(error)
        failure.message = "\(database.name) \(migration.revision) failed on the scratch database: \(failure.message)"
        failure.file = displayPath(migration)
        failure.line = statement.line
        failure.revision = migration.revision
        return failure
    }
}
