import Foundation

/// What happened to one target in a fan-out run (SPEC §6 JSON report).
public struct TargetReport: Sendable, Hashable, Encodable {
    /// Target outcomes. Raw values are the JSON strings.
    public enum Status: String, Sendable, Hashable, Encodable {
        case ok
        case upToDate = "up-to-date"
        case failed
        case skipped
        case rolledBack = "rolled-back"
        case replicaLag = "replica-lag"
        /// Only in `--dry-run` reports: the plan was printed, nothing ran.
        case planned
    }

    /// One step that committed.
    public struct AppliedStep: Sendable, Hashable, Encodable {
        public var revision: String
        public var direction: Direction
        public var durationMs: Int
        public init(revision: String, direction: Direction, durationMs: Int) {
            self.revision = revision
            self.direction = direction
            self.durationMs = durationMs
        }
        enum CodingKeys: String, CodingKey { case revision, durationMs = "duration_ms" }
    }

    /// A failure as users and scripts see it.
    public struct ErrorInfo: Sendable, Hashable, Encodable {
        public var message: String
        public var revision: String?
        /// What the database driver said (the code, statement and phase);
        /// JSON has only its code, as `sql_state`.
        public var failure: DatabaseFailure?
        /// `sql_state` as a journal recorded it, for an error read back
        /// from one (``RecordedRun``), where only the code's text survives.
        var recordedSQLState: String?
        public init(message: String, revision: String? = nil, failure: DatabaseFailure? = nil) {
            self.message = message
            self.revision = revision
            self.failure = failure
        }
        /// The error's message with its detail and hint, each already
        /// redacted by ``ShoalError``.
        public init(_ error: ShoalError) {
            var message = error.message
            if let detail = error.detail { message += " (detail: \(detail))" }
            if let hint = error.hint { message += " (hint: \(hint))" }
            self.init(message: message, revision: error.revision, failure: error.failure)
        }
        /// `sql_state` in JSON: PostgreSQL's SQLSTATE, or SQLite's result code by name.
        public var sqlState: String? { failure?.code?.description ?? recordedSQLState }
        enum CodingKeys: String, CodingKey { case message, revision, sqlState = "sql_state" }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(message, forKey: .message)
            try c.encode(revision, forKey: .revision)
            try c.encode(sqlState, forKey: .sqlState)
        }
    }

    /// How a replica fared after the primary committed (SPEC §7).
    public struct ReplicaReport: Sendable, Hashable, Encodable {
        /// What became of a replica. Raw values are the JSON strings.
        public enum Status: String, Sendable, Hashable, Encodable {
            /// It replayed past the primary's WAL position after the commit.
            case caughtUp = "caught-up"
            /// `--replica-timeout` ran out first; the primary's change stays.
            case lagging
            /// It could not be reached or asked (or is no standby of this
            /// primary): only reported when `--allow-missing-replicas`, or
            /// when it went away after the primary committed.
            case unreachable
        }

        public var name: String
        public var status: Status
        /// How long shoal waited for it.
        public var waitedMs: Int?
        /// How far behind the commit it still was; 0 once caught up.
        public var lagBytes: Int?
        /// Why it is lagging or unreachable.
        public var message: String?
        public init(name: String, status: Status, waitedMs: Int? = nil, lagBytes: Int? = nil, message: String? = nil) {
            self.name = name
            self.status = status
            self.waitedMs = waitedMs
            self.lagBytes = lagBytes
            self.message = message
        }
        enum CodingKeys: String, CodingKey { case name, status, waitedMs = "waited_ms", lagBytes = "lag_bytes", message }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(status, forKey: .status)
            try c.encode(waitedMs, forKey: .waitedMs)
            try c.encode(lagBytes, forKey: .lagBytes)
            try c.encodeIfPresent(message, forKey: .message)
        }
    }

    public var target: String
    public var database: String
    public var shard: String?
    public var tenant: String?
    public var status: Status
    public var from: [String]
    public var to: [String]
    public var applied: [AppliedStep]
    /// For `--dry-run`: the steps that would run.
    public var planned: [String]?
    /// For `--dry-run`: the transactions those steps would run in (SPEC
    /// §13), in order; per step, one each. Nil for a stamp.
    public var groups: [[String]]?
    /// `upgrade --phase expand`: the first `contract` migration the target
    /// stopped before (SPEC §9.3); nil when nothing was held back or the
    /// target did not get that far.
    public var stoppedAt: String?
    public var durationMs: Int
    public var error: ErrorInfo? {
        get { errorBox?.value }
        set { errorBox = newValue.map(ErrorBox.init) }
    }
    /// `error` out of line: most reports have none, and a report is kept
    /// several times per target (the run's ledger, the journal's queue,
    /// the final report), so at 100,000 targets the ~100 bytes of an
    /// inline `ErrorInfo?` cost tens of MB (issue 16).
    private var errorBox: ErrorBox?
    public var replicas: [ReplicaReport]
    /// Lock-timeout retries this target needed (PostgreSQL).
    public var retries: Int
    /// False when the target's version table could not be read (it was
    /// unreachable, locked, or failed before its first read): `from` and
    /// `to` are then empty but do not mean `base`. In JSON only when false,
    /// as `"revisions_known": false`.
    public var revisionsKnown = true
    /// The primary's WAL position after this run's last commit on a target
    /// with replicas: what they must replay. Not part of the JSON.
    var commitPosition: WALPosition?

    public init(target: Target, status: Status, from: [String] = [], to: [String] = [],
                applied: [AppliedStep] = [], planned: [String]? = nil, durationMs: Int = 0,
                error: ErrorInfo? = nil, replicas: [ReplicaReport] = [], retries: Int = 0) {
        self.target = target.id
        self.database = target.database
        self.shard = target.shard
        self.tenant = target.tenant
        self.status = status
        self.from = from
        self.to = to
        self.applied = applied
        self.planned = planned
        self.durationMs = durationMs
        self.errorBox = error.map(ErrorBox.init)
        self.replicas = replicas
        self.retries = retries
    }

    /// An ``ErrorInfo`` on the heap, compared by value.
    private final class ErrorBox: Sendable, Hashable {
        let value: ErrorInfo
        init(_ value: ErrorInfo) { self.value = value }
        static func == (left: ErrorBox, right: ErrorBox) -> Bool { left.value == right.value }
        func hash(into hasher: inout Hasher) { hasher.combine(value) }
    }

    /// True for outcomes that count as success.
    public var succeeded: Bool { status == .ok || status == .upToDate || status == .planned }

    enum CodingKeys: String, CodingKey {
        case target, database, shard, tenant, status, from, to, applied, planned, groups, stoppedAt = "stopped_at"
        case durationMs = "duration_ms", error, replicas, retries, revisionsKnown = "revisions_known"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(target, forKey: .target)
        try c.encode(database, forKey: .database)
        try c.encode(shard, forKey: .shard)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(status, forKey: .status)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        if !revisionsKnown { try c.encode(false, forKey: .revisionsKnown) }
        try c.encode(applied, forKey: .applied)
        try c.encodeIfPresent(planned, forKey: .planned)
        try c.encodeIfPresent(groups, forKey: .groups)
        try c.encodeIfPresent(stoppedAt, forKey: .stoppedAt)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(error, forKey: .error)
        try c.encode(replicas, forKey: .replicas)
        if retries > 0 { try c.encode(retries, forKey: .retries) }
    }
}

