/// Which version tables many targets on one PostgreSQL database have (and
/// which history tables have `run_id`), found with one catalog query, and
/// their names quoted once: what every batch read over a session starts
/// from. A schema-per-tenant target's
/// tables are in its schema; any other target's are looked up in the
/// session's current schema (`current_schema()`) and read unqualified, as
/// its own statements name them.
struct TenantTables {
    /// The version, history and dirty table of each target: whether it exists.
    let has: [(version: Bool, history: Bool, dirty: Bool)]
    /// Whether each target's history table has `run_id` (SPEC §11); false
    /// for one created before run ids, or none.
    let runIDColumn: [Bool]
    /// Each target's schema; nil for a target without one.
    private let schemas: [String?]
    /// Most targets share their table names: each is quoted once.
    private let quotedNames: [String: String]

    /// Looks the tables of `targets` (all `.postgres` on the database
    /// `session` is connected to) up in the catalog.
    static func find(_ targets: [Target], on session: isolated PostgresSession) async throws -> TenantTables {
        let schemas = targets.map { target -> String? in
            guard case .postgres(_, let schema) = target.location else {
                preconditionFailure("a batch read reads PostgreSQL targets only")
            }
            return schema
        }
        var tableNames = Set<String>()
        for target in targets {
            tableNames.formUnion(target.shoalTables)
        }
        // Targets without a schema look in the current schema: the query
        // asks for it only then, so a shard's read stays the query it was.
        let inCurrentSchema = schemas.indices.filter { schemas[$0] == nil }
        let rows = try await session.query(lookupQuery(currentSchema: !inCurrentSchema.isEmpty),
                                           [VersionStore.arrayLiteral(Set(schemas.compactMap { $0 }).sorted()),
                                            VersionStore.arrayLiteral(tableNames.sorted()),
                                            VersionStore.arrayLiteral(Set(targets.map(\.historyTable)).sorted())])
        // Which of its three tables each target has, found with one lookup
        // per catalog row (a schema may hold several targets' tables only if
        // their version tables differ, hence a list per schema).
        var targetsInSchema: [String: [Int]] = [:]
        targetsInSchema.reserveCapacity(targets.count)
        for (index, schema) in schemas.enumerated() {
            if let schema { targetsInSchema[schema, default: []].append(index) }
        }
        var tables = [(version: Bool, history: Bool, dirty: Bool)](repeating: (false, false, false), count: targets.count)
        var runIDColumn = [Bool](repeating: false, count: targets.count)
        func found(_ table: String, runID: Bool, of index: Int) {
            let target = targets[index]
            if table == target.versionTable { tables[index].version = true }
            if table == target.historyTable {
                tables[index].history = true
                runIDColumn[index] = runID
            }
            if table == target.dirtyTable { tables[index].dirty = true }
        }
        for row in rows {
            guard let schema = row[0], let table = row[1] else { continue }
            let runID = row[2] == "t"
            for index in targetsInSchema[schema] ?? [] { found(table, runID: runID, of: index) }
            if row.count == 4, row[3] == "t" {
                for index in inCurrentSchema { found(table, runID: runID, of: index) }
            }
        }
        var quotedNames: [String: String] = [:]
        for name in tableNames { quotedNames[name] = session.quoteIdentifier(name) }
        return TenantTables(has: tables, runIDColumn: runIDColumn, schemas: schemas, quotedNames: quotedNames)
    }

    /// The catalog lookup: `(schema, table, has run_id)` rows for the tables
    /// named in `$2` of the schemas in `$1`, and with `currentSchema` those
    /// of the current schema too (a fourth column says which rows are).
    /// `run_id` is looked for in the history tables (`$3`) only: a third of
    /// the probes, 40 ms instead of 62 for a shard of 5,000 schemas.
    ///
    /// `nspname::text`: compared as `name` to a `text[]`, PostgreSQL
    /// tests each schema against the whole array in turn (its `name = text`
    /// cannot be hashed), so finding 5,000 schemas' tables took 0.74 s per
    /// shard and grew with the square of the fleet; as text the array is
    /// hashed once (0.06 s). `CatalogLookupGrowthTests` guards it.
    static func lookupQuery(currentSchema: Bool) -> String {
        let (isCurrent, inSchemas) = currentSchema
            ? (", n.nspname = current_schema()", "(n.nspname::text = ANY($1::text[]) OR n.nspname = current_schema())")
            : ("", "n.nspname::text = ANY($1::text[])")
        // Whether a history table has run_id: an index lookup per one found.
        return """
            SELECT n.nspname, c.relname, c.relname = ANY($3::text[]) AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a \
            WHERE a.attrelid = c.oid AND a.attname = 'run_id' AND NOT a.attisdropped)\(isCurrent) FROM pg_catalog.pg_class c \
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
            WHERE c.relkind IN ('r', 'p') AND \(inSchemas) AND c.relname = ANY($2::text[])
            """
    }

    /// The quoted schema of target `index` and a dot, to put before a
    /// quoted name; nothing for a target without a schema.
    func qualifier(_ index: Int) -> String {
        schemas[index].map { VersionTableSQL.quote($0) + "." } ?? ""
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
