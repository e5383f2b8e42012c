import Foundation

extension SQLiteStateReader {
    /// The history of each SQLite target (one file each), newest first, at
    /// most `limit` entries each, read as ``readStates(of:checksums:busyTimeoutMs:)``
    /// reads states: one file after another on the reader's thread, opened
    /// read-only, nothing created. `[]` for a missing file or history table.
    func readHistories(of targets: [Target], limit: Int?,
                       busyTimeoutMs: Int = 5000) -> [Result<[HistoryEntry], ShoalError>] {
        targets.map { target in
            read(target, absent: [], busyTimeoutMs: busyTimeoutMs) { connection, sql in
                // shoal creates the tables together: read first, and look
                // them up only when that fails. A table created before run
                // ids is read as it is, NULL for run_id.
                let rows: [[String?]]
                do {
                    rows = try connection.query(sql.selectHistory(limit: limit, runIDColumn: true), [])
                } catch {
                    let (query, parameters) = sql.existingTablesQuery
                    let tables = sql.existing(in: try connection.query(query, parameters))
                    guard tables.history else { return [] }
                    guard !tables.historyRunID else { throw error }
                    rows = try connection.query(sql.selectHistory(limit: limit, runIDColumn: false), [])
                }
                return try rows.map { row in
                    guard row.count == 9, let entry = VersionStore.historyEntry({ row[$0] }) else {
                        throw VersionStore.unexpectedRow(row, in: sql.history, of: target)
                    }
                    return entry
                }
            }
        }
    }

    /// What `shoal verify` needs of each SQLite target (``AppliedLog``), in
    /// one statement per file (a second to find the tables when that fails).
    func readAppliedLogs(of targets: [Target], busyTimeoutMs: Int = 5000) -> [Result<AppliedLog, ShoalError>] {
        targets.map { target in
            read(target, absent: .uninitialized, busyTimeoutMs: busyTimeoutMs) { connection, sql in
                func read(history: Bool) throws -> AppliedLog {
                    let parts = VersionStore.stateQueryParts(index: 0, version: sql.version,
                                                             history: history ? sql.history : nil, dirty: nil)
                    let rows = try connection.query(parts.joined(separator: " UNION ALL "), [])
                    var log = Result<AppliedLog, ShoalError>.success(.uninitialized)
                    VersionStore.foldAppliedLogs(TextRows(rows: rows), targets: [target], tables: [sql.history]) { log = $1 }
                    return try log.get()
                }
                if let log = try? read(history: true) { return log }
                let (query, parameters) = sql.existingTablesQuery
                let tables = sql.existing(in: try connection.query(query, parameters))
                guard tables.version else { return .uninitialized }
                return try read(history: tables.history)
            }
        }
    }

    /// Each SQLite target's version state (without checksums) and schema
    /// description, both read while its file is open once (`shoal drift`);
    /// an uninitialized state and no description for a missing file.
    package func readStatesAndSchemas(of targets: [Target], busyTimeoutMs: Int = 5000)
        -> [Result<(state: VersionState, schema: SchemaDescription?), ShoalError>] {
        targets.map { target in
            read(target, absent: (.uninitialized, nil), busyTimeoutMs: busyTimeoutMs) { connection, sql in
                (try Self.state(of: target, sql: sql, on: connection, checksums: false, expected: nil, lookUpFirst: false),
                 try SQLiteSchemaCatalog.describe(on: connection, excluding: Set(target.shoalTables)))
            }
        }
    }

    /// Opens `target`'s file read-only and runs `body` on it with the SQL of
    /// its tables; `absent` when the file does not exist.
    func read<Value>(_ target: Target, absent: Value, busyTimeoutMs: Int,
                             _ body: (SQLiteConnection, VersionTableSQL) throws -> Value) -> Result<Value, ShoalError> {
        guard case .sqlite(let path) = target.location else {
            preconditionFailure("SQLiteStateReader reads SQLite targets only")
        }
        do {
            let connection: SQLiteConnection
            do {
                connection = try SQLiteConnection(path: path, mode: .readOnly, busyTimeoutMs: busyTimeoutMs)
            } catch where !FileManager.default.fileExists(atPath: path) {
                return .success(absent)  // asked only when the open failed
            }
            return .success(try body(connection, VersionTableSQL(target: target, dialect: .sqlite, quote: VersionTableSQL.quote)))
        } catch let error as ShoalError {
            return .failure(error)
        } catch {
            return .failure(ShoalError(.database, "\(target.id): \(error)"))
        }
    }
}
