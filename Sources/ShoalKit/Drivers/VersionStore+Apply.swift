import Foundation

extension VersionStore {
    /// Runs one step and records it; returns the milliseconds its SQL and
    /// verify section took.
    ///
    /// A transactional migration runs in one transaction (BEGIN IMMEDIATE on
    /// SQLite): the version rows and dirty mark are read again and compared
    /// with `step.versionsBefore` (a mismatch, or a dirty mark, rolls back and
    /// throws kind `.locked`, "changed by another run", so the fleet can
    /// re-plan), then the step's SQL, the verify section (upgrades only; a
    /// first column that is false, 0 or NULL, or no row, throws kind
    /// `.verification`), the version rows and the history row, then COMMIT.
    /// Any failure rolls everything back.
    ///
    /// A `transaction: false` migration marks the target dirty in a short
    /// transaction (after the same check), runs its statements one by one in
    /// autocommit, verifies, then in one transaction writes the version rows
    /// and history row and deletes the mark. A failure after the mark leaves
    /// it in place: the thrown error keeps its kind, SQLSTATE and detail, and
    /// its message says the target is dirty and to run `shoal stamp`.
    ///
    /// Every thrown error is a ``ShoalError`` with `revision` set.
    nonisolated(nonsending) package func apply(_ step: PlanStep, context: ApplyContext) async throws -> Int {
        let sql = await tables()
        do {
            if step.migration.transactional {
                return try await applyInTransaction([step], sql: sql, context: context)[0]
            }
            return try await applyOutsideTransaction(step, sql: sql, context: context)
        } catch {
            var shoalError = Self.shoalError(error)
            if shoalError.revision == nil { shoalError.revision = step.revision }
            throw shoalError
        }
    }

    /// Runs `steps`, all transactional and in order, in ONE transaction
    /// (`--transaction per-target`, SPEC §13) and records each; returns the
    /// milliseconds each step's SQL and verify section took.
    ///
    /// As ``apply(_:context:)`` does for one step: the version rows and
    /// dirty mark are checked once, against the first step's
    /// `versionsBefore`; then each step's SQL and verify section; then every
    /// step's version rows and history row, and COMMIT. Any failure rolls
    /// the whole group back, so none of it is applied; the error names the
    /// step that failed (a failed COMMIT, the last step).
    nonisolated(nonsending) package func apply(group steps: [PlanStep], context: ApplyContext) async throws -> [Int] {
        precondition(steps.allSatisfy(\.migration.transactional), "a transaction: false migration runs alone")
        guard let last = steps.last else { return [] }
        do {
            return try await applyInTransaction(steps, sql: await tables(), context: context)
        } catch {
            var shoalError = Self.shoalError(error)
            // BEGIN (and the check under it) comes before the first step;
            // COMMIT after the last.
            if shoalError.revision == nil {
                shoalError.revision = shoalError.failure?.phase == .begin ? steps[0].revision : last.revision
            }
            throw shoalError
        }
    }

    /// BEGIN with the check's read, and the version rows with COMMIT, each
    /// go to the server together (one round trip each on PostgreSQL; see
    /// ``DatabaseSession/beginAndQuery(_:)``). A failing step's error is
    /// given its revision.
    nonisolated(nonsending) private func applyInTransaction(_ steps: [PlanStep], sql: VersionTableSQL,
                                                            context: ApplyContext) async throws -> [Int] {
        let rows: [[String?]]
        do {
            rows = try await session.beginAndQuery(sql.selectDirtyAndVersions)
        } catch {
            await session.rollback()
            throw Self.phase(.begin, of: target, error)
        }
        do {
            let (dirty, current) = Self.dirtyMarkAndVersions(rows)
            try checkUnchanged(steps[0], dirty: dirty, current: current)
            var durations: [Int] = []
            var records: [BoundStatement] = []
            for step in steps {
                do {
                    let clock = ContinuousClock()
                    let started = clock.now
                    if !isBlank(step.sql) {
                        try await during(.step) { try await session.execute(step.sql) }
                    }
                    try await verify(step)
                    durations.append(milliseconds(clock.now - started))
                } catch {
                    var shoalError = Self.shoalError(error)
                    if shoalError.revision == nil { shoalError.revision = step.revision }
                    throw shoalError
                }
                records += recordStatements(step, sql: sql, durationMs: durations[durations.count - 1], context: context)
            }
            try await during(.commit) {
                try await session.executeAndCommit(records)
            }
            return durations
        } catch {
            await session.rollback()
            throw error
        }
    }

