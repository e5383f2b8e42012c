/// What a database driver knows about a failure, beyond the text a user
/// reads: the driver's code, the statement, and the phase of a target's
/// run it happened in. A ``ShoalError`` from a driver carries one; errors
/// shoal raises itself (a refusal, a verify section that returned false) do
/// not.
///
/// Fleet asks it questions (``isLockNotAvailable``,
/// ``leavesSessionUnusable``) instead of reading codes.
public struct DatabaseFailure: Hashable, Sendable {
    /// The driver's code: PostgreSQL's ``SQLState`` or SQLite's
    /// ``SQLiteResultCode``. A struct wrapping a private enum, so that a
    /// driver can be added without breaking anyone's `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case postgres(SQLState)
            case sqlite(SQLiteResultCode)
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A PostgreSQL server's SQLSTATE.
        public static func postgres(_ state: SQLState) -> Code { Code(.postgres(state)) }
        /// A SQLite extended result code.
        public static func sqlite(_ code: SQLiteResultCode) -> Code { Code(.sqlite(code)) }

        /// The SQLSTATE, when PostgreSQL failed.
        public var sqlState: SQLState? {
            if case .postgres(let state) = base { state } else { nil }
        }

        /// The result code, when SQLite failed.
        public var sqliteResultCode: SQLiteResultCode? {
            if case .sqlite(let code) = base { code } else { nil }
        }

        /// What reports print as `sql_state`: the SQLSTATE (`55P03`), or the
        /// SQLite code's name (`SQLITE_BUSY`).
        public var description: String {
            switch base {
            case .postgres(let state): state.description
            case .sqlite(let code): code.description
            }
        }

        var leavesSessionUnusable: Bool {
            switch base {
            case .postgres(let state): state.leavesSessionUnusable
            case .sqlite(let code): code.leavesSessionUnusable
            }
        }
    }

    /// Where in a target's run the failure happened. A struct, like
    /// ``ShoalError/Kind``, so that phases can be added.
    public struct Phase: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case connect, lock, begin, step, verify, commit
            case replicaWait = "replica wait"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// Opening the session (or setting it up): nothing ran.
        public static let connect = Phase(.connect)
        /// Taking the migrator lock: nothing ran.
        public static let lock = Phase(.lock)
        /// A `BEGIN` (for a step, with its read of the version rows).
        public static let begin = Phase(.begin)
        /// A step's SQL; a transactional step rolled back.
        public static let step = Phase(.step)
        /// A step's verify section; a transactional step rolled back.
        public static let verify = Phase(.verify)
        /// Recording a step (its version rows and history row) and its
        /// `COMMIT`: after a lost connection the server may or may not have
        /// committed.
        public static let commit = Phase(.commit)
        /// Waiting for replicas after the primary committed: the primary keeps the change.
        public static let replicaWait = Phase(.replicaWait)
        public var description: String { base.rawValue }
    }

    /// The driver's code; nil when the driver failed without one from the
    /// database (libpq could not connect or lost the connection, a session
    /// was closed, a value could not be bound).
    public var code: Code?
    /// The SQL the driver was running: SQLite's failing statement; on
    /// PostgreSQL the statement, or the script sent whole (the server does
    /// not say which of its statements failed). nil outside a statement.
    public var statement: String?
    /// nil when the failure happened outside a target's run (a status read,
    /// a tenant query) or in a part of it that has no phase of its own.
    public var phase: Phase?

    public init(code: Code? = nil, statement: String? = nil, phase: Phase? = nil) {
        self.code = code
        self.statement = statement
        self.phase = phase
    }

    /// True when PostgreSQL's `lock_timeout` expired (SQLSTATE 55P03): the
    /// step rolled back cleanly and may be retried (`lock_retries`).
    ///
    /// Never true on SQLite. Its nearest match, `SQLITE_BUSY`, comes after
    /// the busy timeout (`--lock-wait`) already waited for the whole file;
    /// shoal reports it as kind `.locked`, not retried, and `lock_retries`
    /// is a PostgreSQL setting (SPEC §2).
    public var isLockNotAvailable: Bool {
        code?.sqlState == .lockNotAvailable
    }

    /// True when the role lacked a privilege (SQLSTATE 42501), such as
    /// `CREATEDB` for the scratch database of `shoal lint --observe`.
    package var isInsufficientPrivilege: Bool {
        code?.sqlState == .insufficientPrivilege
    }

    /// True when a statement refused to run inside a transaction block
    /// (SQLSTATE 25001), before doing anything.
    package var refusesTransactionBlock: Bool {
        code?.sqlState == .activeSQLTransaction
    }

    /// Whether the session the failure happened on should be closed rather
    /// than serve the next target: see ``SQLState`` (classes 08, 57, XX) and
    /// ``SQLiteResultCode`` (I/O, corruption, interrupts). A failure without
    /// a code (a lost or closed connection) always leaves it unusable.
    public var leavesSessionUnusable: Bool {
        code?.leavesSessionUnusable ?? true
    }
}
