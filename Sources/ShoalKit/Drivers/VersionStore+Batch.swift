extension VersionStore {
    /// PostgreSQL's read of version tables (``DatabaseSession/readVersionStates(of:checksums:expected:)``),
    /// of many targets through one session to their database: one catalog
    /// query finds which targets have tables, then one `UNION ALL` query per
    /// `chunkSize` targets reads their version rows, latest history rows and
    /// dirty marks. 1,000 tenants of a shard cost a few dozen round trips,
    /// not 1,000 connections; one target costs two (one when it has no
    /// version table).
    ///
    /// Every target must be on the database `session` is connected to: a
    /// schema-per-tenant target in its schema, any other in the session's
    /// current schema (``TenantTables``). Returns one state per target, in order. Without
    /// `checksums` the history tables are not read (`status` needs none).
    ///
    /// PostgreSQL's planning time grows faster than linearly with the number
    /// of `UNION ALL` branches, so small chunks (25 tenants, 75 branches) are
    /// faster in total than a few huge queries.
    ///
    /// `expected`: the checksums the caller will compare against (the
    /// migration files'), by database and revision. A history row holding
    /// exactly that checksum gets the caller's String rather than a copy:
    /// 1,000 tenants x 20 revisions then cost no allocation, and the later
    /// comparison is an identity check.
    ///
    /// Isolated to the session: the catalog query and every chunk run on
    /// the session's thread without a task hop between them, and each
    /// chunk's rows are folded straight from libpq's result while the next
    /// chunk runs (``PostgresSession/forEachSimpleResult(count:statement:_:)``).
    static func readStates(of targets: [Target], on session: isolated PostgresSession,
                           checksums: Bool = true, chunkSize: Int = 25,
                           expected: [String: [String: String]] = [:]) async throws -> [VersionState] {
        let chunkSize = max(1, chunkSize)
        guard !targets.isEmpty else { return [] }
        let tables = try await TenantTables.find(targets, on: session)
        let chunks = TenantTables.chunks(targets.indices.filter { tables.has[$0].version }, size: chunkSize)
        func statement(_ chunk: Int) -> String {
            stateStatement(chunks[chunk], of: targets, tables: tables, history: checksums, dirty: true)
        }
        var states = [VersionState](repeating: .uninitialized, count: targets.count)
        try await session.forEachSimpleResult(count: chunks.count, statement: statement) { chunk, result in
            fold(result, targets: chunks[chunk], into: &states) { expected[targets[$0].database] }
        }
        for index in targets.indices where tables.has[index].history && !tables.runIDColumn[index] {
            states[index].historyLacksRunID = true
        }
        return states
    }

    /// The `UNION ALL` of ``stateQueryParts(index:version:history:dirty:)``
    /// over one chunk of `targets` (indices into it, every one with a
    /// version table), each row tagged with its target's slot in the chunk;
    /// the history and dirty tables are read where the target has them and
    /// `history`/`dirty` ask for them.
    static func stateStatement(_ chunk: [Int], of targets: [Target], tables: TenantTables,
                               history: Bool, dirty: Bool) -> String {
        var sql = ""
        sql.reserveCapacity(chunk.count * 300)
        for (slot, index) in chunk.enumerated() {
            let target = targets[index]
            let schema = tables.qualifier(index)
            let parts = stateQueryParts(index: slot,
                                        version: schema + tables.quoted(target.versionTable),
                                        history: history && tables.has[index].history ? schema + tables.quoted(target.historyTable) : nil,
                                        dirty: dirty && tables.has[index].dirty ? schema + tables.quoted(target.dirtyTable) : nil)
            for part in parts {
                if !sql.isEmpty { sql += "\nUNION ALL " }
                sql += part
            }
        }
        return sql
    }

    /// The `UNION ALL` branches that read one target's initialized tables,
    /// each row tagged with `index`, the target's position in its chunk:
    /// (index, kind `v`/`h`/`d`, revision, operation, checksum or
    /// started_at, history id). `history`/`dirty` nil: not read. Every
    /// history row is read and the latest per revision picked while folding:
    /// a `GROUP BY` subquery per tenant costs the server more planning than
    /// the few extra rows cost to send. Valid SQL in both dialects.
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

    /// Folds the rows of ``stateQueryParts(index:version:history:dirty:)``
    /// into the states of `targets` (indices into `states`, all of which
    /// have a version table): a row tagged `slot` belongs to `targets[slot]`.
    /// `expected(index)`: checksums to share (see ``readStates(of:on:checksums:chunkSize:expected:)``).
    static func fold(_ rows: some StateQueryRows, targets: [Int], into states: inout [VersionState],
                     expected: (Int) -> [String: String]? = { _ in nil }) {
        let expectedChecksums = targets.map(expected)
        var current = [[String]](repeating: [], count: targets.count)
        // History rows per target: (revision, id, checksum when the row
        // applied the revision (upgrade or stamp), else nil).
        var history = [[(revision: String, id: Int, checksum: String?)]](repeating: [], count: targets.count)
        var dirty = [DirtyMark?](repeating: nil, count: targets.count)
        for row in 0..<rows.rowCount {
            guard let slot = rows.int(row, 0), targets.indices.contains(slot),
                  let revision = rows.text(row, 2) else { continue }
            switch rows.firstByte(row, 1) {
            case UInt8(ascii: "v"):
                // The migration file's own name when it has one: one String for the fleet.
                let files = expectedChecksums[slot]
                let known = files.flatMap { files in files.index(forKey: revision).map { files[$0].key } }
                current[slot].append(known ?? revision)
            case UInt8(ascii: "h"):
                let operation = rows.text(row, 3)
                let applies = operation == Operation.upgrade.rawValue || operation == Operation.stamp.rawValue
                let checksum = applies ? rows.text(row, 4, sharing: expectedChecksums[slot]?[revision]) : nil
                history[slot].append((revision, rows.int(row, 5) ?? 0, checksum))
            case UInt8(ascii: "d") where dirty[slot] == nil:
                // An operation this version does not know still marks the target dirty.
                let operation = rows.text(row, 3).flatMap(Operation.init(rawValue:)) ?? .upgrade
                dirty[slot] = DirtyMark(revision: revision, operation: operation, startedAt: rows.text(row, 4) ?? "")
            default:
                break
            }
        }
        for (slot, index) in targets.enumerated() {
            var applied = appliedChecksums(&history[slot])
            // A target that applied every file as it is (the usual one at
            // head) shares the files' dictionary: 100,000 targets would
            // otherwise hold 100,000 equal copies (a kilobyte each at 20
            // revisions, most of `status`'s memory).
            if let shared = expectedChecksums[slot], shared == applied { applied = shared }
            states[index] = VersionState(initialized: true, current: current[slot].sorted(),
                                         appliedChecksums: applied, dirty: dirty[slot])
        }
    }

    /// The checksum of each revision whose latest history row (highest id)
    /// applied it. The rows usually come in id order already.
    private static func appliedChecksums(_ rows: inout [(revision: String, id: Int, checksum: String?)]) -> [String: String] {
        if !zip(rows, rows.dropFirst()).allSatisfy({ $0.id <= $1.id }) {
            rows.sort { $0.id < $1.id }
        }
        var applied: [String: String] = [:]
        applied.reserveCapacity(rows.count)
        for row in rows {
            if let checksum = row.checksum {
                applied[row.revision] = checksum
            } else {
                applied.removeValue(forKey: row.revision)
            }
        }
        return applied
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

/// The rows of a state query (``VersionStore/stateQueryParts(index:version:history:dirty:)``)
/// as a driver holds them: libpq's result, or rows already read as text.
protocol StateQueryRows {
    var rowCount: Int { get }
    /// The value as text; nil for NULL.
    func text(_ row: Int, _ column: Int) -> String?
    /// The value as an integer; nil for NULL or not a number.
    func int(_ row: Int, _ column: Int) -> Int?
    /// The value's first byte; nil for NULL.
    func firstByte(_ row: Int, _ column: Int) -> UInt8?
    /// The value as text, as `known` itself when it is that text.
    func text(_ row: Int, _ column: Int, sharing known: String?) -> String?
}

extension StateQueryRows {
    func text(_ row: Int, _ column: Int, sharing known: String?) -> String? {
        let text = text(row, column)
        return text == known ? known : text
    }
}

extension PostgresResult: StateQueryRows {}

/// Rows read as text (SQLite's reader).
struct TextRows: StateQueryRows {
    let rows: [[String?]]
    var rowCount: Int { rows.count }
    func text(_ row: Int, _ column: Int) -> String? {
        column < rows[row].count ? rows[row][column] : nil
    }
    func int(_ row: Int, _ column: Int) -> Int? {
        text(row, column).flatMap { Int($0) }
    }
    func firstByte(_ row: Int, _ column: Int) -> UInt8? {
        text(row, column).map { $0.utf8.first ?? 0 }
    }
}
