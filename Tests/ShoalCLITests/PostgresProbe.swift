import Foundation
import ShoalKit
import ShoalTestSupport

/// What the tests do on PostgreSQL themselves, with ShoalKit's driver:
/// scratch databases, looking at the catalog, holding locks.
enum PostgresProbe {
    /// Runs `body` on a new session to `url`, closing it afterwards.
    static func with<Result>(_ url: String, _ body: (PostgresSession) async throws -> Result) async throws -> Result {
        let session = try await PostgresSession.connect(url)
        return try await session.closing(after: { try await body(session) })
    }

    /// The rows of one query on a new session.
    static func query(_ url: String, _ sql: String, _ parameters: [String?] = []) async throws -> [[String?]] {
        try await with(url) { try await $0.query(sql, parameters) }
    }

    /// `count` scratch databases at once (see ``PostgresTestServer/withScratchDatabase(_:)``),
    /// all dropped after `body`.
    static func withScratchDatabases<Result>(_ count: Int, _ body: ([String]) async throws -> Result) async throws -> Result {
        guard count > 0 else { return try await body([]) }
        return try await PostgresTestServer.withScratchDatabase { url in
            try await withScratchDatabases(count - 1) { rest in try await body([url] + rest) }
        }
    }

    /// The schemas of the database at `url` that tests or shoal created.
    static func schemas(_ url: String) async throws -> [String] {
        try await query(url, """
            SELECT nspname FROM pg_catalog.pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND nspname NOT LIKE 'pg\\_%'
            ORDER BY 1
            """).compactMap { $0.first ?? nil }
    }

    /// The server's databases whose name starts with `prefix`.
    static func databases(prefix: String) async throws -> [String] {
        try await query(try PostgresTestServer.url(), "SELECT datname FROM pg_catalog.pg_database WHERE starts_with(datname, $1) ORDER BY 1",
                        [prefix]).compactMap { $0.first ?? nil }
    }

    /// Drops every database whose name starts with `prefix` (closing sessions to them).
    static func dropDatabases(prefix: String) async throws {
        try await with(try PostgresTestServer.url()) { session in
            let names = try await session.query("SELECT datname FROM pg_catalog.pg_database WHERE starts_with(datname, $1)", [prefix])
            for name in names.compactMap({ $0.first ?? nil }) {
                try await session.execute("DROP DATABASE IF EXISTS \(session.quoteIdentifier(name)) WITH (FORCE)")
            }
        }
    }

    /// A name prefix no other test uses, for databases a test creates by name.
    static func uniquePrefix() -> String {
        "shoal_t" + String(UInt32.random(in: .min ... .max), radix: 16)
    }

    /// How the test server is reached over TCP, to write URLs of any form.
    struct Server {
        var user: String
        var host: String
        var port: Int

        /// `postgres://user[:password]@host:port/database`.
        func url(database: String, password: String? = nil, port: Int? = nil) -> String {
            "postgres://\(user)\(password.map { ":" + $0 } ?? "")@\(host):\(port ?? self.port)/\(database)"
        }
    }

    /// The user, address and port of the test server (or of the server at
    /// `url`), asked of the server itself.
    static func server(_ url: String? = nil) async throws -> Server {
        let row = try await query(try url ?? PostgresTestServer.url(),
                                  "SELECT current_user, host(inet_server_addr()), inet_server_port()::text").first
        guard let row, row.count == 3, let user = row[0], let host = row[1], let port = row[2].flatMap({ Int($0) }) else {
            throw ShoalError(.usage, "SHOAL_TEST_PG_URL must reach the server over TCP (scripts/test does)")
        }
        return Server(user: user, host: host, port: port)
    }

    /// The name of the database a conninfo or URL points to.
    static func databaseName(_ url: String) -> String {
        PostgresURL.databaseName(of: url) ?? ""
    }

    /// The user-visible catalog of the database at `url`, one line per
    /// schema, table and column, followed by the rows of every shoal version,
    /// history and dirty table: equal before and after a command that
    /// changed nothing.
    static func catalog(of url: String) async throws -> [String] {
        try await with(url) { session in
            let columns = try await session.query("""
                SELECT n.nspname, coalesce(c.relname, ''), coalesce(c.relkind::text, ''), coalesce(a.attname, '')
                FROM pg_catalog.pg_namespace n
                LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid
                LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                ORDER BY 1, 2, 4
                """)
            var lines = columns.map { $0.map { $0 ?? "NULL" }.joined(separator: ".") }
            let tables = try await session.query("""
                SELECT schemaname, tablename FROM pg_catalog.pg_tables
                WHERE tablename LIKE 'shoal\\_version%' ORDER BY 1, 2
                """)
            for table in tables {
                guard let schema = table[0], let name = table[1] else { continue }
                let qualified = session.quoteIdentifier(schema) + "." + session.quoteIdentifier(name)
                for row in try await session.query("SELECT * FROM \(qualified) ORDER BY 1") {
                    lines.append("\(schema).\(name): " + row.map { $0 ?? "NULL" }.joined(separator: "|"))
                }
            }
            return lines
        }
    }
}
