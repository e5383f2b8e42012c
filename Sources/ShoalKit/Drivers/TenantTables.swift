/// Which version tables many schema-per-tenant targets on one PostgreSQL
/// database have, found with one catalog query, and their names quoted
/// once: what every batch read over a shard's session starts from.
struct TenantTables {
    /// The version, history and dirty table of each target: whether it exists.
    let has: [(version: Bool, history: Bool, dirty: Bool)]
    private let schemas: [String]
    /// Most targets share their table names: each is quoted once.
    private let quotedNames: [String: String]

    /// Looks the tables of `targets` (all `.postgres(_, schema:)` on the
    /// database `session` is connected to) up in the catalog.
    static func find(_ targets: [Target], on session: isolated PostgresSession) async throws -> TenantTables {
        let schemas = targets.map { target -> String in
            guard case .postgres(_, let schema?) = target.location else {
                preconditionFailure("a batch read reads schema-per-tenant targets only")
            }
            return schema
        }
        var tableNames = Set<String>()
        for target in targets {
            tableNames.formUnion([target.versionTable, target.historyTable, target.dirtyTable])
        }
        let rows = try await session.query("""
            SELECT n.nspname, c.relname FROM pg_catalog.pg_class c \
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
            WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[]) AND c.relname = ANY($2::text[])
            """, [VersionStore.arrayLiteral(Set(schemas).sorted()), VersionStore.arrayLiteral(tableNames.sorted())])
        // Which of its three tables each target has, found with one lookup
        // per catalog row (a schema may hold several targets' tables only if
        // their version tables differ, hence a list per schema).
        var targetsInSchema: [String: [Int]] = [:]
        targetsInSchema.reserveCapacity(targets.count)
        for (index, schema) in schemas.enumerated() { targetsInSchema[schema, default: []].append(index) }
        var tables = [(version: Bool, history: Bool, dirty: Bool)](repeating: (false, false, false), count: targets.count)
        for row in rows {
            guard let schema = row[0], let table = row[1] else { continue }
            for index in targetsInSchema[schema] ?? [] {
                let target = targets[index]
                if table == target.versionTable { tables[index].version = true }
                if table == target.historyTable { tables[index].history = true }
                if table == target.dirtyTable { tables[index].dirty = true }
            }
        }
        var quotedNames: [String: String] = [:]
        for name in tableNames { quotedNames[name] = session.quoteIdentifier(name) }
        return TenantTables(has: tables, schemas: schemas, quotedNames: quotedNames)
    }

    /// The quoted schema of target `index` and a dot, to put before a quoted name.
    func qualifier(_ index: Int) -> String {
        VersionTableSQL.quote(schemas[index]) + "."
    }

    /// A table name of one of the targets, quoted.
    func quoted(_ name: String) -> String {
        quotedNames[name]!
    }

    /// `indices` in runs of `size`, one query each.
    static func chunks(_ indices: [Int], size: Int) -> [[Int]] {
        stride(from: 0, to: indices.count, by: size).map { start in
            Array(indices[start..<min(start + size, indices.count)])
        }
    }
}
