extension VersionStore {
    /// The history of many schema-per-tenant targets through one PostgreSQL
    /// session to their shard (`shoal history`), read the way
    /// ``readStates(of:on:checksums:chunkSize:expected:)`` reads their
    /// states: one catalog query, then one `UNION ALL` per `chunkSize`
    /// targets that have a history table, every chunk on the session's
    /// thread. With a `limit`, each branch is `(SELECT … ORDER BY id DESC
    /// LIMIT n)`, so the server sends only the rows asked for.
    ///
    /// One result per target, in order: its entries newest first (`[]`
    /// without a history table, as ``history(limit:)`` says), or the error
    /// for a row that does not parse, which fails that target only.
    nonisolated(nonsending) static func readHistories(of targets: [Target], session: any DatabaseSession, limit: Int?,
                                                      chunkSize: Int = 25) async throws -> [Result<[HistoryEntry], ShoalError>] {
        guard let postgres = session as? PostgresSession else {
            preconditionFailure("readHistories(of:) reads over a PostgreSQL session")
        }
        return try await readHistories(of: targets, on: postgres, limit: limit, chunkSize: max(1, chunkSize))
    }

    private static func readHistories(of targets: [Target], on session: isolated PostgresSession, limit: Int?,
                                      chunkSize: Int) async throws -> [Result<[HistoryEntry], ShoalError>] {
        guard !targets.isEmpty else { return [] }
        let tables = try await TenantTables.find(targets, on: session)
        let chunks = TenantTables.chunks(targets.indices.filter { tables.has[$0].history }, size: chunkSize)
        // A table created before run ids is read as it is, NULL for run_id.
        let columns = [false, true].map { VersionTableSQL.historyColumns(.postgres, runIDColumn: $0) }
        func table(_ index: Int) -> String { tables.qualifier(index) + tables.quoted(targets[index].historyTable) }
        func statement(_ chunk: Int) -> String {
            var sql = ""
            sql.reserveCapacity(chunks[chunk].count * 260)
            for (slot, index) in chunks[chunk].enumerated() {
                if !sql.isEmpty { sql += "\nUNION ALL " }
                let columns = columns[tables.runIDColumn[index] ? 1 : 0]
                if let limit {
                    sql += "(SELECT \(slot), \(columns) FROM \(table(index)) ORDER BY id DESC LIMIT \(max(0, limit)))"
                } else {
                    sql += "SELECT \(slot), \(columns) FROM \(table(index))"
                }
            }
            return sql
        }
        var histories = [Result<[HistoryEntry], ShoalError>](repeating: .success([]), count: targets.count)
        try await session.forEachSimpleResult(count: chunks.count, statement: statement) { chunk, result in
            let indices = chunks[chunk]
            foldHistories(result, targets: indices.map { targets[$0] }, tables: indices.map(table)) { slot, history in
                histories[indices[slot]] = history
            }
        }
        return histories
    }

    /// Folds rows of (slot, the nine columns of ``VersionTableSQL/selectHistory(limit:runIDColumn:)``)
    /// into one history per target of the chunk (`targets[slot]`, whose
    /// history table is `tables[slot]`), newest first.
    static func foldHistories(_ rows: some StateQueryRows, targets: [Target], tables: [String],
                              _ store: (Int, Result<[HistoryEntry], ShoalError>) -> Void) {
        var entries = [[HistoryEntry]](repeating: [], count: targets.count)
        var failures = [ShoalError?](repeating: nil, count: targets.count)
        for row in 0..<rows.rowCount {
            guard let slot = rows.int(row, 0), targets.indices.contains(slot), failures[slot] == nil else { continue }
            if let entry = historyEntry({ rows.text(row, $0 + 1) }) {
                entries[slot].append(entry)
            } else {
                failures[slot] = unexpectedRow((1...9).map { rows.text(row, $0) }, in: tables[slot], of: targets[slot])
            }
        }
        for slot in targets.indices {
            if let failure = failures[slot] {
                store(slot, .failure(failure))
                continue
            }
            if !zip(entries[slot], entries[slot].dropFirst()).allSatisfy({ $0.id > $1.id }) {
                entries[slot].sort { $0.id > $1.id }
            }
            store(slot, .success(entries[slot]))
        }
    }

