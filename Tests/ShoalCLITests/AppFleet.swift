import Foundation
import ShoalKit
import ShoalTestSupport

/// The standard fleet of ``Fixture`` (one multi-tenant database `app`, three
/// migrations) on one ``Backend``, and backend-neutral ways to look at a
/// tenant's data or change it behind shoal's back.
///
/// On SQLite a tenant is the file `tenants/app/{tenant}.sqlite`; on
/// PostgreSQL it is the schema `tenant_{tenant}` of a scratch database that
/// exists for this test only (so tests run in parallel), read with ShoalKit's
/// own drivers.
///
/// (The closures say `async throws` because one whose only `try`s are inside
/// `#expect` would not be inferred to throw.)
///
/// ```swift
/// @Test(arguments: Backend.allCases)
/// func upgradeApplies(_ backend: Backend) async throws {
///     try await AppFleet.with(backend) { fleet async throws in
///         #expect(try await fleet.shoal("upgrade").status == 0)
///         #expect(try await fleet.versions("acme") == [Fixture.r3])
///     }
/// }
/// ```
final class AppFleet: Sendable {
    let backend: Backend
    let sandbox: Sandbox
    /// The scratch database's conninfo (PostgreSQL only).
    let url: String?

    private init(backend: Backend, sandbox: Sandbox, url: String?) {
        self.backend = backend
        self.sandbox = sandbox
        self.url = url
    }

    /// Writes the fleet (with `tenants`; `extraConfig` goes at the top level
    /// of config.json and ends with a comma) and runs `body` on it. On
    /// PostgreSQL the scratch database is dropped afterwards.
    static func with<Result>(_ backend: Backend, tenants: [String] = Fixture.tenants, extraConfig: String = "",
                             _ body: (AppFleet) async throws -> Result) async throws -> Result {
        let sandbox = try Sandbox()
        switch backend {
        case .sqlite:
            try Fixture.fleet(sandbox, app: Fixture.sqliteApp, tenants: tenants, extraConfig: extraConfig)
            return try await body(AppFleet(backend: backend, sandbox: sandbox, url: nil))
        case .postgres:
            return try await PostgresTestServer.withScratchDatabase { url in
                try Fixture.fleet(sandbox, app: Fixture.postgresApp(url: url), tenants: tenants, extraConfig: extraConfig)
                return try await body(AppFleet(backend: backend, sandbox: sandbox, url: url))
            }
        }
    }

    /// The keys of `app` in config.json, to write variants of the config.
    var appKeys: String {
        switch backend {
        case .sqlite: Fixture.sqliteApp
        case .postgres: Fixture.postgresApp(url: url!)
        }
    }

    // MARK: - Running shoal

    @discardableResult
    func shoal(_ args: String..., environment: [String: String] = [:]) async throws -> CLIResult {
        try await sandbox.run(args, environment: environment)
    }

    func run(_ args: [String], environment: [String: String] = [:]) async throws -> CLIResult {
        try await sandbox.run(args, environment: environment)
    }

    // MARK: - A tenant's data

    /// The schema a tenant lives in on PostgreSQL.
    static func schema(_ tenant: String) -> String { "tenant_\(tenant)" }

    /// Rows of a query run in the tenant's database (its schema first in
    /// `search_path` on PostgreSQL), as text.
    func rows(_ tenant: String, _ sql: String, _ parameters: [String?] = []) async throws -> [[String?]] {
        switch backend {
        case .sqlite:
            return try await sandbox.rows(Fixture.tenantFile(tenant), sql, parameters)
        case .postgres:
            return try await PostgresProbe.with(url!) { session in
                try await session.setSearchPath(Self.schema(tenant), local: false)
                return try await session.query(sql, parameters)
            }
        }
    }

    /// The first column of a query's rows ("NULL" for NULL).
    func column(_ tenant: String, _ sql: String, _ parameters: [String?] = []) async throws -> [String] {
        try await rows(tenant, sql, parameters).map { $0.first.flatMap { $0 } ?? "NULL" }
    }

    /// The revisions in the tenant's version table, sorted.
    func versions(_ tenant: String) async throws -> [String] {
        try await column(tenant, "SELECT revision FROM shoal_version ORDER BY revision")
    }

