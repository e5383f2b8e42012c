import Foundation

/// A target's version tables (SPEC §5), read and written through any
/// ``DatabaseSession``.
///
/// The dialect comes from `session.driver`. Table names come from
/// `target.versionTable` (and its `_history` and `_dirty` tables), always
/// quoted with `session.quoteIdentifier`; on a PostgreSQL target with a schema
/// they are qualified (`"tenant_acme"."shoal_version"`). Timestamps are UTC,
/// ISO 8601 with milliseconds (`2026-11-26T17:47:55.123Z`), in both dialects.
///
/// ```swift
/// let store = VersionStore(session: session, target: target)
/// try await store.ensureTables()
/// let state = try await store.readState()
/// for step in plan.steps { _ = try await store.apply(step, context: context) }
/// ```
package struct VersionStore: Sendable {
    /// The session the tables are read and written through.
    package let session: any DatabaseSession
    /// The target whose tables these are.
    package let target: Target

    /// A store for `target`'s tables over `session` (nothing is read yet).
    package init(session: any DatabaseSession, target: Target) {
        self.session = session
        self.target = target
    }

    /// Creates the version, history and dirty tables if they do not exist.
    /// Idempotent.
    nonisolated(nonsending) package func ensureTables() async throws {
        let sql = await tables()
        // In one transaction: a run interrupted between two of the CREATEs
        // (a second SIGINT) would leave a target with a version table but no
        // dirty table, which later runs take for initialized.
        try await transaction(sql) {
            try await session.execute(sql.createTables.joined(separator: ";\n"))
        }
    }

    /// Reads the tables without creating them: `VersionState.uninitialized`
    /// when the version table is missing. `appliedChecksums` holds, for each
    /// revision whose latest history row is an upgrade or a stamp with a
    /// checksum, that checksum; `dirty` is the dirty mark, if any. The
    /// driver's read of many targets, for this one
    /// (``DatabaseSession/readVersionStates(of:checksums:expected:)``).
    nonisolated(nonsending) package func readState() async throws -> VersionState {
        try await session.readVersionStates(of: [target], checksums: true, expected: [:])[0]
    }

    /// Sets the version rows to `revisions` without running any migration SQL
    /// (adopting an existing database, or settling a dirty target), in one
    /// transaction that also creates the tables if needed: replaces every
    /// version row, clears the dirty mark, and writes one `stamp` history row
    /// per revision with `checksums[revision]`, or, for an empty set, one row
    /// for `base` with no checksum.
    nonisolated(nonsending) package func stamp(to revisions: [String], checksums: [String: String], context: ApplyContext) async throws {
        let sql = await tables()
        let unique = Array(Set(revisions)).sorted()
        let now = Timestamp.string()
        try await transaction(sql) {
            try await session.execute(sql.createTables.joined(separator: ";\n"))
            try await session.execute(sql.deleteAllVersions)
            for revision in unique {
                _ = try await session.query(sql.insertVersion, [revision])
            }
            try await session.execute(sql.deleteAllDirty)
            let rows: [(String, String?)] = unique.isEmpty ? [("base", nil)] : unique.map { ($0, checksums[$0]) }
            for (revision, checksum) in rows {
                try await insertHistory(sql, revision: revision, operation: .stamp, checksum: checksum,
                                        appliedAt: now, durationMs: 0, context: context)
            }
        }
    }

    /// Adds `run_id` to a history table created before run ids (SPEC §11),
    /// keeping every row (theirs NULL). Call it under the target's migrator
    /// lock, after a read that says ``VersionState/historyLacksRunID``: on
    /// SQLite it fails if the column is there.
    nonisolated(nonsending) package func addRunIDColumn() async throws {
        try await session.execute(await tables().addRunIDColumn)
    }

    /// History rows, newest first (by id), at most `limit` of them; `[]`
    /// when the history table does not exist. A table created before run
    /// ids is read as it is, its rows without a run id.
    nonisolated(nonsending) package func history(limit: Int?) async throws -> [HistoryEntry] {
        let sql = await tables()
        let existing = try await existingTables(sql)
        guard existing.history else { return [] }
        return try await session.query(sql.selectHistory(limit: limit, runIDColumn: existing.historyRunID)).map { row in
            guard row.count == 9, let entry = Self.historyEntry({ row[$0] }) else {
                throw Self.unexpectedRow(row, in: sql.history, of: target)
            }
            return entry
        }
    }

    /// A history row from the columns of ``VersionTableSQL/selectHistory(limit:runIDColumn:)``,
    /// `column(0)` to `column(8)` (nil for NULL); nil when one does not parse.
    static func historyEntry(_ column: (Int) -> String?) -> HistoryEntry? {
        guard let id = column(0).flatMap({ Int($0) }), let revision = column(1),
              let operation = column(2).flatMap(Operation.init(rawValue:)), let appliedAt = column(4),
              let duration = column(5).flatMap({ Int($0) }), let appliedBy = column(6), let version = column(7) else {
            return nil
        }
        return HistoryEntry(id: id, revision: revision, operation: operation, checksum: column(3),
                            appliedAt: appliedAt, durationMs: duration, appliedBy: appliedBy, shoalVersion: version,
                            runID: column(8))
    }

    /// The error for a history row shoal cannot read.
    static func unexpectedRow(_ row: [String?], in table: String, of target: Target) -> ShoalError {
        ShoalError(.database, "unexpected row in \(table) of \(target.id): \(row.map { $0 ?? "NULL" })",
                   hint: "the history table was changed by hand or by another tool")
    }

    // MARK: - Shared with the apply and offline extensions

    /// The statements for this session's dialect, names quoted by the session.
    nonisolated(nonsending) func tables() async -> VersionTableSQL {
        let session = session
        return VersionTableSQL(target: target, dialect: await session.driver) { session.quoteIdentifier($0) }
    }

    nonisolated(nonsending) func existingTables(_ sql: VersionTableSQL) async throws
        -> (version: Bool, history: Bool, dirty: Bool, historyRunID: Bool) {
        let (query, parameters) = sql.existingTablesQuery
        return sql.existing(in: try await session.query(query, parameters))
    }

    /// The dirty mark and the sorted version rows from the rows of
    /// ``VersionTableSQL/selectDirtyAndVersions``.
    static func dirtyMarkAndVersions(_ rows: [[String?]]) -> (DirtyMark?, [String]) {
        var mark: DirtyMark?
        var versions: [String] = []
        for row in rows where row.count == 4 {
            if row[0] == "dirty" {
                mark = Self.dirtyMark(row[1...])
            } else if let revision = row[1] {
                versions.append(revision)
            }
        }
        return (mark, versions.sorted())
    }

    /// A dirty mark from its revision, operation and started_at columns.
    private static func dirtyMark(_ columns: ArraySlice<String?>) -> DirtyMark? {
        let columns = Array(columns)
        guard columns.count == 3, let revision = columns[0], let startedAt = columns[2] else { return nil }
        // An operation this version does not know still marks the target dirty.
        let operation = columns[1].flatMap(Operation.init(rawValue:)) ?? .upgrade
        return DirtyMark(revision: revision, operation: operation, startedAt: startedAt)
    }

    nonisolated(nonsending) func insertHistory(_ sql: VersionTableSQL, revision: String, operation: Operation, checksum: String?,
                       appliedAt: String, durationMs: Int, context: ApplyContext) async throws {
        let statement = Self.historyStatement(sql, revision: revision, operation: operation, checksum: checksum,
                                              appliedAt: appliedAt, durationMs: durationMs, context: context)
        _ = try await session.query(statement.sql, statement.parameters)
    }

    /// The history row's INSERT with its parameters, in the order
    /// ``VersionTableSQL/insertHistory`` numbers them.
    static func historyStatement(_ sql: VersionTableSQL, revision: String, operation: Operation, checksum: String?,
                                 appliedAt: String, durationMs: Int, context: ApplyContext) -> BoundStatement {
        BoundStatement(sql.insertHistory, [
            revision, operation.rawValue, checksum, appliedAt, String(durationMs),
            context.appliedBy, context.shoalVersion, context.runID,
        ])
    }

    /// Runs `body` between BEGIN (IMMEDIATE on SQLite) and COMMIT; on any
    /// error rolls back and rethrows. A failed BEGIN or COMMIT says so.
    nonisolated(nonsending) func transaction<T: Sendable>(_ sql: VersionTableSQL, _ body: nonisolated(nonsending) () async throws -> T) async throws -> T {
        do {
            try await session.begin()
        } catch {
            throw Self.phase(.begin, of: target, error)
        }
        do {
            let result = try await body()
            do {
                try await session.commit()
            } catch {
                throw Self.phase(.commit, of: target, error)
            }
            return result
        } catch {
            await session.rollback()
            throw error
        }
    }

    /// `error` as a ``ShoalError`` of a transaction's `.begin` or `.commit`
    /// phase, its message prefixed with the statement that failed (lock
    /// contention keeps its own message).
    static func phase(_ phase: DatabaseFailure.Phase, of target: Target, _ error: any Error) -> ShoalError {
        var shoalError = shoalError(error).during(phase)
        if shoalError.kind != .locked && shoalError.kind != .interrupted {
            shoalError.message = "\(phase == .commit ? "COMMIT" : "BEGIN") failed on \(target.id): \(shoalError.message)"
        }
        return shoalError
    }

    /// Runs `body`; a database failure it throws is tagged with `phase`.
    nonisolated(nonsending) func during<T: Sendable>(_ phase: DatabaseFailure.Phase,
                                                    _ body: nonisolated(nonsending) () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw Self.shoalError(error).during(phase)
        }
    }

    /// Any error as a ``ShoalError`` (cancellation becomes `.interrupted`).
    static func shoalError(_ error: any Error) -> ShoalError {
        switch error {
        case let error as ShoalError: error
        case is CancellationError: ShoalError(.interrupted, "the run was cancelled")
        default: ShoalError(.database, String(describing: error))
        }
    }
}
