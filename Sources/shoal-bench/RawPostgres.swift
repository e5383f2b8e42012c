#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibPQ
import ShoalKit

/// The raw PostgreSQL baseline: libpq's blocking C API and nothing else.
final class RawPostgres {
    private let conn: OpaquePointer

    init(url: String) throws {
        guard let conn = PQconnectdb(url) else { throw BenchError("PQconnectdb: out of memory") }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(conn))
            PQfinish(conn)
            throw BenchError("cannot connect to \(url): \(message)")
        }
        // As shoal does: NOTICEs (`schema … already exists, skipping`) are not printed.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        self.conn = conn
    }

    deinit {
        PQfinish(conn)
    }

    /// Runs `sql`: with no parameters through `PQexec` (a script of several
    /// statements is allowed), otherwise through `PQexecParams` with text
    /// parameters. Returns the rows of the (last) result.
    @discardableResult
    func exec(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        let result: OpaquePointer?
        if parameters.isEmpty {
            result = PQexec(conn, sql)
        } else {
            var copies = parameters.map { $0.map { strdup($0) } ?? nil }
            defer { for copy in copies { free(copy) } }
            result = copies.withUnsafeMutableBufferPointer { buffer in
                buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                    PQexecParams(conn, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
                }
            }
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw BenchError("\(String(cString: PQerrorMessage(conn))) in: \(sql.prefix(200))")
        }
        guard status == PGRES_TUPLES_OK else { return [] }
        let rows = PQntuples(result)
        let columns = PQnfields(result)
        return (0..<rows).map { row in
            (0..<columns).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
    }
}

extension RawBaseline {
    /// Brings the tenant's schema to the last of `migrations` over an open
    /// connection: search_path, the version tables (and schema), the version
    /// read, then per migration its up section as one simple query, its
    /// verify query, one statement for the version row, one for the history
    /// row, between `BEGIN` and `COMMIT` per migration (`perStep`) or one
    /// pair for all of them (`perTarget`). Returns the number of migrations applied.
    @discardableResult
    static func applyPostgres(_ pg: RawPostgres, schema: String, migrations: [PreparedMigration],
                              transaction: TransactionMode = .perStep) throws -> Int {
        let tables = RawVersionTables(dialect: .postgres, schema: schema)
        try pg.exec("SELECT set_config('search_path', $1, false)", [quote(schema)])
        try pg.exec(tables.createTables)
        let current = try pg.exec(tables.selectVersions).first?.first ?? nil
        let start = current.flatMap { revision in migrations.firstIndex { $0.revision == revision }.map { $0 + 1 } } ?? 0
        guard start < migrations.count else { return 0 }
        let perStep = transaction == .perStep
        if !perStep { try pg.exec("BEGIN") }
        for migration in migrations[start...] {
            if perStep { try pg.exec("BEGIN") }
            let started = RawContext.milliseconds()
            try pg.exec(migration.up)
            if let verify = migration.verify {
                let value = try pg.exec(verify).first?.first ?? nil
                guard value == "t" else { throw BenchError("\(schema): verify of \(migration.revision) returned \(value ?? "NULL")") }
            }
            let duration = String(Int((RawContext.milliseconds() - started).rounded()))
            try pg.exec(tables.replaceVersion, [migration.revision, migration.parent])
            try pg.exec(tables.insertHistory, [migration.revision, migration.checksum, RawContext.timestamp(), duration,
                                               RawContext.appliedBy, RawContext.version, RawContext.runID])
            if perStep { try pg.exec("COMMIT") }
        }
        if !perStep { try pg.exec("COMMIT") }
        return migrations.count - start
    }

