import Foundation

/// The SQL of one target's version tables in one dialect, with the table
/// names quoted (and, on PostgreSQL with a schema, qualified). Shared by
/// ``VersionStore``'s online statements, which bind `$1`…`$n`, and its
/// offline ones, which inline literals with ``inline(_:_:)``.
struct VersionTableSQL: Sendable {
    let dialect: DriverKind
    /// Schema of a PostgreSQL `layout: schema` target; nil on SQLite.
    let schema: String?
    /// Unquoted names, for catalog lookups.
    let versionName: String
    let historyName: String
    let dirtyName: String
    /// Quoted, qualified names, for statements.
    let version: String
    let history: String
    let dirty: String
    /// The quoted schema of a `layout: schema` target.
    let quotedSchema: String?

    init(target: Target, dialect: DriverKind, quote: (String) -> String) {
        self.dialect = dialect
        if dialect == .postgres, case .postgres(_, let schema?) = target.location {
            self.schema = schema
        } else {
            self.schema = nil
        }
        versionName = target.versionTable
        historyName = target.historyTable
        dirtyName = target.dirtyTable
        quotedSchema = schema.map(quote)
        let prefix = quotedSchema.map { $0 + "." } ?? ""
        version = prefix + quote(versionName)
        history = prefix + quote(historyName)
        dirty = prefix + quote(dirtyName)
    }

    /// `"name"` with `"` doubled: the quoting of both dialects (what
    /// `PQescapeIdentifier` produces for UTF-8), used by both sessions and
    /// for offline SQL. Names without `"` (nearly all) skip the replace.
    static func quote(_ identifier: String) -> String {
        "\"" + (identifier.utf8.contains(UInt8(ascii: "\"")) ? identifier.replacing("\"", with: "\"\"") : identifier) + "\""
    }

