/// What `shoal test` found (SPEC §10.2): for each revision walked, whether
/// its `down` undid its `up` and its `up` redid it, with the timings and,
/// for a failed step, the difference and the error. Encodes as §10.2's JSON.
///
/// It lives in Fleet, next to ``TargetReport``, whose error encoding
/// (`{ "message", "revision", "sql_state" }`) it shares.
public struct RoundTripReport: Sendable, Hashable, Encodable {
    /// One revision of the stairway.
    public struct Step: Sendable, Hashable, Encodable {
        /// How a step fared. Raw values are the JSON strings.
        public enum Status: String, Sendable, Hashable, Encodable {
            /// Up, down back to the schema before, up again to the same schema.
            case ok
            /// Its up, down or verify failed, its down left a different schema,
            /// its second up did not give the first one's schema, or (a
            /// schema-per-tenant database) its up created objects outside the
            /// tenant's schema.
            case failed
            /// It has no `down` section: only its up ran (a failure with `--strict`).
            case noDown = "no-down"
        }

        public var revision: String
        /// The migration's `-- message:` header.
        public var message: String?
        public var status: Status
        /// The first upgrade's time; nil when it failed.
        public var upMs: Int?
        /// The downgrade's time; nil without a `down` or when it did not run or failed.
        public var downMs: Int?
        /// `+ <line>` / `- <line>` (SPEC §10.1): the schema after the down
        /// against the schema before the up, or after the second up against
        /// after the first; for objects outside the tenant's schema, those
        /// objects. Empty when none.
        public var diff: [String]
        public var error: TargetReport.ErrorInfo?

        public init(revision: String, message: String?, status: Status, upMs: Int? = nil, downMs: Int? = nil,
                    diff: [String] = [], error: TargetReport.ErrorInfo? = nil) {
            self.revision = revision
            self.message = message
            self.status = status
            self.upMs = upMs
            self.downMs = downMs
            self.diff = diff
            self.error = error
        }

        enum CodingKeys: String, CodingKey {
            case revision, message, status, upMs = "up_ms", downMs = "down_ms", diff, error
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(revision, forKey: .revision)
            try c.encode(message, forKey: .message)
            try c.encode(status, forKey: .status)
            try c.encode(upMs, forKey: .upMs)
            try c.encode(downMs, forKey: .downMs)
            try c.encode(diff, forKey: .diff)
            try c.encode(error, forKey: .error)
        }
    }

    /// Steps by status.
    public struct Summary: Sendable, Hashable, Encodable {
        public var steps: Int
        public var ok: Int
        public var failed: Int
        public var noDown: Int
        enum CodingKeys: String, CodingKey { case steps, ok, failed, noDown = "no_down" }
    }

    public var database: String
    /// The revision `--to` named (resolved), or nil for the whole graph.
    public var to: String?
    /// The heads of the revisions walked: the graph's heads, or `to`. More
    /// than one fails the test (``failed(strict:)``): `upgrade head` could not
    /// choose, and the branches were never tested together.
    public var heads: [String]
    /// The steps walked, in graph order; the walk stops after the first failure.
    public var steps: [Step]
    /// The revisions not walked because a step before them failed.
    public var notRun: Int
    public var durationMs: Int

    public init(database: String, to: String?, heads: [String], steps: [Step], notRun: Int, durationMs: Int) {
        self.database = database
        self.to = to
        self.heads = heads
        self.steps = steps
        self.notRun = notRun
        self.durationMs = durationMs
    }

    public var summary: Summary {
        Summary(steps: steps.count, ok: steps.count(where: { $0.status == .ok }), failed: steps.count(where: { $0.status == .failed }),
                noDown: steps.count(where: { $0.status == .noDown }))
    }

    /// True when a step failed, the walk had several heads, or, with
    /// `strict`, a step has no `down` (the CLI exits 1).
    public func failed(strict: Bool) -> Bool {
        let summary = summary
        return summary.failed > 0 || heads.count > 1 || (strict && summary.noDown > 0)
    }

    enum CodingKeys: String, CodingKey {
        case database, to, heads, steps, notRun = "not_run", summary, durationMs = "duration_ms"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(database, forKey: .database)
        try c.encode(to, forKey: .to)
        try c.encode(heads, forKey: .heads)
        try c.encode(steps, forKey: .steps)
        try c.encode(notRun, forKey: .notRun)
        try c.encode(summary, forKey: .summary)
        try c.encode(durationMs, forKey: .durationMs)
    }
}