    /// Every tenant's version state on one shard, as a hand-written tool
    /// that reports (or plans) safely must read it: one catalog query for
    /// the tenants whose version table exists, then one `UNION ALL` query per
    /// `chunk` of them over their version tables, their dirty tables (but
    /// for verify) and their history, whose latest checksum per applied
    /// revision is checked against the migrations (`status` shows an edited
    /// applied migration, `upgrade` refuses it, `verify` lists it; verify
    /// also checks that every applied or current revision has a file).
    /// Chunks of 25 tenants are PostgreSQL's fastest shape here: its
    /// planning time grows faster than linearly with the branches of a
    /// `UNION ALL`. `history` reads ``readPostgresHistories(_:tenants:head:chunk:)``.
    ///
    /// Returns the tenants at `head`; throws for a dirty tenant, one whose
    /// latest history row for an applied revision has another checksum, or
    /// (verify) a revision without a file.
    static func readPostgresStates(_ pg: RawPostgres, tenants: [String], read: RawRead, head: String?,
                                   checksums: [String: String], chunk: Int = 25) throws -> Int {
        guard read != .history else { return try readPostgresHistories(pg, tenants: tenants, head: head, chunk: chunk) }
        guard !tenants.isEmpty else { return 0 }
        let schemas = tenants.map(Fleets.schema(of:))
        let list = "{" + schemas.map { "\"" + $0 + "\"" }.joined(separator: ",") + "}"
        let initialized = Set(try pg.exec("""
            SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
            WHERE c.relkind = 'r' AND c.relname = 'shoal_version' AND n.nspname::text = ANY($1::text[])
            """, [list]).compactMap { $0.first ?? nil })
        let readable = schemas.indices.filter { initialized.contains(schemas[$0]) }
        var atHead: [Int] = []
        for start in stride(from: 0, to: readable.count, by: chunk) {
            let indices = readable[start..<min(start + chunk, readable.count)]
            let sql = indices.flatMap { index in
                let tables = RawVersionTables(dialect: .postgres, schema: schemas[index])
                var parts = ["SELECT \(index), 'v', revision, NULL, NULL, 0 FROM \(tables.version)"]
                if read != .verify {
                    parts.append("SELECT \(index), 'd', revision, operation, started_at, 0 FROM \(tables.dirty)")
                }
                if read != .drift {
                    parts.append("SELECT \(index), 'h', revision, operation, checksum, id FROM \(tables.history)")
                }
                return parts
            }.joined(separator: "\nUNION ALL ")
            var versions: [Int: [String]] = [:]
            var latest: [Int: [String: (id: Int, operation: String?, checksum: String?)]] = [:]
            for row in try pg.exec(sql) {
                guard row.count == 6, let index = row[0].flatMap({ Int($0) }), let revision = row[2] else { continue }
                switch row[1] {
                case "v":
                    versions[index, default: []].append(revision)
                case "d":
                    throw BenchError("\(tenants[index]) is dirty: \(revision)")
                default:
                    let id = row[5].flatMap { Int($0) } ?? 0
                    if id > latest[index]?[revision]?.id ?? -1 {
                        latest[index, default: [:]][revision] = (id, row[3], row[4])
                    }
                }
            }
            for index in indices {
                for (revision, entry) in latest[index] ?? [:] where entry.operation == "upgrade" || entry.operation == "stamp" {
                    guard entry.checksum == checksums[revision] else {
                        throw BenchError("\(tenants[index]): \(revision) was applied with another checksum")
                    }
                }
                if read == .verify {
                    for revision in (versions[index] ?? []) + (latest[index] ?? [:]).filter({ $0.value.operation != "downgrade" }).map(\.key)
                    where checksums[revision] == nil {
                        throw BenchError("\(tenants[index]): \(revision) has no migration file")
                    }
                }
                if versions[index] == head.map({ [$0] }) { atHead.append(index) }
            }
        }
        guard read == .drift else { return atHead.count }
        let fingerprints = try describePostgresSchemas(pg, schemas: schemas)
        var counts: [String: Int] = [:]
        for fingerprint in fingerprints.values { counts[fingerprint, default: 0] += 1 }
        let majority = counts.max { $0.value < $1.value }?.key
        return atHead.count { fingerprints[schemas[$0]] == majority }
    }