    /// Whether the tenant has a table of that name.
    func tableExists(_ tenant: String, _ table: String) async throws -> Bool {
        switch backend {
        case .sqlite:
            return try await sandbox.tableExists(Fixture.tenantFile(tenant), table)
        case .postgres:
            return try await !rows(tenant, "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = $2",
                                   [Self.schema(tenant), table]).isEmpty
        }
    }

    /// The names of a table's columns, in order.
    func columnNames(_ tenant: String, _ table: String) async throws -> [String] {
        switch backend {
        case .sqlite:
            return try await column(tenant, "SELECT name FROM pragma_table_info($1) ORDER BY cid", [table])
        case .postgres:
            return try await column(tenant, """
                SELECT column_name FROM information_schema.columns
                WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position
                """, [Self.schema(tenant), table])
        }
    }

    /// Whether the tenant's storage exists: its SQLite file, or its schema.
    func storageExists(_ tenant: String) async throws -> Bool {
        switch backend {
        case .sqlite:
            return sandbox.exists(Fixture.tenantFile(tenant))
        case .postgres:
            return try await PostgresProbe.with(url!) { session in
                try await !session.query("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", [Self.schema(tenant)]).isEmpty
            }
        }
    }

    /// Runs SQL in the tenant's database behind shoal's back (creating its
    /// folder or schema if needed), as a user or another tool would.
    func execute(_ tenant: String, _ sql: String) async throws {
        switch backend {
        case .sqlite:
            try FileManager.default.createDirectory(atPath: sandbox.path("tenants/app"), withIntermediateDirectories: true)
            try await SQLiteWriter.execute(sandbox.path(Fixture.tenantFile(tenant)), sql)
        case .postgres:
            try await PostgresProbe.with(url!) { session in
                try await session.execute("CREATE SCHEMA IF NOT EXISTS \(session.quoteIdentifier(Self.schema(tenant)))")
                try await session.setSearchPath(Self.schema(tenant), local: false)
                try await session.execute(sql)
            }
        }
    }

    /// PostgreSQL: another client's session holding the tenant's `table` in
    /// ACCESS EXCLUSIVE mode until it rolls back (a migration that needs the
    /// table waits for it, then fails on `lock_timeout`).
    func holdLock(on table: String, of tenant: String) async throws -> PostgresSession {
        let holder = try await PostgresSession.connect(url!)
        try await holder.begin()
        try await holder.execute("LOCK TABLE \(Self.schema(tenant)).\(table) IN ACCESS EXCLUSIVE MODE")
        return holder
    }

    // MARK: - Proving nothing changed

    /// Everything a command could change: every file of the sandbox (the
    /// SQLite tenants among them) and, on PostgreSQL, the scratch database's
    /// schemas, tables, columns and version tables' rows.
    func snapshot() async throws -> Snapshot {
        let database = if let url { try await PostgresProbe.catalog(of: url) } else { try await sqliteCatalog() }
        return Snapshot(files: try sandbox.snapshot(), database: database)
    }

    /// On SQLite, what ``PostgresProbe/catalog(of:)`` lists on PostgreSQL,
    /// for every SQLite file of the sandbox: each object of `sqlite_master`
    /// with its SQL, and every row of shoal's version, history and dirty tables.
    func sqliteCatalog() async throws -> [String] {
        let files = (FileManager.default.subpaths(atPath: sandbox.root) ?? []).filter { $0.hasSuffix(".sqlite") }.sorted()
        var lines: [String] = []
        for file in files {
            let objects = try await sandbox.rows(file, "SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY 1, 2")
            lines += objects.map { "\(file): " + $0.map { $0 ?? "NULL" }.joined(separator: "|") }
            for table in objects.compactMap({ $0[1] }) where table.hasPrefix("shoal_version") && !table.hasPrefix("sqlite_") {
                guard objects.contains(where: { $0[0] == "table" && $0[1] == table }) else { continue }
                for row in try await sandbox.rows(file, "SELECT * FROM \"\(table)\" ORDER BY 1") {
                    lines.append("\(file) \(table): " + row.map { $0 ?? "NULL" }.joined(separator: "|"))
                }
            }
        }
        return lines
    }

    struct Snapshot: Equatable {
        var files: [String: Data]
        var database: [String]
    }
}