    /// A SQL string literal, `'` doubled (PostgreSQL's standard_conforming_strings).
    static func literal(_ value: String?) -> String {
        guard let value else { return "NULL" }
        return "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// Replaces `$1`…`$n` in `template` with the SQL fragments in `values`.
    static func inline(_ template: String, _ values: [String]) -> String {
        var result = ""
        var scalars = template.unicodeScalars[...]
        while let first = scalars.first {
            scalars = scalars.dropFirst()
            guard first == "$" else {
                result.unicodeScalars.append(first)
                continue
            }
            let digits = scalars.prefix { ("0"..."9").contains($0) }
            guard let number = Int(String(String.UnicodeScalarView(digits))), (1...values.count).contains(number) else {
                result.unicodeScalars.append(first)
                continue
            }
            result += values[number - 1]
            scalars = scalars.dropFirst(digits.count)
        }
        return result
    }

    /// The same timestamp computed by the database, for offline SQL.
    var nowExpression: String {
        switch dialect {
        case .sqlite: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
        case .postgres: "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        }
    }

    // MARK: - Statements

    /// The schema (of a `layout: schema` target) and the three tables, if
    /// they do not exist.
    var createTables: [String] {
        // A schema-per-tenant target's schema is created with its tables, so a
        // tenant added to the registry by hand is ready on its first upgrade.
        (createSchema.map { [$0] } ?? []) + createVersionTables
    }

    /// The version, history and dirty tables, if they do not exist.
    var createVersionTables: [String] {
        let id: String
        let appliedAt: String
        switch dialect {
        case .sqlite:
            id = "id INTEGER PRIMARY KEY AUTOINCREMENT"
            appliedAt = "applied_at text NOT NULL"
        case .postgres:
            id = "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
            appliedAt = "applied_at timestamptz NOT NULL"
        }
        return [
            "CREATE TABLE IF NOT EXISTS \(version) (revision text PRIMARY KEY)",
            """
            CREATE TABLE IF NOT EXISTS \(history) (\(id), revision text NOT NULL, operation text NOT NULL, \
            checksum text, \(appliedAt), duration_ms integer NOT NULL, applied_by text NOT NULL, \
            shoal_version text NOT NULL, run_id text)
            """,
            "CREATE TABLE IF NOT EXISTS \(dirty) (revision text NOT NULL, operation text NOT NULL, started_at text NOT NULL)",
        ]
    }

    /// Adds `run_id` to a history table created before run ids (SPEC §11),
    /// whose rows keep NULL; on PostgreSQL nothing when it is there already.
    /// SQLite has no `IF NOT EXISTS` for columns: run it under the target's
    /// lock after a read that found the column missing.
    var addRunIDColumn: String {
        switch dialect {
        case .sqlite: "ALTER TABLE \(history) ADD COLUMN run_id text"
        case .postgres: "ALTER TABLE \(history) ADD COLUMN IF NOT EXISTS run_id text"
        }
    }

    /// `CREATE SCHEMA` of a `layout: schema` target; nil for other targets.
    var createSchema: String? { quotedSchema.map { "CREATE SCHEMA IF NOT EXISTS \($0)" } }

    /// Points unqualified names at a `layout: schema` target's schema alone,
    /// as a live session's `search_path` does (set there with `set_config`
    /// and a parameter); for offline SQL. Nil for other targets.
    var setSearchPath: String? { quotedSchema.map { "SET search_path TO \($0)" } }

    /// Which of the three tables exist, and whether the history table has
    /// `run_id`: rows of one name each and whether that table has the
    /// column, compared with ``versionName`` etc. by ``existing(in:)``.
    var existingTablesQuery: (sql: String, parameters: [String?]) {
        switch dialect {
        case .sqlite:
            // SQLite table names are case-insensitive (ASCII), quoted or not.
            return ("""
                    SELECT lower(m.name), EXISTS (SELECT 1 FROM pragma_table_info(m.name) AS c WHERE c.name = 'run_id') \
                    FROM sqlite_master AS m WHERE m.type = 'table' AND lower(m.name) IN (lower($1), lower($2), lower($3))
                    """,
                    [versionName, historyName, dirtyName])
        case .postgres:
            return ("""
                    SELECT c.relname, EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a \
                    WHERE a.attrelid = c.oid AND a.attname = 'run_id' AND NOT a.attisdropped) \
                    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                    WHERE c.relkind IN ('r', 'p') AND n.nspname = coalesce($1, current_schema()) AND c.relname IN ($2, $3, $4)
                    """,
                    [schema, versionName, historyName, dirtyName])
        }
    }

    /// The tables among `rows` of ``existingTablesQuery``; `historyRunID`:
    /// the history table exists and has `run_id`.
    func existing(in rows: [[String?]]) -> (version: Bool, history: Bool, dirty: Bool, historyRunID: Bool) {
        var names: [String: Bool] = [:]
        for row in rows {
            guard let name = row.first ?? nil else { continue }
            names[name] = row.count > 1 && (row[1] == "1" || row[1] == "t")
        }
        func key(_ name: String) -> String { dialect == .sqlite ? name.lowercased() : name }
        let history = names[key(historyName)]
        return (names[key(versionName)] != nil, history != nil, names[key(dirtyName)] != nil, history == true)
    }

    var deleteAllVersions: String { "DELETE FROM \(version)" }
    var deleteVersion: String { "DELETE FROM \(version) WHERE revision = $1" }
    var insertVersion: String { "INSERT INTO \(version) (revision) VALUES ($1)" }

    /// $1 revision, $2 operation, $3 checksum, $4 applied_at, $5 duration_ms,
    /// $6 applied_by, $7 shoal_version, $8 run_id.
    var insertHistory: String { insertHistory(runID: true) }

    /// ``insertHistory`` without `run_id` ($1…$7), whose row then holds
    /// NULL: valid on a history table created before run ids too, for
    /// `shoal sql`'s scripts, which belong to no run and may run on either.
    var insertHistoryOutsideRun: String { insertHistory(runID: false) }

    private func insertHistory(runID: Bool) -> String {
        let columns = "revision, operation, checksum, applied_at, duration_ms, applied_by, shoal_version"
        return runID
            ? "INSERT INTO \(history) (\(columns), run_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            : "INSERT INTO \(history) (\(columns)) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    }

    /// id, revision, operation, checksum, applied_at (as shoal writes it),
    /// duration_ms, applied_by, shoal_version, run_id (NULL without
    /// `runIDColumn`: a table created before run ids); newest first.
    func selectHistory(limit: Int?, runIDColumn: Bool) -> String {
        var sql = "SELECT \(Self.historyColumns(dialect, runIDColumn: runIDColumn)) FROM \(history) ORDER BY id DESC"
        if let limit { sql += " LIMIT \(max(0, limit))" }
        return sql
    }

    /// The columns ``selectHistory(limit:runIDColumn:)`` reads, in its
    /// order (what ``VersionStore/historyEntry(_:)`` parses).
    static func historyColumns(_ dialect: DriverKind, runIDColumn: Bool) -> String {
        let appliedAt = switch dialect {
        case .sqlite: "applied_at"
        case .postgres: "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        }
        return "id, revision, operation, checksum, \(appliedAt), duration_ms, applied_by, shoal_version, "
            + (runIDColumn ? "run_id" : "NULL")
    }

    var selectDirty: String { "SELECT revision, operation, started_at FROM \(dirty) LIMIT 1" }

    /// The dirty mark (if any) and the version rows in one statement, for
    /// the check at the start of every step: rows of `'dirty', revision,
    /// operation, started_at` (at most one) and `'version', revision, NULL, NULL`.
    var selectDirtyAndVersions: String {
        """
        SELECT 'dirty', d.revision, d.operation, d.started_at FROM (\(selectDirty)) AS d \
        UNION ALL SELECT 'version', revision, NULL, NULL FROM \(version)
        """
    }
    var deleteAllDirty: String { "DELETE FROM \(dirty)" }
    /// $1 revision, $2 operation, $3 started_at.
    var insertDirty: String { "INSERT INTO \(dirty) (revision, operation, started_at) VALUES ($1, $2, $3)" }
    var deleteDirty: String { "DELETE FROM \(dirty) WHERE revision = $1" }

    /// `BEGIN IMMEDIATE` on SQLite (takes the write lock), `BEGIN` on PostgreSQL.
    var begin: String { dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN" }
}