    /// What `drift` reads besides the version rows: shoal's own catalog
    /// query (``PostgresSchemaCatalog/query(wholeDatabase:)``) for all of a
    /// shard's `schemas` at once, in a transaction with `search_path` set to
    /// `pg_catalog` as shoal runs it; each schema's lines, its name written
    /// `{schema}`, sorted into a ``SchemaDescription``. Returns each
    /// schema's fingerprint.
    static func describePostgresSchemas(_ pg: RawPostgres, schemas: [String]) throws -> [String: String] {
        let excluded = ["shoal_version", "shoal_version_dirty", "shoal_version_history"]
        try pg.exec("BEGIN")
        try pg.exec("SET LOCAL search_path = pg_catalog")
        let rows = try pg.exec(PostgresSchemaCatalog.query(wholeDatabase: false),
                               ["{" + schemas.map { "\"" + $0 + "\"" }.joined(separator: ",") + "}",
                                "{" + excluded.joined(separator: ",") + "}"])
        try pg.exec("ROLLBACK")
        var lines: [String: [String]] = [:]
        for row in rows {
            guard let schema = row[0], let line = row[1] else { continue }
            // The bench's schema names need no quoting.
            lines[schema, default: []].append(SchemaPlaceholder.writing(schema + ".", as: "{schema}.",
                                                                        in: SchemaDescription.normalisedWhitespace(line)))
        }
        return lines.mapValues { SchemaDescription(lines: $0).fingerprint }
    }

    /// What `history --limit 1` reads, the way a hand-written tool would:
    /// one catalog query for the tenants whose history table exists, then
    /// one `UNION ALL` per `chunk` of them of `(SELECT … ORDER BY id DESC
    /// LIMIT 1)` over every column shoal prints. Returns the tenants whose
    /// newest entry is the upgrade to `head`.
    static func readPostgresHistories(_ pg: RawPostgres, tenants: [String], head: String?, chunk: Int = 25) throws -> Int {
        guard !tenants.isEmpty else { return 0 }
        let schemas = tenants.map(Fleets.schema(of:))
        let list = "{" + schemas.map { "\"" + $0 + "\"" }.joined(separator: ",") + "}"
        let withHistory = Set(try pg.exec("""
            SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
            WHERE c.relkind = 'r' AND c.relname = 'shoal_version_history' AND n.nspname::text = ANY($1::text[])
            """, [list]).compactMap { $0.first ?? nil })
        let readable = schemas.indices.filter { withHistory.contains(schemas[$0]) }
        var atHead = 0
        for start in stride(from: 0, to: readable.count, by: chunk) {
            let indices = readable[start..<min(start + chunk, readable.count)]
            let sql = indices.map { index in
                let tables = RawVersionTables(dialect: .postgres, schema: schemas[index])
                return """
                    (SELECT \(index), id, revision, operation, checksum, \
                    to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), duration_ms, applied_by, \
                    shoal_version, run_id FROM \(tables.history) ORDER BY id DESC LIMIT 1)
                    """
            }.joined(separator: "\nUNION ALL ")
            for row in try pg.exec(sql) where row.count == 10 && row[2] == head && row[3] == "upgrade" {
                atHead += 1
            }
        }
        return atHead
    }
}

/// What ``RawBaseline/readPostgresStates`` reads: what a command must read.
enum RawRead: String, Sendable, CaseIterable {
    /// `status`: version rows, dirty marks, and the history's checksums
    /// (an edited applied migration shows as `modified`).
    case status
    /// Planning an `upgrade`: the same.
    case plan
    /// `verify`: version rows and the history.
    case verify
    /// `history --limit 1`: each tenant's newest history row.
    case history
    /// `drift`: version rows and dirty marks, and each schema's
    /// description (counted at head with the most common fingerprint).
    case drift
}
