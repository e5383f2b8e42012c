/// PostgreSQL's SQLSTATE, as postgres-nio's `PostgresError.Code`: the
/// server's five-character error code, with the codes shoal acts on as
/// static members. Its first two characters are its class (`08`, connection
/// exception), which is what decides whether a session survives it.
///
/// ```swift
/// if error.failure?.code?.sqlState == .lockNotAvailable { … }
/// ```
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code as the server sends it (`"55P03"`).
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// `query_canceled`: a cancelled task (shoal sends `PQcancel`) or `statement_timeout`.
    public static let queryCanceled = SQLState(rawValue: "57014")
    /// `lock_not_available`: `lock_timeout` expired; shoal retries the step (`lock_retries`).
    public static let lockNotAvailable = SQLState(rawValue: "55P03")
    /// `in_failed_sql_transaction`: a statement of the transaction had failed.
    public static let inFailedSQLTransaction = SQLState(rawValue: "25P02")
    /// `insufficient_privilege`: the role may not do it (`CREATE DATABASE` without `CREATEDB`).
    package static let insufficientPrivilege = SQLState(rawValue: "42501")
    /// `active_sql_transaction`: the statement cannot run inside a transaction
    /// block (`CREATE INDEX CONCURRENTLY`, `VACUUM`).
    package static let activeSQLTransaction = SQLState(rawValue: "25001")

    /// The class, the first two characters (`"08"`).
    public var errorClass: Substring {
        rawValue.prefix(2)
    }

    /// What reports print as `sql_state`: the code itself.
    public var description: String { rawValue }

    /// Whether the connection should be closed rather than used again:
    /// after a connection exception (class 08), an operator intervention or
    /// cancellation (57: the server may be shutting down, or the task is being
    /// cancelled), an internal error (XX), or a code that is not a SQLSTATE.
    /// Any other error rolled back the statement or transaction and left
    /// the session as it was.
    var leavesSessionUnusable: Bool {
        rawValue.count != 5 || Self.classesThatEndTheSession.contains(errorClass)
    }

    /// `connection_exception`, `operator_intervention`, `internal_error`.
    private static let classesThatEndTheSession: Set<Substring> = ["08", "57", "XX"]
}
