import CSQLite

/// One prepared sqlite3 statement, finalized in `deinit` (after GRDB's
/// `Statement`). Used only inside ``SQLiteConnection``, on its session's
/// executor; never escapes it.
final class SQLiteStatement {
    private let handle: OpaquePointer
    /// 1-based position of the statement in the script it came from.
    let index: Int

    init(handle: OpaquePointer, index: Int) {
        self.handle = handle
        self.index = index
    }

    /// The statement's text as prepared (sqlite3 keeps it), for error
    /// messages: read only when one is written.
    var sql: String {
        sqlite3_sql(handle).map { String(cString: $0) } ?? ""
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `parameters` to the placeholders `$1`…`$n` (`nil` binds NULL).
    ///
    /// SQLite numbers named parameters by first appearance, so `$2 … $1`
    /// would bind backwards by index: each placeholder is looked up by its
    /// name instead. As in PostgreSQL, a placeholder without a value and a
    /// value without a placeholder are both errors.
    func bind(_ parameters: [String?]) throws(BindError) {
        let count = Int(sqlite3_bind_parameter_count(handle))
        var used = Set<Int>()
        for position in stride(from: 1, through: count, by: 1) {
            guard let cName = sqlite3_bind_parameter_name(handle, Int32(position)) else {
                throw BindError(message: "anonymous placeholder `?` in query; write $1, $2, …")
            }
            let name = String(cString: cName)
            guard name.hasPrefix("$"), let number = Int(name.dropFirst()), number >= 1, number <= parameters.count else {
                throw BindError(message: "placeholder \(name) has no value (\(parameters.count) parameter(s) given)")
            }
            used.insert(number)
            let code: Int32
            if let value = parameters[number - 1] {
                code = value.withCString { text in
                    sqlite3_bind_text(handle, Int32(position), text, Int32(value.utf8.count), SHOAL_SQLITE_TRANSIENT)
                }
            } else {
                code = sqlite3_bind_null(handle, Int32(position))
            }
            if code != SQLITE_OK {
                throw BindError(message: "cannot bind \(name)", code: code)
            }
        }
        if used.count != parameters.count {
            let unused = (1...parameters.count).filter { !used.contains($0) }.map { "$\($0)" }
            throw BindError(message: "\(parameters.count) parameter(s) given but the query never uses \(unused.joined(separator: ", "))")
        }
    }

    /// Makes the statement ready to run again: the last run's state and
    /// its bindings are cleared (a statement in the cache between runs).
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// One `sqlite3_step`: `SQLITE_ROW`, `SQLITE_DONE` or an error code.
    func step() -> Int32 {
        sqlite3_step(handle)
    }

    /// The current row as text: NULL is nil, integers their decimal text,
    /// blobs their bytes decoded as UTF-8.
    func row() -> [String?] {
        let columns = sqlite3_column_count(handle)
        var values: [String?] = []
        values.reserveCapacity(Int(columns))
        for column in 0..<columns {
            if sqlite3_column_type(handle, column) == SQLITE_NULL {
                values.append(nil)
                continue
            }
            // column_text before column_bytes, as sqlite3.h asks.
            let text = sqlite3_column_text(handle, column)
            let length = Int(sqlite3_column_bytes(handle, column))
            values.append(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        }
        return values
    }

    /// A parameter list that does not fit the statement's placeholders.
    struct BindError: Error {
        var message: String
        /// The sqlite3 result code, when sqlite3 refused the value.
        var code: Int32?
    }
}
