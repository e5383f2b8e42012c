import CSQLite
import ShoalKit

/// The raw SQLite baseline: sqlite3's C API and nothing else.
final class RawSQLite {
    private let db: OpaquePointer
    let path: String

    init(path: String, readOnly: Bool, busyTimeoutMs: Int32 = 30_000) throws {
        self.path = path
        _ = Self.configured
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_NOMUTEX | (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "error \(code)"
            sqlite3_close_v2(handle)
            throw BenchError("cannot open \(path): \(message)")
        }
        db = handle
        sqlite3_busy_timeout(db, busyTimeoutMs)
    }

    /// The process-wide sqlite3 configuration shoal makes (memory
    /// statistics off), so that both sides run the same library setup.
    private static let configured: Void = {
        _ = shoal_sqlite3_disable_memstatus()
    }()

    deinit {
        sqlite3_close_v2(db)
    }

    /// Runs a script (`sqlite3_exec`).
    func exec(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(message)
            throw BenchError("\(path): \(text) in: \(sql.prefix(200))")
        }
    }

    func prepare(_ sql: String) throws -> Statement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw BenchError("\(path): \(String(cString: sqlite3_errmsg(db))) preparing: \(sql.prefix(200))")
        }
        return Statement(statement, owner: self)
    }

    /// The first column of the first row of `sql`, nil when there is no row or it is NULL.
    func first(_ sql: String) throws -> String? {
        try prepare(sql).run([])
    }

    /// Every row of `sql`, each column as text (NULL is nil).
    func rows(_ sql: String) throws -> [[String?]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw failure("preparing \(sql.prefix(200))")
        }
        defer { sqlite3_finalize(statement) }
        var rows: [[String?]] = []
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                rows.append((0..<sqlite3_column_count(statement)).map { column in
                    sqlite3_column_text(statement, column).map { String(cString: $0) }
                })
            case SQLITE_DONE:
                return rows
            default:
                throw failure("step")
            }
        }
    }

    /// The first column of every row of `sql` (NULLs left out).
    func column(_ sql: String) throws -> [String] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw failure("preparing \(sql.prefix(200))")
        }
        defer { sqlite3_finalize(statement) }
        var values: [String] = []
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                if let text = sqlite3_column_text(statement, 0) { values.append(String(cString: text)) }
            case SQLITE_DONE:
                return values
            default:
                throw failure("step")
            }
        }
    }

    fileprivate func failure(_ what: String) -> BenchError {
        BenchError("\(path): \(String(cString: sqlite3_errmsg(db))) (\(what))")
    }

    final class Statement {
        private let statement: OpaquePointer
        private let owner: RawSQLite

        fileprivate init(_ statement: OpaquePointer, owner: RawSQLite) {
            self.statement = statement
            self.owner = owner
        }

        deinit {
            sqlite3_finalize(statement)
        }

        /// Binds `values` as text, steps to the end, and returns the first
        /// column of the first row.
        @discardableResult
        func run(_ values: [String?]) throws -> String? {
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            for (index, value) in values.enumerated() {
                if let value {
                    sqlite3_bind_text(statement, Int32(index + 1), value, -1, SHOAL_SQLITE_TRANSIENT)
                } else {
                    sqlite3_bind_null(statement, Int32(index + 1))
                }
            }
            var first: String?
            var row = 0
            while true {
                switch sqlite3_step(statement) {
                case SQLITE_ROW:
                    if row == 0, let text = sqlite3_column_text(statement, 0) {
                        first = String(cString: text)
                    }
                    row += 1
                case SQLITE_DONE:
                    return first
                default:
                    throw owner.failure("step")
                }
            }
        }
    }
}

extension RawBaseline {
    /// Brings one SQLite file to the last of `migrations`, as a hand-written
    /// migrator would: open (creating the file), create the version tables,
    /// read the version, then per migration its up section, its verify
    /// query, the version row and a history row, in one `BEGIN IMMEDIATE`
    /// transaction per migration (`perStep`) or one for all of them
    /// (`perTarget`). Returns the number of migrations applied.
    @discardableResult
    static func applySQLite(path: String, migrations: [PreparedMigration],
                            transaction: TransactionMode = .perStep) throws -> Int {
        let db = try RawSQLite(path: path, readOnly: false)
        let tables = RawVersionTables(dialect: .sqlite, schema: nil)
        try db.exec(tables.createTables)
        let current = try db.first(tables.selectVersions)
        let start = current.flatMap { revision in migrations.firstIndex { $0.revision == revision }.map { $0 + 1 } } ?? 0
        guard start < migrations.count else { return 0 }
        let delete = try db.prepare(tables.deleteVersion)
        let insert = try db.prepare(tables.insertVersion)
        let history = try db.prepare(tables.insertHistory)
        let perStep = transaction == .perStep
        if !perStep { try db.exec("BEGIN IMMEDIATE") }
        for migration in migrations[start...] {
            if perStep { try db.exec("BEGIN IMMEDIATE") }
            let started = RawContext.milliseconds()
            try db.exec(migration.up)
            if let verify = migration.verify {
                let value = try db.first(verify)
                guard value == "1" else { throw BenchError("\(path): verify of \(migration.revision) returned \(value ?? "NULL")") }
            }
            let duration = String(Int((RawContext.milliseconds() - started).rounded()))
            if let parent = migration.parent { try delete.run([parent]) }
            try insert.run([migration.revision])
            try history.run([migration.revision, migration.checksum, RawContext.timestamp(), duration,
                             RawContext.appliedBy, RawContext.version, RawContext.runID])
            if perStep { try db.exec("COMMIT") }
        }
        if !perStep { try db.exec("COMMIT") }
        return migrations.count - start
    }

    /// Opens the file read-only and reads what `status` shows, in one
    /// statement: its version row, its dirty mark (throws if it has one)
    /// and its history, whose latest checksum of each applied revision must
    /// be the migration's (`status` reports an edited one as `modified`).
    static func readSQLiteVersion(path: String, checksums: [String: String]) throws -> String? {
        let db = try RawSQLite(path: path, readOnly: true)
        let tables = RawVersionTables(dialect: .sqlite, schema: nil)
        var version: String?
        var latest: [String: (id: Int, operation: String?, checksum: String?)] = [:]
        for row in try db.rows("""
            SELECT 'v', revision, NULL, NULL, 0 FROM \(tables.version) \
            UNION ALL SELECT 'd', revision, NULL, NULL, 0 FROM \(tables.dirty) \
            UNION ALL SELECT 'h', revision, operation, checksum, id FROM \(tables.history)
            """) where row.count == 5 {
            switch row[0] {
            case "d": throw BenchError("\(path) is dirty: \(row[1] ?? "")")
            case "v": version = row[1]
            default:
                guard let revision = row[1] else { continue }
                let id = row[4].flatMap { Int($0) } ?? 0
                if id > latest[revision]?.id ?? -1 { latest[revision] = (id, row[2], row[3]) }
            }
        }
        for (revision, entry) in latest where entry.operation == "upgrade" || entry.operation == "stamp" {
            guard entry.checksum == checksums[revision] else {
                throw BenchError("\(path): \(revision) was applied with another checksum")
            }
        }
        return version
    }
}
