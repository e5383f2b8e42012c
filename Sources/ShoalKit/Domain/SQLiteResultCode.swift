/// SQLite's extended result code, as GRDB's `ResultCode`: the number
/// `sqlite3_extended_errcode` returns, with the codes shoal acts on as
/// static members. A struct, so that codes a newer SQLite adds are values
/// like any other.
///
/// shoal reports a code by its C name (`SQLITE_CONSTRAINT_UNIQUE`), which is
/// what an operator can search for; a code this table does not know (one
/// added by a newer SQLite) is reported as its decimal number (`"2067"`). The
/// values are SQLite's stable ABI; they are written out as numbers so the
/// table compiles against older `sqlite3.h` (and Domain needs no sqlite3).
public struct SQLiteResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The extended code (`SQLITE_BUSY_TIMEOUT` is 773).
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// `SQLITE_INTERNAL`: a bug in SQLite.
    public static let `internal` = SQLiteResultCode(rawValue: 2)
    /// `SQLITE_BUSY`: another connection holds a lock, past the busy timeout.
    public static let busy = SQLiteResultCode(rawValue: 5)
    /// `SQLITE_LOCKED`: a conflict inside one connection (shared cache).
    public static let locked = SQLiteResultCode(rawValue: 6)
    /// `SQLITE_NOMEM`: an allocation failed.
    public static let noMemory = SQLiteResultCode(rawValue: 7)
    /// `SQLITE_INTERRUPT`: `sqlite3_interrupt` (task cancellation) stopped the statement.
    public static let interrupt = SQLiteResultCode(rawValue: 9)
    /// `SQLITE_IOERR`: the operating system refused a read, write or lock.
    public static let ioError = SQLiteResultCode(rawValue: 10)
    /// `SQLITE_CORRUPT`: the file is malformed.
    public static let corrupt = SQLiteResultCode(rawValue: 11)
    /// `SQLITE_CANTOPEN`: the file (or its journal) cannot be opened.
    public static let cantOpen = SQLiteResultCode(rawValue: 14)
    /// `SQLITE_MISUSE`: the library was called in a way it does not allow.
    public static let misuse = SQLiteResultCode(rawValue: 21)
    /// `SQLITE_NOTADB`: the file is not a SQLite database.
    public static let notADatabase = SQLiteResultCode(rawValue: 26)

    /// The primary code, the low eight bits: `SQLITE_BUSY` for `SQLITE_BUSY_TIMEOUT`.
    public var primary: SQLiteResultCode {
        SQLiteResultCode(rawValue: rawValue & 0xff)
    }

    /// The C name (`"SQLITE_BUSY_TIMEOUT"`), or the decimal text of a code
    /// this table does not know: what reports print as `sql_state`.
    public var description: String {
        Self.names[rawValue] ?? String(rawValue)
    }

    /// True for the codes that mean another connection holds a lock.
    var isLockContention: Bool {
        primary == .busy || primary == .locked
    }

    /// True when `sqlite3_interrupt` (task cancellation) stopped the statement.
    var isInterrupt: Bool {
        primary == .interrupt
    }

    /// Whether the connection should be closed rather than used again.
    ///
    /// A statement SQLite refused (a constraint, a syntax error, a busy
    /// timeout, a read-only file) rolled back and leaves the connection as
    /// good as before, like a PostgreSQL error outside classes 08, 57 and XX.
    /// These leave it in doubt: an I/O error, a corrupt file or one that is
    /// not a database, a file that cannot be opened (what the connection sees
    /// may no longer be what is on disk); an interrupt (the run is being
    /// cancelled, and a stale interrupt could stop the next statement); and
    /// out of memory, misuse or an internal error (the library's own state is
    /// in doubt). shoal opens one SQLite session per file and never pools
    /// them, so today this decides nothing; it answers for a caller that would.
    var leavesSessionUnusable: Bool {
        [.ioError, .corrupt, .notADatabase, .cantOpen, .interrupt, .noMemory, .misuse, .internal].contains(primary)
    }

    private static let names: [Int32: String] = [
        0: "SQLITE_OK",
        1: "SQLITE_ERROR",
        2: "SQLITE_INTERNAL",
        3: "SQLITE_PERM",
        4: "SQLITE_ABORT",
        5: "SQLITE_BUSY",
        6: "SQLITE_LOCKED",
        7: "SQLITE_NOMEM",
        8: "SQLITE_READONLY",
        9: "SQLITE_INTERRUPT",
        10: "SQLITE_IOERR",
        11: "SQLITE_CORRUPT",
        12: "SQLITE_NOTFOUND",
        13: "SQLITE_FULL",
        14: "SQLITE_CANTOPEN",
        15: "SQLITE_PROTOCOL",
        16: "SQLITE_EMPTY",
        17: "SQLITE_SCHEMA",
        18: "SQLITE_TOOBIG",
        19: "SQLITE_CONSTRAINT",
        20: "SQLITE_MISMATCH",
        21: "SQLITE_MISUSE",
        22: "SQLITE_NOLFS",
        23: "SQLITE_AUTH",
        24: "SQLITE_FORMAT",
        25: "SQLITE_RANGE",
        26: "SQLITE_NOTADB",
        27: "SQLITE_NOTICE",
        28: "SQLITE_WARNING",
        257: "SQLITE_ERROR_MISSING_COLLSEQ",
        513: "SQLITE_ERROR_RETRY",
        769: "SQLITE_ERROR_SNAPSHOT",
        266: "SQLITE_IOERR_READ",
        522: "SQLITE_IOERR_SHORT_READ",
        778: "SQLITE_IOERR_WRITE",
        1034: "SQLITE_IOERR_FSYNC",
        1290: "SQLITE_IOERR_DIR_FSYNC",
        1546: "SQLITE_IOERR_TRUNCATE",
        1802: "SQLITE_IOERR_FSTAT",
        2058: "SQLITE_IOERR_UNLOCK",
        2314: "SQLITE_IOERR_RDLOCK",
        2570: "SQLITE_IOERR_DELETE",
        2826: "SQLITE_IOERR_BLOCKED",
        3082: "SQLITE_IOERR_NOMEM",
        3338: "SQLITE_IOERR_ACCESS",
        3594: "SQLITE_IOERR_CHECKRESERVEDLOCK",
        3850: "SQLITE_IOERR_LOCK",
        4106: "SQLITE_IOERR_CLOSE",
        4362: "SQLITE_IOERR_DIR_CLOSE",
        4618: "SQLITE_IOERR_SHMOPEN",
        4874: "SQLITE_IOERR_SHMSIZE",
        5130: "SQLITE_IOERR_SHMLOCK",
        5386: "SQLITE_IOERR_SHMMAP",
        5642: "SQLITE_IOERR_SEEK",
        5898: "SQLITE_IOERR_DELETE_NOENT",
        6154: "SQLITE_IOERR_MMAP",
        6410: "SQLITE_IOERR_GETTEMPPATH",
        6666: "SQLITE_IOERR_CONVPATH",
        6922: "SQLITE_IOERR_VNODE",
        7178: "SQLITE_IOERR_AUTH",
        7434: "SQLITE_IOERR_BEGIN_ATOMIC",
        7690: "SQLITE_IOERR_COMMIT_ATOMIC",
        7946: "SQLITE_IOERR_ROLLBACK_ATOMIC",
        8202: "SQLITE_IOERR_DATA",
        8458: "SQLITE_IOERR_CORRUPTFS",
        262: "SQLITE_LOCKED_SHAREDCACHE",
        518: "SQLITE_LOCKED_VTAB",
        261: "SQLITE_BUSY_RECOVERY",
        517: "SQLITE_BUSY_SNAPSHOT",
        773: "SQLITE_BUSY_TIMEOUT",
        270: "SQLITE_CANTOPEN_NOTEMPDIR",
        526: "SQLITE_CANTOPEN_ISDIR",
        782: "SQLITE_CANTOPEN_FULLPATH",
        1038: "SQLITE_CANTOPEN_CONVPATH",
        1294: "SQLITE_CANTOPEN_DIRTYWAL",
        1550: "SQLITE_CANTOPEN_SYMLINK",
        267: "SQLITE_CORRUPT_VTAB",
        523: "SQLITE_CORRUPT_SEQUENCE",
        779: "SQLITE_CORRUPT_INDEX",
        264: "SQLITE_READONLY_RECOVERY",
        520: "SQLITE_READONLY_CANTLOCK",
        776: "SQLITE_READONLY_ROLLBACK",
        1032: "SQLITE_READONLY_DBMOVED",
        1288: "SQLITE_READONLY_CANTINIT",
        1544: "SQLITE_READONLY_DIRECTORY",
        516: "SQLITE_ABORT_ROLLBACK",
        275: "SQLITE_CONSTRAINT_CHECK",
        531: "SQLITE_CONSTRAINT_COMMITHOOK",
        787: "SQLITE_CONSTRAINT_FOREIGNKEY",
        1043: "SQLITE_CONSTRAINT_FUNCTION",
        1299: "SQLITE_CONSTRAINT_NOTNULL",
        1555: "SQLITE_CONSTRAINT_PRIMARYKEY",
        1811: "SQLITE_CONSTRAINT_TRIGGER",
        2067: "SQLITE_CONSTRAINT_UNIQUE",
        2323: "SQLITE_CONSTRAINT_VTAB",
        2579: "SQLITE_CONSTRAINT_ROWID",
        2835: "SQLITE_CONSTRAINT_PINNED",
        3091: "SQLITE_CONSTRAINT_DATATYPE",
        283: "SQLITE_NOTICE_RECOVER_WAL",
        539: "SQLITE_NOTICE_RECOVER_ROLLBACK",
        284: "SQLITE_WARNING_AUTOINDEX",
        279: "SQLITE_AUTH_USER",
    ]
}
