/// The one error type ShoalKit throws.
///
/// `kind` says which part of shoal refused (so the CLI can pick an exit code),
/// `message` is what a user reads. Errors about input carry the file and line;
/// errors from a database carry a ``DatabaseFailure`` (the driver's code, the
/// statement, the phase), the server's detail and hint, the target and the
/// revision being applied.
///
/// This is where passwords are hidden, once for all of shoal: the message,
/// file, detail and hint go through ``Redactor`` as they land here, so no
/// error carries a password. A text about a failure that quotes a driver, a
/// URL or another error (in a report, on stderr, in JSON, in a log line) is
/// made as a ShoalError, so code that writes one needs no redaction of its own.
public struct ShoalError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is. A struct so that new kinds can be added
    /// without breaking anyone's `switch`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case usage, config, migrationFile, revision, plan, database, verification, locked, dirty, checksum, io, interrupted
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// A command line that cannot be acted on.
        public static let usage = Kind(.usage)
        /// config.json, a tenant registry or an environment variable.
        public static let config = Kind(.config)
        /// A migration file or a versions directory.
        public static let migrationFile = Kind(.migrationFile)
        /// A revision argument or the revision graph (unknown id, ambiguous head).
        public static let revision = Kind(.revision)
        /// A target's plan cannot be made (missing down, unknown applied revision).
        public static let plan = Kind(.plan)
        /// The database refused a statement or a connection.
        public static let database = Kind(.database)
        /// A verify section returned false.
        public static let verification = Kind(.verification)
        /// Another migrator holds the target.
        public static let locked = Kind(.locked)
        /// The target is marked dirty by an interrupted `transaction: false` migration.
        public static let dirty = Kind(.dirty)
        /// An applied revision's file changed since it was applied.
        public static let checksum = Kind(.checksum)
        /// Reading or writing a file failed.
        public static let io = Kind(.io)
        /// The run was interrupted (SIGINT, SIGTERM).
        public static let interrupted = Kind(.interrupted)
        public var description: String { base.rawValue }
    }

    public var kind: Kind
    /// What went wrong. Like ``file``, ``detail`` and ``hint``, it never
    /// holds a password: every value set is passed through ``Redactor``,
    /// because a message may quote a driver's text, a URL, or a config value
    /// that a `${VAR}` filled with a URL.
    public var message: String { didSet { message = Redactor.redact(message) } }
    /// The file the problem is in, when there is one (a path may come from a variable too).
    public var file: String? { didSet { file = file.map(Redactor.redact) } }
    /// 1-based line in `file`.
    public var line: Int?
    /// The revision being applied or named.
    public var revision: String?
    /// The id of the target the error happened on (`crm/eu/acme`), once
    /// the fleet has put it down to one.
    public var target: String?
    /// What the database driver said, when the error comes from one.
    public var failure: DatabaseFailure?
    public var detail: String? { didSet { detail = detail.map(Redactor.redact) } }
    public var hint: String? { didSet { hint = hint.map(Redactor.redact) } }

    public init(_ kind: Kind, _ message: String, file: String? = nil, line: Int? = nil,
                revision: String? = nil, failure: DatabaseFailure? = nil, detail: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.message = Redactor.redact(message)
        self.file = file.map(Redactor.redact)
        self.line = line
        self.revision = revision
        self.failure = failure
        self.detail = detail.map(Redactor.redact)
        self.hint = hint.map(Redactor.redact)
    }

    /// The driver's code as reports print it (`sql_state`): PostgreSQL's
    /// SQLSTATE (`55P03`), or SQLite's extended result code by name
    /// (`SQLITE_BUSY`); nil when the database gave none.
    public var sqlState: String? {
        failure?.code?.description
    }

    /// True for errors that mean the command could not start: bad usage,
    /// config or migration files, or a revision argument that does not resolve.
    /// The CLI exits 2 for these; nothing has been touched.
    public var preventsStart: Bool {
        kind == .usage || kind == .config || kind == .migrationFile || kind == .revision
    }

    public var description: String {
        var text = ""
        if let file {
            text += file
            if let line { text += ":\(line)" }
            text += ": "
        }
        text += message
        if let detail { text += "\n  detail: \(detail)" }
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

extension ShoalError {
    /// `error` itself when it is a ShoalError, else a `.database` error that
    /// says what `error` says (redacted, as every message is).
    init(_ error: any Error) {
        self = error as? ShoalError ?? ShoalError(.database, String(describing: error))
    }

    /// Any error as a ShoalError about `target`: a ShoalError gets the
    /// target; any other error becomes a `.database` error naming it.
    static func wrap(_ error: any Error, target: Target) -> ShoalError {
        var wrapped = error as? ShoalError ?? ShoalError(.database, "\(target.id): \(String(describing: error))")
        if wrapped.target == nil { wrapped.target = target.id }
        return wrapped
    }

    /// This error with its database failure's phase set to `phase`, unless
    /// the failure already names one (the innermost phase is the precise
    /// one). An error that is not the database's has no phase to set.
    func during(_ phase: DatabaseFailure.Phase) -> ShoalError {
        var error = self
        if error.failure != nil && error.failure?.phase == nil { error.failure?.phase = phase }
        return error
    }
}
