/// A journal's first line (SPEC §11): what ran, on what, by whom. `targets`
/// (every selected target, in run order, so that a reader can list those an
/// interrupted run never reported), `phase` and `from` are shoal's additions.
/// ``RunJournal`` writes it; ``RecordedRun`` reads it back.
public struct RunHeader: Sendable, Hashable, Codable {
    /// The selector options as given (`partition` as `K/N`).
    public struct Selectors: Sendable, Hashable, Codable {
        public var databases: [String]
        public var shards: [String]
        public var tenants: [String]
        public var targets: [String]
        public var partition: String?

        public init(databases: [String], shards: [String], tenants: [String], targets: [String], partition: String?) {
            self.databases = databases
            self.shards = shards
            self.tenants = tenants
            self.targets = targets
            self.partition = partition
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            databases = try c.decodeIfPresent([String].self, forKey: .databases) ?? []
            shards = try c.decodeIfPresent([String].self, forKey: .shards) ?? []
            tenants = try c.decodeIfPresent([String].self, forKey: .tenants) ?? []
            targets = try c.decodeIfPresent([String].self, forKey: .targets) ?? []
            partition = try c.decodeIfPresent(String.self, forKey: .partition)
        }

        /// `partition` is written as `null` when there is none.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(databases, forKey: .databases)
            try c.encode(shards, forKey: .shards)
            try c.encode(tenants, forKey: .tenants)
            try c.encode(targets, forKey: .targets)
            try c.encode(partition, forKey: .partition)
        }
        enum CodingKeys: String, CodingKey { case databases, shards, tenants, targets, partition }
    }

    public var run: RunID
    /// `upgrade`, `downgrade`, `stamp` or `rollback`.
    public var command: String
    /// The command line after `shoal`.
    public var arguments: [String]
    /// The revision argument as typed (`head`, `-1`, `ea29`); nil for a rollback.
    public var revision: String?
    public var selectors: Selectors
    public var configSHA256: String?
    public var startedAt: String
    public var user: String
    public var host: String
    public var shoalVersion: String
    /// The run this one retried (`--retry-failed`).
    public var retryOf: String?
    /// The run this one returns to where it started (`shoal rollback`).
    public var compensates: String?
    /// Every selected target's id, in run order.
    public var targets: [String]
    /// `expand` for `upgrade --phase expand`.
    public var phase: String?
    /// Each target's version rows as the plan found them (shoal's addition):
    /// where `shoal rollback` returns a target the run never reported.
    public var from: [String: [String]]?

    public init(run: RunID, command: String, arguments: [String], revision: String?, selectors: Selectors,
                configSHA256: String?, startedAt: String, user: String, host: String, shoalVersion: String,
                retryOf: String?, compensates: String?, targets: [String], phase: String?, from: [String: [String]]? = nil) {
        self.run = run
        self.command = command
        self.arguments = arguments
        self.revision = revision
        self.selectors = selectors
        self.configSHA256 = configSHA256
        self.startedAt = startedAt
        self.user = user
        self.host = host
        self.shoalVersion = shoalVersion
        self.retryOf = retryOf
        self.compensates = compensates
        self.targets = targets
        self.phase = phase
        self.from = from
    }

    enum CodingKeys: String, CodingKey {
        case run, command, arguments, revision, selectors, configSHA256 = "config_sha256", startedAt = "started_at"
        case user, host, shoalVersion = "shoal_version", retryOf = "retry_of", compensates, targets, phase, from
    }

    /// Reads what an older or hand-made header leaves out as empty; a `run`
    /// that is not a run id is not a header.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        run = try RunID(parsing: try c.decode(String.self, forKey: .run))
        command = try c.decode(String.self, forKey: .command)
        arguments = try c.decodeIfPresent([String].self, forKey: .arguments) ?? []
        revision = try c.decodeIfPresent(String.self, forKey: .revision)
        selectors = try c.decodeIfPresent(Selectors.self, forKey: .selectors)
            ?? Selectors(databases: [], shards: [], tenants: [], targets: [], partition: nil)
        configSHA256 = try c.decodeIfPresent(String.self, forKey: .configSHA256)
        startedAt = try c.decode(String.self, forKey: .startedAt)
        user = try c.decodeIfPresent(String.self, forKey: .user) ?? ""
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? ""
        shoalVersion = try c.decodeIfPresent(String.self, forKey: .shoalVersion) ?? ""
        retryOf = try c.decodeIfPresent(String.self, forKey: .retryOf)
        compensates = try c.decodeIfPresent(String.self, forKey: .compensates)
        targets = try c.decodeIfPresent([String].self, forKey: .targets) ?? []
        phase = try c.decodeIfPresent(String.self, forKey: .phase)
        from = try c.decodeIfPresent([String: [String]].self, forKey: .from)
    }

    /// Optionals are written as `null`: every header has every key.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(run.description, forKey: .run)
        try c.encode(command, forKey: .command)
        try c.encode(arguments, forKey: .arguments)
        try c.encode(revision, forKey: .revision)
        try c.encode(selectors, forKey: .selectors)
        try c.encode(configSHA256, forKey: .configSHA256)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(user, forKey: .user)
        try c.encode(host, forKey: .host)
        try c.encode(shoalVersion, forKey: .shoalVersion)
        try c.encode(retryOf, forKey: .retryOf)
        try c.encode(compensates, forKey: .compensates)
        try c.encode(targets, forKey: .targets)
        try c.encode(phase, forKey: .phase)
        try c.encodeIfPresent(from, forKey: .from)
    }
}

/// A journal's last line: when the run finished, how long it took, its summary.
struct RunFooter: Codable {
    var finishedAt: String
    var durationMs: Int
    var summary: FleetReport.Summary
    enum CodingKeys: String, CodingKey { case finishedAt = "finished_at", durationMs = "duration_ms", summary }

    init(finishedAt: String, durationMs: Int, summary: FleetReport.Summary) {
        self.finishedAt = finishedAt
        self.durationMs = durationMs
        self.summary = summary
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        finishedAt = try c.decode(String.self, forKey: .finishedAt)
        durationMs = try c.decodeIfPresent(Int.self, forKey: .durationMs) ?? 0
        summary = try c.decodeIfPresent(FleetReport.Summary.self, forKey: .summary) ?? FleetReport.Summary()
    }
}
