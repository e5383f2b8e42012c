extension VersionStore {
    /// Reads the version tables of many schema-per-tenant targets through one
    /// PostgreSQL session to their shard: one catalog query finds which
    /// tenants have tables, then one `UNION ALL` query per `chunkSize`
    /// tenants reads their version rows, latest history rows and dirty
    /// marks. 1,000 tenants cost a few dozen round trips, not 1,000
    /// connections.
    ///
    /// Every target must be `.postgres(_, schema:)` on the database `session`
    /// is connected to. Returns one state per target, in order. Without
    /// `checksums` the history tables are not read (`status` needs none).
    ///
    /// PostgreSQL's planning time grows faster than linearly with the number
    /// of `UNION ALL` branches, so small chunks (25 tenants, 75 branches) are
    /// faster in total than a few huge queries.
    nonisolated(nonsending) public static func readStates(of targets: [Target], session: any DatabaseSession,
                                  checksums: Bool = true, chunkSize: Int = 25) async throws -> [VersionState] {
        guard !targets.isEmpty else { return [] }
        let schemas = targets.map { target -> String in
            guard case .postgres(_, let schema?) = target.location else {
                preconditionFailure("readStates(of:) reads schema-per-tenant targets only")
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
            """, [arrayLiteral(Set(schemas).sorted()), arrayLiteral(tableNames.sorted())])
        var existing = Set<String>()
        for row in rows {
            if let schema = row[0], let table = row[1] { existing.insert(schema + "\u{0}" + table) }
        }
        func has(_ index: Int, _ table: String) -> Bool { existing.contains(schemas[index] + "\u{0}" + table) }

        var states = [VersionState](repeating: .uninitialized, count: targets.count)
        let initialized = targets.indices.filter { has($0, targets[$0].versionTable) }
        let chunks = stride(from: 0, to: initialized.count, by: max(1, chunkSize)).map { start in
            Array(initialized[start..<min(start + chunkSize, initialized.count)])
        }
        let statements = chunks.map { chunk in
            chunk.flatMap { index in
                let target = targets[index]
                let schema = session.quoteIdentifier(schemas[index]) + "."
                return stateQueryParts(index: index,
                                       version: schema + session.quoteIdentifier(target.versionTable),
                                       history: checksums && has(index, target.historyTable)
                                           ? schema + session.quoteIdentifier(target.historyTable) : nil,
                                       dirty: has(index, target.dirtyTable) ? schema + session.quoteIdentifier(target.dirtyTable) : nil)
            }.joined(separator: "\nUNION ALL ")
        }
        @Sendable func read(_ sql: String) async throws -> [[String?]] {
            if let postgres = session as? PostgresSession {
                return try await postgres.querySimple(sql)
            }
            return try await session.query(sql)
        }
        // The next chunk's query runs while this one's rows are folded, so
        // the server is never idle waiting for the client.
        var previous: (chunk: [Int], rows: [[String?]])?
        for (chunk, sql) in zip(chunks, statements) {
            async let rows = read(sql)
            if let (done, doneRows) = previous {
                for (index, state) in Self.states(fromRows: doneRows, indices: done) { states[index] = state }
            }
            previous = (chunk, try await rows)
        }
        if let (done, doneRows) = previous {
            for (index, state) in Self.states(fromRows: doneRows, indices: done) { states[index] = state }
        }
        return states
    }

    /// The `UNION ALL` branches that read one target's initialized tables,
    /// each row tagged with `index`: (index, kind `v`/`h`/`d`, revision,
    /// operation, checksum or started_at, history id). `history`/`dirty`
    /// nil: not read. Every history row is read and the latest per revision
    /// picked while folding: a `GROUP BY` subquery per tenant costs the
    /// server more planning than the few extra rows cost to send. Valid SQL
    /// in both dialects.
    static func stateQueryParts(index: Int, version: String, history: String?, dirty: String?) -> [String] {
        var parts = ["SELECT \(index), 'v', revision, NULL, NULL, 0 FROM \(version)"]
        if let history {
            parts.append("SELECT \(index), 'h', revision, operation, checksum, id FROM \(history)")
        }
        if let dirty {
            // Not `LIMIT 1` in a subquery: PostgreSQL would plan one more
            // subquery per tenant. The table holds one mark at most; the
            // fold keeps the first.
            parts.append("SELECT \(index), 'd', revision, operation, started_at, 0 FROM \(dirty)")
        }
        return parts
    }

    /// Folds rows of ``stateQueryParts(index:version:history:dirty:)`` into a
    /// state for each of `indices` (all of which have a version table).
    static func states(fromRows rows: [[String?]], indices: [Int]) -> [Int: VersionState] {
        // Per target of the chunk, by its position in `indices`: arrays, not
        // dictionaries keyed by index (20,000 history rows for 1,000 tenants).
        var slotOf: [Int: Int] = [:]
        slotOf.reserveCapacity(indices.count)
        for (slot, index) in indices.enumerated() { slotOf[index] = slot }
        var current = [[String]](repeating: [], count: indices.count)
        // The latest history row of each revision: (id, operation, checksum).
        var latest = [[String: (id: Int, operation: String?, checksum: String?)]](repeating: [:], count: indices.count)
        var dirty = [DirtyMark?](repeating: nil, count: indices.count)
        for row in rows {
            guard row.count == 6, let index = row[0].flatMap({ Int($0) }), let slot = slotOf[index],
                  let revision = row[2] else { continue }
            switch row[1] {
            case "v":
                current[slot].append(revision)
            case "h":
                let id = row[5].flatMap { Int($0) } ?? 0
                if id >= latest[slot][revision]?.id ?? Int.min {
                    latest[slot][revision] = (id, row[3], row[4])
                }
            case "d" where dirty[slot] == nil:
                // An operation this version does not know still marks the target dirty.
                let operation = row[3].flatMap(Operation.init(rawValue:)) ?? .upgrade
                dirty[slot] = DirtyMark(revision: revision, operation: operation, startedAt: row[4] ?? "")
            default:
                break
            }
        }
        var states: [Int: VersionState] = [:]
        states.reserveCapacity(indices.count)
        for (slot, index) in indices.enumerated() {
            var applied: [String: String] = [:]
            applied.reserveCapacity(latest[slot].count)
            for (revision, row) in latest[slot] {
                if let checksum = row.checksum, row.operation == Operation.upgrade.rawValue || row.operation == Operation.stamp.rawValue {
                    applied[revision] = checksum
                }
            }
            states[index] = VersionState(initialized: true, current: current[slot].sorted(),
                                         appliedChecksums: applied, dirty: dirty[slot])
        }
        return states
    }

    /// A PostgreSQL text-array literal (`{"a","b"}`), each element quoted, for
    /// passing a list as one parameter.
    static func arrayLiteral(_ values: [String]) -> String {
        let quoted = values.map { value in
            guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }) else {
                return "\"" + value + "\""
            }
            return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "{" + quoted.joined(separator: ",") + "}"
    }
}
