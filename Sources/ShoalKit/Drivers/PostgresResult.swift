import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One `PGresult`, owned: cleared exactly once, in `deinit`.
///
/// Only ``PostgresConnection`` makes these; nothing outside the driver sees
/// the pointer.
final class PostgresResult {
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQclear(handle)
    }

    var status: ExecStatusType { PQresultStatus(handle) }

    /// True when the statement failed (the server sent an ErrorResponse, or
    /// libpq gave up on the connection).
    var isError: Bool {
        status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE
    }

    /// The command tag, e.g. `COMMIT`, `ROLLBACK`, `INSERT 0 1`.
    var commandStatus: String {
        PQcmdStatus(handle).map { String(cString: $0) } ?? ""
    }

    /// Every row, each value as text; SQL NULL is nil.
    var rows: [[String?]] {
        let columnCount = Int(PQnfields(handle))
        return (0..<rowCount).map { row in (0..<columnCount).map { text(row, $0) } }
    }

    var rowCount: Int { Int(PQntuples(handle)) }

    /// The value at (`row`, `column`) as text; nil for SQL NULL.
    func text(_ row: Int, _ column: Int) -> String? {
        guard PQgetisnull(handle, Int32(row), Int32(column)) == 0 else { return nil }
        return String(cString: PQgetvalue(handle, Int32(row), Int32(column)))
    }

    /// The value at (`row`, `column`) as text; `known` itself (no new
    /// String) when its bytes are the value's.
    func text(_ row: Int, _ column: Int, sharing known: String?) -> String? {
        guard PQgetisnull(handle, Int32(row), Int32(column)) == 0 else { return nil }
        guard let value = PQgetvalue(handle, Int32(row), Int32(column)) else { return nil }
        if var known {
            let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
            let same = known.withUTF8 { bytes in
                bytes.count == length && (length == 0 || memcmp(bytes.baseAddress!, value, length) == 0)
            }
            if same { return known }
        }
        return String(cString: value)
    }

    /// The value at (`row`, `column`) as an integer, parsed from libpq's
    /// buffer (`strtoll`) without making a String; nil for NULL or text that
    /// is not a whole decimal number.
    func int(_ row: Int, _ column: Int) -> Int? {
        guard PQgetisnull(handle, Int32(row), Int32(column)) == 0,
              let value = PQgetvalue(handle, Int32(row), Int32(column)), value.pointee != 0 else { return nil }
        var end: UnsafeMutablePointer<CChar>?
        errno = 0
        let number = strtoll(value, &end, 10)
        guard errno == 0, end?.pointee == 0 else { return nil }
        return Int(number)
    }

    /// The first byte of the value at (`row`, `column`); nil for NULL, 0 for
    /// the empty string.
    func firstByte(_ row: Int, _ column: Int) -> UInt8? {
        guard PQgetisnull(handle, Int32(row), Int32(column)) == 0,
              let value = PQgetvalue(handle, Int32(row), Int32(column)) else { return nil }
        return UInt8(bitPattern: value.pointee)
    }

    /// The failure as a ShoalError: the server's primary message, SQLSTATE,
    /// detail and hint, and `statement`, the SQL that was sent.
    func error(statement: String?) -> ShoalError {
        let message = field(SHOAL_PG_DIAG_MESSAGE_PRIMARY)
            ?? PQresultErrorMessage(handle).map { PostgresError.clean(String(cString: $0)) }
        return ShoalError(
            .database,
            message.flatMap { $0.isEmpty ? nil : $0 } ?? "statement failed (no message from libpq)",
            failure: DatabaseFailure(code: field(SHOAL_PG_DIAG_SQLSTATE).map { .postgres(SQLState(rawValue: $0)) },
                                     statement: statement),
            detail: field(SHOAL_PG_DIAG_MESSAGE_DETAIL),
            hint: field(SHOAL_PG_DIAG_MESSAGE_HINT)
        )
    }

    private func field(_ code: Int32) -> String? {
        PQresultErrorField(handle, code).map { String(cString: $0) }
    }
}
