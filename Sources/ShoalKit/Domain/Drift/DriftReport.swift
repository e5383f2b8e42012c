/// What `shoal drift` found (SPEC §10.1): targets grouped by database and
/// current revisions, each group's reference schema, and how each target's
/// schema compares with it. `--json` prints it as it encodes.
///
/// ```swift
/// let report = try await FleetDrift(fleet: fleet, concurrency: 8).drift(of: targets)
/// for target in report.targets where target.state == .drifted {
///     print(target.target, target.diff.joined(separator: "\n"))
/// }
/// ```
public struct DriftReport: Sendable, Hashable, Encodable {
    /// What a group's reference schema is.
    public enum Against: String, Sendable, Hashable, Encodable, CaseIterable {
        /// The most common schema among the group's targets.
        case majority
        /// The schema the migration files build at the group's revisions,
        /// on a scratch target.
        case files
    }

    public var against: Against
    /// One per database and set of current revisions, in the order their
    /// first target comes; uninitialized and unreachable targets are in none.
    public var groups: [DriftGroup]
    /// One per target, in the order given.
    public var targets: [TargetDrift]
    public var summary: DriftSummary

    /// Whether a target is drifted or ambiguous (the CLI exits 1).
    public var hasDrift: Bool { summary.drifted > 0 || summary.ambiguous > 0 }
}

/// The targets of one database at the same revisions, and their reference.
public struct DriftGroup: Sendable, Hashable, Encodable {
    public var database: String
    /// The group's current revisions, sorted; empty: initialized at `base`.
    public var revisions: [String]
    /// The reference schema's fingerprint; nil when the group has none
    /// (no single most common schema, or no files for its revisions).
    public var fingerprint: String?
    /// How many targets the group has.
    public var targets: Int
    /// Why the group has no reference.
    public var message: String?

    enum CodingKeys: String, CodingKey { case database, revisions, fingerprint, targets, message }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(database, forKey: .database)
        try c.encode(revisions, forKey: .revisions)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(targets, forKey: .targets)
        try c.encodeIfPresent(message, forKey: .message)
    }
}

/// How one target's schema compares with its group's reference.
public struct TargetDrift: Sendable, Hashable, Encodable {
    /// A target's state, as `drift --json` spells it.
    public enum State: String, Sendable, Hashable, Encodable, CaseIterable {
        /// Its schema is the reference.
        case same
        /// Its schema differs from the reference: `diff` says how.
        case drifted
        /// Its group has no reference to compare with.
        case ambiguous
        /// Its schema, file or version table does not exist.
        case uninitialized
        /// It could not be read: `message` says why.
        case unreachable
    }

    public var target: String
    public var database: String
    public var shard: String?
    public var tenant: String?
    /// Its current revisions, sorted; empty when unknown or uninitialized.
    public var revisions: [String]
    /// Its schema's fingerprint; nil when it was not read.
    public var fingerprint: String?
    public var state: State
    /// `+ <line>` present on the target and not in the reference, `- <line>`
    /// in the reference and missing on the target; empty unless drifted.
    public var diff: [String]
    /// Why it is ambiguous, uninitialized or unreachable.
    public var message: String?

    enum CodingKeys: String, CodingKey { case target, database, shard, tenant, revisions, fingerprint, state, diff, message }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(target, forKey: .target)
        try c.encode(database, forKey: .database)
        try c.encode(shard, forKey: .shard)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(revisions, forKey: .revisions)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(state, forKey: .state)
        try c.encode(diff, forKey: .diff)
        try c.encodeIfPresent(message, forKey: .message)
    }
}

/// How many targets are in each state.
public struct DriftSummary: Sendable, Hashable, Encodable {
    public var targets = 0
    public var same = 0
    public var drifted = 0
    public var ambiguous = 0
    public var uninitialized = 0
    public var unreachable = 0

    public init() {}

    /// The counts of `targets`' states.
    public init(counting targets: [TargetDrift]) {
        self.targets = targets.count
        for target in targets {
            switch target.state {
            case .same: same += 1
            case .drifted: drifted += 1
            case .ambiguous: ambiguous += 1
            case .uninitialized: uninitialized += 1
            case .unreachable: unreachable += 1
            }
        }
    }
}
