/// The one error type ShoalKit throws.
///
/// `kind` says which part of shoal refused (so the CLI can pick an exit code),
/// `message` is what a user reads. Errors about input carry the file and line;
/// errors from a database carry the SQLSTATE, detail and hint, and the
/// revision being applied. The message, detail and hint go through
/// ``Redactor`` as they land here, so no error carries a password.
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
    /// What went wrong. Like ``detail`` and ``hint``, it never holds a
    /// password: every value set is passed through ``Redactor``, because a
    /// message may quote a config value that a `${VAR}` filled with a URL.
    public var message: String { didSet { message = Redactor.redact(message) } }
    /// The file the problem is in, when there is one.
    public var file: String?
    /// 1-based line in `file`.
    public var line: Int?
    /// The revision being applied or named.
    public var revision: String?
    /// PostgreSQL's SQLSTATE, or SQLite's extended result code as text.
    public var sqlState: String?
    public var detail: String? { didSet { detail = detail.map(Redactor.redact) } }
    public var hint: String? { didSet { hint = hint.map(Redactor.redact) } }

    public init(_ kind: Kind, _ message: String, file: String? = nil, line: Int? = nil,
                revision: String? = nil, sqlState: String? = nil, detail: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.message = Redactor.redact(message)
        self.file = file
        self.line = line
        self.revision = revision
        self.sqlState = sqlState
        self.detail = detail.map(Redactor.redact)
        self.hint = hint.map(Redactor.redact)
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
