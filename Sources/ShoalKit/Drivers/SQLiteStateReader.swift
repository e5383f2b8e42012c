import Foundation

/// Reads the version tables of many SQLite targets (one file each) in one
/// blocking call on its own thread: per file, open read-only, one query to
/// read its version tables (a second to find them when that fails), close. No transaction is started
/// and no file is created; a missing file is an uninitialized target. A dirty
/// mark is reported in progress when a live run holds the file's migrator lock.
///
/// `status` over 10,000 tenant files thus costs one statement per file and
/// one hop onto the reader's thread per batch, instead of a session (and a
/// hop per statement) per file.
package actor SQLiteStateReader {
    private nonisolated let executor = BlockingExecutor(label: "shoal.sqlite.state-reader")
    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    package init() {}

    /// One state (or why it could not be read) per target, in order. Every
    /// target must be a `.sqlite` one. `expected`: the migration files'
    /// checksums by database and revision; an applied checksum equal to one
    /// is that String (10,000 files × 20 revisions then keep no copies).
    package func readStates(of targets: [Target], checksums: Bool, expected: [String: [String: String]] = [:],
                           busyTimeoutMs: Int = 5000) -> [Result<VersionState, ShoalError>] {
        targets.map { target in
            read(target, absent: .uninitialized, busyTimeoutMs: busyTimeoutMs) { connection, sql in
                // shoal creates the three tables together: try the one-statement
                // read first, and look the tables up only when it fails.
                Self.probed(try Self.state(of: target, sql: sql, on: connection, checksums: checksums,
                                           expected: expected[target.database], lookUpFirst: false),
                            path: connection.path)
            }.mapError { error in
                var error = error
                if !error.message.hasPrefix("\(target.id): ") { error.message = "\(target.id): \(error.message)" }
                return error
            }
        }
    }

    /// `target`'s state read on `connection` in one statement over the
    /// tables it has (``VersionStore/stateQueryParts(index:version:history:dirty:)``),
    /// nothing created: SQLite's one read of a version state, for files
    /// (``readStates(of:checksums:expected:busyTimeoutMs:)``) and sessions
    /// alike. `lookUpFirst`: find the tables, then read them; otherwise try
    /// all three first and look them up only when that fails (one statement
    /// for an initialized target, two for a new one). Without `checksums`
    /// the history is not read; `expected`: checksums to share.
    ///
    /// ``VersionState/historyLacksRunID`` comes from the lookup, so only
    /// `lookUpFirst` reads (a session's, as under a run's lock) always say
    /// it: naming `run_id` in the first try would cost `status` of 10,000
    /// files a fifth more (bench W5), for a bit only a writer needs.
    static func state(of target: Target, sql: VersionTableSQL? = nil, on connection: SQLiteConnection, checksums: Bool,
                      expected: [String: String]?, lookUpFirst: Bool) throws -> VersionState {
        let sql = sql ?? VersionTableSQL(target: target, dialect: .sqlite, quote: VersionTableSQL.quote)
        func read(history: Bool, dirty: Bool) throws -> VersionState {
            let parts = VersionStore.stateQueryParts(index: 0, version: sql.version,
                                                     history: checksums && history ? sql.history : nil,
                                                     dirty: dirty ? sql.dirty : nil)
            var states = [VersionState.uninitialized]
            VersionStore.fold(TextRows(rows: try connection.query(parts.joined(separator: " UNION ALL "), [])),
                              targets: [0], into: &states) { _ in expected }
            return states[0]
        }
        if !lookUpFirst, let state = try? read(history: true, dirty: true) { return state }
        let (query, parameters) = sql.existingTablesQuery
        let tables = sql.existing(in: try connection.query(query, parameters))
        var state = tables.version ? try read(history: tables.history, dirty: tables.dirty) : .uninitialized
        state.historyLacksRunID = tables.history && !tables.historyRunID
        return state
    }

    /// `state` with its dirty mark, if any, marked in progress when a live
    /// run holds the file's migrator lock (``SQLiteMigrationLock``).
    private static func probed(_ state: VersionState, path: String) -> VersionState {
        guard state.dirty != nil else { return state }
        var state = state
        state.dirty?.inProgress = SQLiteMigrationLock.isHeld(database: path)
        return state
    }
}