    /// What `shoal verify` needs of many schema-per-tenant targets (see
    /// ``AppliedLog``), through one PostgreSQL session to their shard: one
    /// catalog query, then one `UNION ALL` per `chunkSize` initialized
    /// targets over their version and history tables (the branches of
    /// ``stateQueryParts(index:version:history:dirty:)``, without the dirty
    /// mark). One result per target, in order; a history row whose
    /// operation shoal does not know fails that target only. `expected`:
    /// the files' checksums by database and revision, shared by the rows
    /// that hold them (as ``readStates(of:on:checksums:chunkSize:expected:)`` does).
    nonisolated(nonsending) static func readAppliedLogs(of targets: [Target], session: any DatabaseSession,
                                                        chunkSize: Int = 25,
                                                        expected: [String: [String: String]] = [:]) async throws -> [Result<AppliedLog, ShoalError>] {
        guard let postgres = session as? PostgresSession else {
            preconditionFailure("readAppliedLogs(of:) reads over a PostgreSQL session")
        }
        return try await readAppliedLogs(of: targets, on: postgres, chunkSize: max(1, chunkSize), expected: expected)
    }

    private static func readAppliedLogs(of targets: [Target], on session: isolated PostgresSession, chunkSize: Int,
                                        expected: [String: [String: String]]) async throws -> [Result<AppliedLog, ShoalError>] {
        guard !targets.isEmpty else { return [] }
        let tables = try await TenantTables.find(targets, on: session)
        let chunks = TenantTables.chunks(targets.indices.filter { tables.has[$0].version }, size: chunkSize)
        func statement(_ chunk: Int) -> String {
            stateStatement(chunks[chunk], of: targets, tables: tables, history: true, dirty: false)
        }
        var logs = [Result<AppliedLog, ShoalError>](repeating: .success(.uninitialized), count: targets.count)
        try await session.forEachSimpleResult(count: chunks.count, statement: statement) { chunk, result in
            let indices = chunks[chunk]
            let historyTables = indices.map { tables.qualifier($0) + tables.quoted(targets[$0].historyTable) }
            foldAppliedLogs(result, targets: indices.map { targets[$0] }, tables: historyTables, expected: expected) { slot, log in
                logs[indices[slot]] = log
            }
        }
        return logs
    }

    /// This target's ``AppliedLog`` over its own session: the tables looked
    /// up, then one statement over the version and history tables.
    nonisolated(nonsending) func readAppliedLog() async throws -> AppliedLog {
        let sql = await tables()
        let existing = try await existingTables(sql)
        guard existing.version else { return .uninitialized }
        let parts = Self.stateQueryParts(index: 0, version: sql.version, history: existing.history ? sql.history : nil, dirty: nil)
        let rows = try await session.query(parts.joined(separator: " UNION ALL "))
        var log = Result<AppliedLog, ShoalError>.success(.uninitialized)
        Self.foldAppliedLogs(TextRows(rows: rows), targets: [target], tables: [sql.history]) { log = $1 }
        return try log.get()
    }

    /// Folds rows of ``stateQueryParts(index:version:history:dirty:)``
    /// into one ``AppliedLog`` per target of the chunk (`targets[slot]`,
    /// all initialized, whose history table is `tables[slot]`); a checksum
    /// equal to `expected[database][revision]` is that String.
    static func foldAppliedLogs(_ rows: some StateQueryRows, targets: [Target], tables: [String],
                                expected: [String: [String: String]] = [:],
                                _ store: (Int, Result<AppliedLog, ShoalError>) -> Void) {
        let expectedChecksums = targets.map { expected[$0.database] }
        var current = [[String]](repeating: [], count: targets.count)
        var history = [[(id: Int, entry: AppliedLog.Entry)]](repeating: [], count: targets.count)
        var failures = [ShoalError?](repeating: nil, count: targets.count)
        for row in 0..<rows.rowCount {
            guard let slot = rows.int(row, 0), targets.indices.contains(slot), failures[slot] == nil,
                  let revision = rows.text(row, 2) else { continue }
            switch rows.firstByte(row, 1) {
            case UInt8(ascii: "v"):
                current[slot].append(revision)
            case UInt8(ascii: "h"):
                guard let operation = rows.text(row, 3).flatMap(Operation.init(rawValue:)) else {
                    let values = [rows.text(row, 5), revision, rows.text(row, 3), rows.text(row, 4)]
                    failures[slot] = unexpectedRow(values, in: tables[slot], of: targets[slot])
                    continue
                }
                let checksum = rows.text(row, 4, sharing: expectedChecksums[slot]?[revision])
                history[slot].append((rows.int(row, 5) ?? 0, AppliedLog.Entry(revision: revision, operation: operation,
                                                                               checksum: checksum)))
            default:
                break
            }
        }
        for slot in targets.indices {
            if let failure = failures[slot] {
                store(slot, .failure(failure))
                continue
            }
            if !zip(history[slot], history[slot].dropFirst()).allSatisfy({ $0.id <= $1.id }) {
                history[slot].sort { $0.id < $1.id }
            }
            store(slot, .success(AppliedLog(initialized: true, current: current[slot].sorted(),
                                            entries: history[slot].map(\.entry))))
        }
    }
}