/// The report of a fan-out command (upgrade, downgrade, stamp).
public struct FleetReport: Sendable, Hashable, Encodable {
    /// Counts by outcome.
    public struct Summary: Sendable, Hashable, Encodable {
        public var targets = 0
        public var ok = 0
        public var upToDate = 0
        public var failed = 0
        public var skipped = 0
        public var rolledBack = 0
        public var replicaLag = 0
        public init() {}
        enum CodingKeys: String, CodingKey {
            case targets, ok, upToDate = "up_to_date", failed, skipped, rolledBack = "rolled_back", replicaLag = "replica_lag"
        }
    }

    public var command: String
    public var dryRun: Bool
    /// The run's id (SPEC §11); nil for a dry run, which is no run. In JSON
    /// as `"run"`, absent for a dry run.
    public var run: RunID?
    /// The path of the run's journal; nil for a dry run or with the journal
    /// off. Not part of the JSON.
    public var journal: String?
    public var durationMs: Int
    public var targets: [TargetReport]
    /// Lint errors that nothing allows in the migrations the run applied,
    /// with `"lint": "warn"` (``FleetPlan/lint``); an upgrade's JSON lists
    /// them under `"lint"`.
    public var lint: [LintFinding]

    public init(command: String, dryRun: Bool = false, durationMs: Int, targets: [TargetReport], lint: [LintFinding] = []) {
        self.command = command
        self.dryRun = dryRun
        self.durationMs = durationMs
        self.targets = targets
        self.lint = lint
    }

    /// `ok` counts targets that ended well, up-to-date ones included, so that
    /// `ok + failed + skipped + rolled_back + replica_lag == targets`.
    public var summary: Summary {
        var s = Summary()
        s.targets = targets.count
        for t in targets {
            switch t.status {
            case .ok, .planned: s.ok += 1
            case .upToDate: s.ok += 1; s.upToDate += 1
            case .failed: s.failed += 1
            case .skipped: s.skipped += 1
            case .rolledBack: s.rolledBack += 1
            case .replicaLag: s.replicaLag += 1
            }
        }
        return s
    }

    /// True when every target ended well.
    public var succeeded: Bool { targets.allSatisfy(\.succeeded) }

    enum CodingKeys: String, CodingKey { case run, command, dryRun = "dry_run", durationMs = "duration_ms", summary, targets, lint }

    public func encode(to encoder: Encoder) throws {
        try encode(to: encoder, targets: targets)
    }

    /// The report with `targets` in place of its own (the summary still counts its own).
    private func encode(to encoder: Encoder, targets: [TargetReport]) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(run?.description, forKey: .run)
        try c.encode(command, forKey: .command)
        if dryRun { try c.encode(true, forKey: .dryRun) }
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(summary, forKey: .summary)
        try c.encode(targets, forKey: .targets)
        if command == FleetCommand.upgrade(.head).name { try c.encode(lint, forKey: .lint) }
    }

    /// The JSON report, as ``ShoalJSON/encode(_:)`` writes it, handed to
    /// `write` a few hundred targets at a time (``ShoalJSON/stream(_:array:elements:chunk:to:)``).
    public func writeJSON(chunk: Int = 512, to write: (Data) throws -> Void) throws {
        try ShoalJSON.stream(Shell(report: self), array: CodingKeys.targets.stringValue, elements: targets, chunk: chunk, to: write)
    }

    /// The report with no targets listed but counted.
    private struct Shell: Encodable {
        let report: FleetReport
        func encode(to encoder: Encoder) throws { try report.encode(to: encoder, targets: []) }
    }
}
