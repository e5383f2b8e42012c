import Foundation

extension VersionStore {
    /// The SQL `shoal sql` prints for one step, for offline review: the
    /// step's SQL, then the version-table statements with every value inlined
    /// as an escaped literal, all in BEGIN/COMMIT. A `transaction: false` step
    /// instead sets the dirty mark, runs its SQL outside a transaction, and
    /// records the versions and clears the mark in BEGIN/COMMIT, as
    /// ``apply(_:context:)`` does. The verify section is shown as a comment
    /// (plain SQL cannot roll back on its result); timestamps are computed by
    /// the database when the script runs, and `duration_ms` is 0.
    ///
    /// Pure: needs no session.
    package static func offlineSQL(for step: PlanStep, target: Target, context: ApplyContext, dialect: DriverKind) -> String {
        let sql = VersionTableSQL(target: target, dialect: dialect, quote: VersionTableSQL.quote)
        let literal = VersionTableSQL.literal
        let transactional = step.migration.transactional
        var lines: [String] = []

        var header = "-- \(step.operation.rawValue) \(step.revision)"
        if let message = step.migration.message, !message.isEmpty {
            header += ": " + message.split(whereSeparator: \.isNewline).joined(separator: " ")
        }
        lines.append(header)
        if transactional {
            lines.append(sql.begin + ";")
        } else {
            lines.append("-- transaction: false: runs outside a transaction, one statement at a time")
            lines.append(VersionTableSQL.inline(sql.insertDirty, [
                literal(step.revision), literal(step.operation.rawValue), sql.nowExpression,
            ]) + ";")
        }

        let body = step.sql.trimmingCharacters(in: .whitespacesAndNewlines)
        if SQLScript.split(body).isEmpty {
            lines.append("-- (no SQL)")
        } else {
            lines.append(body.hasSuffix(";") ? body : body + "\n;")
        }
        if step.direction == .up, let verify = step.migration.verify,
           !SQLScript.split(verify).isEmpty {
            lines.append("-- verify (shoal rolls back unless its first column is true):")
            lines.append(contentsOf: verify.trimmingCharacters(in: .whitespacesAndNewlines)
                .split(separator: "\n", omittingEmptySubsequences: false).map { "-- " + $0 })
        }

        if !transactional {
            lines.append(sql.begin + ";")
        }
        for revision in step.removeVersions {
            lines.append(VersionTableSQL.inline(sql.deleteVersion, [literal(revision)]) + ";")
        }
        for revision in step.addVersions {
            lines.append(VersionTableSQL.inline(sql.insertVersion, [literal(revision)]) + ";")
        }
        // No run_id: the script belongs to no run, and runs on history
        // tables created before run ids as well.
        lines.append(VersionTableSQL.inline(sql.insertHistoryOutsideRun, [
            literal(step.revision), literal(step.operation.rawValue), literal(step.migration.checksum),
            historyTimestamp(sql), "0", literal(context.appliedBy), literal(context.shoalVersion),
        ]) + ";")
        if !transactional {
            lines.append(VersionTableSQL.inline(sql.deleteDirty, [literal(step.revision)]) + ";")
        }
        lines.append("COMMIT;")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The CREATE TABLE statements of the version, history and dirty tables,
    /// for `shoal sql`. For a schema-per-tenant target, the schema is
    /// created first and made the search path right after, so the
    /// migrations' own unqualified names land in it, as in a live run.
    package static func offlineCreateTables(target: Target, dialect: DriverKind) -> String {
        let sql = VersionTableSQL(target: target, dialect: dialect, quote: VersionTableSQL.quote)
        let statements = [sql.createSchema, sql.setSearchPath].compactMap { $0 } + sql.createVersionTables
        return statements.map { $0 + ";\n" }.joined()
    }

    /// `SET search_path` to a schema-per-tenant target's schema, for a
    /// `shoal sql` script that starts past `base` (the schema exists) and so
    /// prints no ``offlineCreateTables(target:dialect:)``; nil for other
    /// targets, whose names resolve as in a live run without it.
    package static func offlineSearchPath(target: Target, dialect: DriverKind) -> String? {
        VersionTableSQL(target: target, dialect: dialect, quote: VersionTableSQL.quote).setSearchPath.map { $0 + ";\n" }
    }

    /// `applied_at` computed when the script runs: text on SQLite, a
    /// timestamptz on PostgreSQL.
    private static func historyTimestamp(_ sql: VersionTableSQL) -> String {
        sql.dialect == .postgres ? "now()" : sql.nowExpression
    }
}
