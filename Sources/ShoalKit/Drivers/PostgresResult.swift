import CLibPQ

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
        let rowCount = PQntuples(handle)
        let columnCount = PQnfields(handle)
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(handle, row, column) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(handle, row, column)))
                }
            }
            rows.append(values)
        }
        return rows
    }

    /// The failure as a ShoalError: the server's primary message, SQLSTATE,
    /// detail and hint, each passed through ``Redactor``.
    var error: ShoalError {
        let message = field(SHOAL_PG_DIAG_MESSAGE_PRIMARY)
            ?? PQresultErrorMessage(handle).map { PostgresError.clean(String(cString: $0)) }
        return ShoalError(
            .database,
            Redactor.redact(message.flatMap { $0.isEmpty ? nil : $0 } ?? "statement failed (no message from libpq)"),
            sqlState: field(SHOAL_PG_DIAG_SQLSTATE),
            detail: field(SHOAL_PG_DIAG_MESSAGE_DETAIL).map(Redactor.redact),
            hint: field(SHOAL_PG_DIAG_MESSAGE_HINT).map(Redactor.redact)
        )
    }

    private func field(_ code: Int32) -> String? {
        PQresultErrorField(handle, code).map { String(cString: $0) }
    }
}