    nonisolated(nonsending) private func applyOutsideTransaction(_ step: PlanStep, sql: VersionTableSQL, context: ApplyContext) async throws -> Int {
        try await transaction(sql) {
            let (dirty, current) = Self.dirtyMarkAndVersions(try await session.query(sql.selectDirtyAndVersions))
            try checkUnchanged(step, dirty: dirty, current: current)
            _ = try await session.query(sql.insertDirty, [step.revision, step.operation.rawValue, Timestamp.string()])
        }
        do {
            let clock = ContinuousClock()
            let started = clock.now
            try await during(.step) {
                for statement in SQLScript.split(step.sql) {
                    try await session.execute(statement)
                }
            }
            try await verify(step)
            let durationMs = milliseconds(clock.now - started)
            try await transaction(sql) {
                try await during(.commit) {
                    for statement in recordStatements(step, sql: sql, durationMs: durationMs, context: context) {
                        _ = try await session.query(statement.sql, statement.parameters)
                    }
                    _ = try await session.query(sql.deleteDirty, [step.revision])
                }
            }
            return durationMs
        } catch {
            var shoalError = Self.shoalError(error)
            shoalError.revision = step.revision
            shoalError.message += """
                 (\(target.id) is now dirty: \(step.revision) runs outside a transaction and stopped partway; \
                check the target, then run `shoal stamp` with the revision it is really at)
                """
            throw shoalError
        }
    }

    /// Inside the step's transaction, after the write lock is taken: the
    /// version rows must still be the ones the plan started from, and no
    /// `transaction: false` migration may be in flight.
    private func checkUnchanged(_ step: PlanStep, dirty: DirtyMark?, current: [String]) throws {
        if let mark = dirty {
            throw ShoalError(.dirty, """
                \(target.id) is dirty: \(mark.operation.rawValue) of \(mark.revision) started at \(mark.startedAt) \
                outside a transaction and has not finished
                """, revision: step.revision,
                hint: "if no other run is applying it, check the target, then run `shoal stamp` with the revision it is at")
        }
        let expected = step.versionsBefore.sorted()
        guard current == expected else {
            throw ShoalError(.locked, """
                the version table of \(target.id) was changed by another run: expected \(describe(expected)), \
                found \(describe(current))
                """, revision: step.revision, hint: "run the command again; shoal re-plans from the current revisions")
        }
    }

    /// Runs the verify section of an upgrade; throws `.verification` unless
    /// its first row's first column is true.
    nonisolated(nonsending) private func verify(_ step: PlanStep) async throws {
        guard step.direction == .up, let verify = step.migration.verify, !isBlank(verify) else { return }
        let rows = try await during(.verify) { try await session.query(verify) }
        guard let row = rows.first else {
            throw ShoalError(.verification, "verify section of \(step.revision) returned no row", revision: step.revision)
        }
        let value = row.first ?? nil
        guard Self.isTrue(value) else {
            throw ShoalError(.verification,
                             "verify section of \(step.revision) returned \(value ?? "NULL"), not true",
                             revision: step.revision,
                             detail: "verify: \(SQLiteConnection.snippet(verify))")
        }
    }

    /// The statements that record a step that has run: its version rows
    /// and its history row.
    private func recordStatements(_ step: PlanStep, sql: VersionTableSQL, durationMs: Int,
                                  context: ApplyContext) -> [BoundStatement] {
        step.removeVersions.map { BoundStatement(sql.deleteVersion, [$0]) }
            + step.addVersions.map { BoundStatement(sql.insertVersion, [$0]) }
            + [Self.historyStatement(sql, revision: step.revision, operation: step.operation,
                                     checksum: step.migration.checksum, appliedAt: Timestamp.string(),
                                     durationMs: durationMs, context: context)]
    }

    /// False for NULL, `0` (any numeric zero), `f` and `false`.
    static func isTrue(_ value: String?) -> Bool {
        guard let value else { return false }
        let text = value.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "f" || text == "false" { return false }
        if let number = Double(text), number == 0 { return false }
        return true
    }

    private func isBlank(_ sql: String) -> Bool {
        SQLScript.isEmpty(sql)
    }

    private func describe(_ revisions: [String]) -> String {
        revisions.isEmpty ? "base" : revisions.joined(separator: ", ")
    }

    private func milliseconds(_ duration: Duration) -> Int {
        Int((duration / .milliseconds(1)).rounded())
    }
}
