/// One statement of one migration that a lint rule flags (SPEC §9.1), with
/// where it is, so that an editor can jump to it: `file:line`.
public struct LintFinding: Sendable, Hashable {
    /// The database whose `versions/` folder holds the migration.
    public var database: String
    public var revision: String
    /// The migration file's path as the config names it (`versions/app/…sql`).
    public var file: String
    /// 1-based line in `file` where the statement starts.
    public var line: Int
    public var rule: LintRule
    /// The rule's severity in this migration (see ``LintRule/severity(in:)``).
    public var severity: LintSeverity
    /// What the statement does and why it hurts, naming the table.
    public var message: String
    public var help: String
    /// The statement's text, comments kept.
    public var statement: String
    /// True when an allow comment or an `allow:` header allows the rule here.
    public var allowed: Bool
    /// What PostgreSQL showed while running the statement, for observed
    /// findings (`shoal lint --observe`); nil for static ones.
    public var observation: StatementObservation?

    public init(database: String, revision: String, file: String, line: Int, rule: LintRule,
                severity: LintSeverity? = nil, message: String, help: String? = nil, statement: String,
                allowed: Bool = false, observation: StatementObservation? = nil) {
        self.database = database
        self.revision = revision
        self.file = file
        self.line = line
        self.rule = rule
        self.severity = severity ?? rule.severity
        self.message = message
        self.help = help ?? rule.help
        self.statement = statement
        self.allowed = allowed
        self.observation = observation
    }

    /// True when the finding fails `shoal lint` (or a `refuse` upgrade):
    /// not allowed, and an error, or a warning under `--strict`.
    public func fails(strict: Bool) -> Bool {
        !allowed && (severity == .error || (strict && severity == .warning))
    }
}

/// What PostgreSQL did while one statement ran, read between statements
/// inside the migration's transaction on a scratch database (SPEC §9.2).
/// Tables are named without their schema and only if they existed before
/// the migration.
public struct StatementObservation: Sendable, Hashable {
    public struct Lock: Sendable, Hashable, Encodable {
        public var table: String
        /// `AccessExclusiveLock`, `ShareLock`, … as `pg_locks.mode` spells it.
        public var mode: String
        public init(table: String, mode: String) {
            self.table = table
            self.mode = mode
        }

        /// PostgreSQL's order of table lock modes, 1 (`AccessShareLock`) to
        /// 8 (`AccessExclusiveLock`); 0 for a mode it does not list. From 5
        /// (`ShareLock`) up, a lock blocks writes; 8 blocks reads too.
        package var strength: Int {
            (Self.modes.firstIndex(of: mode) ?? -1) + 1
        }

        /// `ShareLock`'s ``strength``: the weakest lock that blocks writes.
        package static let blocksWrites = 5
        /// `AccessExclusiveLock`'s ``strength``: the only lock that blocks reads.
        package static let blocksReads = 8

        private static let modes = [
            "AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
            "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock",
        ]
    }

    public var database: String
    public var revision: String
    /// 1-based line in the migration file where the statement starts.
    public var line: Int
    public var statement: String
    public var locks: [Lock]
    /// Existing tables and indexes whose `relfilenode` changed.
    public var rewrites: [String]
    /// Existing tables read in full (`seq_scan` grew).
    public var scans: [String]
    /// False when the statement ran outside a transaction (a `transaction:
    /// false` migration's `CREATE INDEX CONCURRENTLY`, `VACUUM`): its locks
    /// were released before they could be read, and ``locks`` is empty.
    public var locksObserved: Bool

    public init(database: String, revision: String, line: Int, statement: String,
                locks: [Lock] = [], rewrites: [String] = [], scans: [String] = [], locksObserved: Bool = true) {
        self.database = database
        self.revision = revision
        self.line = line
        self.statement = statement
        self.locks = locks
        self.rewrites = rewrites
        self.scans = scans
        self.locksObserved = locksObserved
    }
}
