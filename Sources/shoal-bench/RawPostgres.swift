#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibPQ

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
    /// read, then per migration `BEGIN`, its up section as one simple query,
    /// its verify query, one statement for the version row, one for the
    /// history row, `COMMIT`. Returns the number of migrations applied.
    @discardableResult
    static func applyPostgres(_ pg: RawPostgres, schema: String, migrations: [PreparedMigration]) throws -> Int {
        let tables = RawVersionTables(dialect: .postgres, schema: schema)
        try pg.exec("SELECT set_config('search_path', $1, false)", [quote(schema)])
        try pg.exec(tables.createTables)
        let current = try pg.exec(tables.selectVersions).first?.first ?? nil
        let start = current.flatMap { revision in migrations.firstIndex { $0.revision == revision }.map { $0 + 1 } } ?? 0
        guard start < migrations.count else { return 0 }
        for migration in migrations[start...] {
            try pg.exec("BEGIN")
            let started = RawContext.milliseconds()
            try pg.exec(migration.up)
            if let verify = migration.verify {
                let value = try pg.exec(verify).first?.first ?? nil
                guard value == "t" else { throw BenchError("\(schema): verify of \(migration.revision) returned \(value ?? "NULL")") }
            }
            let duration = String(Int((RawContext.milliseconds() - started).rounded()))
            try pg.exec(tables.replaceVersion, [migration.revision, migration.parent])
            try pg.exec(tables.insertHistory, [migration.revision, migration.checksum, RawContext.timestamp(), duration,
                                               RawContext.appliedBy, RawContext.version])
            try pg.exec("COMMIT")
        }
        return migrations.count - start
    }

    /// Every tenant's version rows on one shard in one query (a UNION ALL
    /// over their version tables): what a hand-written status reads.
    static func readPostgresVersions(_ pg: RawPostgres, tenants: [String]) throws -> [[String?]] {
        guard !tenants.isEmpty else { return [] }
        let sql = tenants.map { tenant in
            let table = RawVersionTables(dialect: .postgres, schema: Fleets.schema(of: tenant)).version
            return "SELECT '\(tenant)' AS tenant, revision FROM \(table)"
        }.joined(separator: " UNION ALL ")
        return try pg.exec(sql)
    }
}
