import Foundation

/// Puts fleets at head quickly for the read workloads (W4, W5). Not measured.
enum FleetSetup {
    /// A fleet of `count` SQLite tenants at head in `directory`: its files
    /// (``Fleets/write(to:storage:tenantCount:migrations:concurrency:)``),
    /// then the tenants (``sqliteAtHead(directory:tenants:migrations:)``).
    /// W5, W11, G1 and `generate`. Returns the config's path and the size
    /// of a tenant file.
    static func sqliteFleet(in directory: String, tenants count: Int, migrations: [BenchMigration],
                            concurrency: Int) throws -> (config: String, fileSize: Int) {
        let config = try Fleets.write(to: directory, storage: .sqlite, tenantCount: count, migrations: migrations,
                                      concurrency: concurrency)
        return (config, try sqliteAtHead(directory: directory, tenants: Fleets.tenants(count), migrations: migrations))
    }

    /// A fleet of `count` schemas at head over `urls` (an empty database
    /// per shard, one or two): stamped `batch` per script
    /// (``postgresAtHead(shards:tenants:migrations:threads:tables:batch:)``)
    /// and settled (``settlePostgres(shards:)``), then its files written in
    /// `directory`. W4, G2 and `generate`. Returns the config's path.
    static func postgresFleet(in directory: String, shards urls: [String], tenants count: Int, migrations: [BenchMigration],
                              concurrency: Int, threads: Int, tables: Bool = false, batch: Int = 25) throws -> String {
        try postgresAtHead(shards: urls, tenants: Fleets.tenants(count), migrations: migrations, threads: threads,
                           tables: tables, batch: batch)
        try settlePostgres(shards: urls)
        let storage: Fleets.Storage = urls.count == 1
            ? .postgres(url: urls[0])
            : .shards(Array(zip(Fleets.shardNames, urls)).map { ($0, $1) })
        return try Fleets.write(to: directory, storage: storage, tenantCount: count, migrations: migrations, concurrency: concurrency)
    }

    /// W4: every tenant schema at head on its shard, by bulk SQL: the schema,
    /// shoal's three version tables, the version row and one history row per
    /// migration (with the checksums shoal expects, so that a no-op upgrade
    /// accepts them). No application tables: the migrations' own SQL is not
    /// run; with `tables`, each schema gets the same few tables, indexes and
    /// a view (``applicationTables(schema:)``) for `drift` (W9) to describe.
    /// Batches of `batch` schemas per transaction (one script each),
    /// `threads` connections in all.
    static func postgresAtHead(shards urls: [String], tenants: [String], migrations: [BenchMigration], threads: Int,
                               tables: Bool = false, batch: Int = 25) throws {
        var batches: [(url: String, tenants: [String])] = []
        for (shard, url) in urls.enumerated() {
            let mine = Fleets.tenants(tenants, onShard: shard, of: urls.count)
            for start in stride(from: 0, to: mine.count, by: batch) {
                batches.append((url, Array(mine[start..<min(start + batch, mine.count)])))
            }
        }
        let prepared = migrations.map(PreparedMigration.init)
        let work = batches
        _ = try WorkQueue.run(count: work.count, threads: threads) { queue in
            var connections: [String: RawPostgres] = [:]
            while let index = queue.take() {
                let batch = work[index]
                let pg = try connections[batch.url] ?? RawPostgres(url: batch.url)
                connections[batch.url] = pg
                var script = ["BEGIN"]
                for tenant in batch.tenants {
                    script += stampStatements(schema: Fleets.schema(of: tenant), migrations: prepared)
                    if tables { script += applicationTables(schema: Fleets.schema(of: tenant)) }
                }
                script.append("COMMIT")
                try pg.exec(script.joined(separator: ";\n"))
            }
        }
    }

    /// Brings freshly written shards to the steady state of a fleet that has
    /// been at head for a while: `VACUUM` sets the hint bits and visibility
    /// maps that the first reads of new rows would otherwise write (and that
    /// autovacuum would then do during the measured runs), and `CHECKPOINT`
    /// flushes it all, so the first measured run does not pay for setup.
    static func settlePostgres(shards urls: [String]) throws {
        for url in urls {
            let pg = try RawPostgres(url: url)
            try pg.exec("VACUUM")
            try pg.exec("CHECKPOINT")
        }
    }

    private static func stampStatements(schema: String, migrations: [PreparedMigration]) -> [String] {
        let tables = RawVersionTables(dialect: .postgres, schema: schema)
        guard let head = migrations.last else { return [tables.createTables] }
        let rows = migrations.map { migration in
            "(\(literal(migration.revision)), 'upgrade', \(literal(migration.checksum)), now(), 0, "
                + "\(literal(RawContext.appliedBy)), \(literal(RawContext.version)))"
        }
        return [
            tables.createTables,
            "INSERT INTO \(tables.version) (revision) VALUES (\(literal(head.revision)))",
            "INSERT INTO \(tables.history) (revision, operation, checksum, applied_at, duration_ms, applied_by, shoal_version) VALUES "
                + rows.joined(separator: ", "),
        ]
    }

    /// Two tables with a primary key each, a unique column, a default, a
    /// foreign key, a partial index and a view: about twenty lines of a
    /// schema description, the same in every schema.
    static func applicationTables(schema: String) -> [String] {
        let q = "\"" + schema + "\""
        return [
            "CREATE TABLE \(q).accounts (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text, "
                + "created_at timestamptz NOT NULL DEFAULT now())",
            "CREATE TABLE \(q).projects (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES \(q).accounts (id), "
                + "title text NOT NULL, archived boolean NOT NULL DEFAULT false)",
            "CREATE INDEX projects_account ON \(q).projects (account_id) WHERE NOT archived",
            "CREATE VIEW \(q).active_projects AS SELECT id, title FROM \(q).projects WHERE NOT archived",
        ]
    }

    private static func literal(_ value: String) -> String {
        "'" + value.replacing("'", with: "''") + "'"
    }

    /// W5: one tenant file migrated for real, its rows then deleted and the
    /// file vacuumed (status reads the schema and the version table, not the
    /// rows; small files keep the setup quick), copied to every tenant.
    /// Returns the file's size in bytes.
    static func sqliteAtHead(directory: String, tenants: [String], migrations: [BenchMigration]) throws -> Int {
        let template = "\(directory)/template.sqlite"
        try RawBaseline.applySQLite(path: template, migrations: migrations.map(PreparedMigration.init))
        do {
            let db = try RawSQLite(path: template, readOnly: false)
            let tables = try db.column("""
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                AND name NOT LIKE 'shoal_version%'
                """)
            try db.exec("PRAGMA foreign_keys = OFF; " + tables.map { "DELETE FROM \(quote($0));" }.joined() + " VACUUM;")
        }
        let contents = try Data(contentsOf: URL(fileURLWithPath: template))
        _ = try WorkQueue.run(count: tenants.count, threads: 4) { queue in
            while let index = queue.take() {
                try contents.write(to: URL(fileURLWithPath: Fleets.sqlitePath(in: directory, tenant: tenants[index])))
            }
        }
        return contents.count
    }
}
