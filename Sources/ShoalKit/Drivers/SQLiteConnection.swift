import CSQLite
import Foundation

/// Owns one sqlite3 connection handle and closes it with `sqlite3_close_v2`
/// in `deinit`. Nothing outside this class sees the `OpaquePointer`.
///
/// Every method except ``interrupt()`` is called only by the owning
/// ``SQLiteSession``, on that session's own executor, one call at a time;
/// `interrupt()` is thread-safe in sqlite3 and is what task cancellation calls
/// from another thread. That is why the class is `@unchecked Sendable`.
final class SQLiteConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Prepared statements of ``query(_:_:)``, by their text.
    private var statementCache: [String: SQLiteStatement] = [:]
    let path: String
    let busyTimeoutMs: Int

    /// Opens `path`. `.readWrite` creates the file and its parent directories;
    /// `.readOnly` fails, naming the path, when the file is missing.
    init(path: String, mode: SQLiteSession.OpenMode, busyTimeoutMs: Int) throws {
        self.path = path
        self.busyTimeoutMs = busyTimeoutMs
        var flags = SQLITE_OPEN_NOMUTEX
        switch mode {
        case .readWrite:
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    throw ShoalError(.io, "cannot create the directory of SQLite database \(path): \(error.localizedDescription)")
                }
            }
            flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readOnly:
            flags |= SQLITE_OPEN_READONLY
        }
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard code == SQLITE_OK, let opened else {
            // Asked only on failure: a status of 10,000 files saves a stat each.
            if mode == .readOnly && !FileManager.default.fileExists(atPath: path) {
                sqlite3_close_v2(opened)
                throw ShoalError(.database, "SQLite database \(path) does not exist (opened read-only, which never creates it)")
            }
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(opened)
            throw ShoalError(.database, "cannot open SQLite database \(path): \(message)",
                             failure: DatabaseFailure(code: .sqlite(SQLiteResultCode(rawValue: code)), phase: .connect))
        }
        handle = opened
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, Int32(clamping: busyTimeoutMs))
        installCancellationCheck()
    }

    deinit {
        statementCache.removeAll()  // finalized before the handle closes
        sqlite3_close_v2(handle)
    }

    /// Stops the statement now running, from any thread (task cancellation).
    func interrupt() {
        sqlite3_interrupt(handle)
    }

    /// True between BEGIN and COMMIT/ROLLBACK.
    var isInTransaction: Bool {
        sqlite3_get_autocommit(handle) == 0
    }

    /// Runs every statement of `sql` in order, like `sqlite3_exec`, but
    /// prepares them one by one so that an error names the statement.
    func execute(_ sql: String) throws {
        try sql.withCString { start in
            var cursor = start
            var index = 0
            while cursor.pointee != 0 {
                index += 1
                let (statement, tail) = try prepare(cursor, index: index)
                cursor = tail
                guard let statement else { continue } // whitespace or a comment
                try run(statement, collecting: false)
            }
        }
    }

    /// Runs one statement with `$1`…`$n` bound as text and returns its rows.
    ///
    /// The prepared statement is kept for the next call with the same text
    /// (as GRDB's `cachedStatement` does): a migration run asks the same
    /// version-table queries at every step.
    func query(_ sql: String, _ parameters: [String?]) throws -> [[String?]] {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        do throws(SQLiteStatement.BindError) {
            try statement.bind(parameters)
        } catch {
            if let code = error.code {
                throw self.error(code, statement: statement)
            }
            throw ShoalError(.database, error.message, detail: "statement: \(Self.snippet(sql))")
        }
        return try run(statement, collecting: true)
    }

    /// The prepared statement for `sql`, from the cache or prepared now
    /// (then checked to be exactly one statement). The cache holds at most
    /// ``statementCacheLimit`` statements and starts over when full.
    private func cachedStatement(_ sql: String) throws -> SQLiteStatement {
        if let statement = statementCache[sql] { return statement }
        let statement = try sql.withCString { start in
            let (first, tail) = try prepare(start, index: 1)
            guard let statement = first else {
                throw ShoalError(.database, "query has no statement: \(Self.snippet(sql))")
            }
            let (second, _) = try prepare(tail, index: 2)
            if let second {
                throw ShoalError(.database, "query takes one statement; use execute for a script",
                                 detail: "statement 2: \(Self.snippet(second.sql))")
            }
            return statement
        }
        if statementCache.count >= Self.statementCacheLimit { statementCache.removeAll() }
        statementCache[sql] = statement
        return statement
    }

    /// Enough for a target's version-table statements and the verify
    /// sections of a long migration chain.
    static let statementCacheLimit = 64

    /// Rolls back the open transaction, if any, and never throws. The
    /// cancellation check is switched off meanwhile, so that a cancelled task
    /// can still roll back.
    func rollbackIfNeeded() {
        guard isInTransaction else { return }
        sqlite3_progress_handler(handle, 0, nil, nil)
        defer { installCancellationCheck() }
        // A stale sqlite3_interrupt can stop the first attempt; the next step
        // starts with the flag cleared.
        for _ in 0..<3 where isInTransaction {
            sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
        }
    }

    // MARK: - Private

    /// sqlite3_interrupt alone races with a cancellation that lands between
    /// statements (it is a no-op when nothing runs), so every 1000 VM steps
    /// sqlite3 also asks whether the running task has been cancelled.
    private func installCancellationCheck() {
        sqlite3_progress_handler(handle, 1000, { _ in Task.isCancelled ? 1 : 0 }, nil)
    }

    private func prepare(_ cursor: UnsafePointer<CChar>, index: Int) throws -> (SQLiteStatement?, UnsafePointer<CChar>) {
        if Task.isCancelled {
            throw ShoalError(.interrupted, "SQLite statement not started: the run was cancelled")
        }
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let code = sqlite3_prepare_v2(handle, cursor, -1, &statement, &tail)
        let end = tail ?? cursor
        guard code == SQLITE_OK else {
            sqlite3_finalize(statement)
            // The tail points where parsing stopped, maybe mid-statement:
            // show the statement up to its `;` (a guess past that point).
            let rest = String(cString: cursor)
            let parsed = String(decoding: UnsafeRawBufferPointer(start: cursor, count: max(0, end - cursor)), as: UTF8.self)
            let afterStop = rest.dropFirst(parsed.count)
            let text = parsed + (afterStop.firstIndex(of: ";").map { afterStop[...$0] } ?? afterStop)
            throw error(code, statementText: text, index: index)
        }
        guard let statement else { return (nil, end) }
        return (SQLiteStatement(handle: statement, index: index), end)
    }

    @discardableResult
    private func run(_ statement: SQLiteStatement, collecting: Bool) throws -> [[String?]] {
        var rows: [[String?]] = []
        while true {
            switch statement.step() {
            case SQLITE_ROW:
                if collecting { rows.append(statement.row()) }
            case SQLITE_DONE:
                return rows
            case let code:
                throw error(code, statement: statement)
            }
        }
    }

    private func error(_ code: Int32, statement: SQLiteStatement) -> ShoalError {
        error(code, statementText: statement.sql, index: statement.index)
    }

    /// The boundary where a sqlite3 failure becomes a ``ShoalError``:
    /// sqlite3_errmsg as the message, the extended result code and the
    /// statement as its ``DatabaseFailure``, and the statement in `detail`.
    private func error(_ code: Int32, statementText: String, index: Int) -> ShoalError {
        let message = String(cString: sqlite3_errmsg(handle))
        let resultCode = SQLiteResultCode(rawValue: code)
        let failure = DatabaseFailure(code: .sqlite(resultCode), statement: statementText)
        let detail = "statement \(index): \(Self.snippet(statementText))"
        if resultCode.isInterrupt {
            return ShoalError(.interrupted, "SQLite statement interrupted: the run was cancelled",
                              failure: failure, detail: detail)
        }
        if resultCode.isLockContention {
            return ShoalError(.locked,
                              "another process holds the database \(path) (waited \(busyTimeoutMs) ms for it): \(message)",
                              failure: failure, detail: detail,
                              hint: "wait for the other run or program using the file to finish, then retry")
        }
        return ShoalError(.database, message, failure: failure, detail: detail)
    }

    /// The statement as it appears in an error: trimmed, at most 300 characters.
    /// The statement on one line (runs of whitespace collapsed), cut at 120
    /// characters: enough to recognise it in a report line.
    static func snippet(_ sql: String) -> String {
        let oneLine = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return oneLine.count > 120 ? String(oneLine.prefix(120)) + "…" : oneLine
    }
}
