/// What one replica of a target shows (`shoal status`, SPEC §6): the
/// revisions its copy of the version table holds, and how far its replay
/// trails the primary.
public struct ReplicaStatus: Sendable, Hashable, Encodable {
    /// Whether the replica sees what the primary holds. Raw values are the JSON strings.
    public enum State: String, Sendable, Hashable, Encodable {
        /// Its version table holds the primary's revisions.
        case caughtUp = "caught-up"
        /// It holds other (older) revisions: replay has not reached the last migration.
        case lagging
        /// It could not be read.
        case unreachable
    }

    public var name: String
    /// The revisions in the replica's copy of the version table.
    public var current: [String]
    /// How many bytes of WAL the replica has still to replay to reach the
    /// primary's position when it was read; nil when unknown.
    public var lagBytes: Int?
    /// Seconds since the last transaction it replayed committed on the
    /// primary, 0 when it is not behind; nil when unknown.
    public var lagSeconds: Double?
    public var status: State
    /// Why it is unreachable, or what else is wrong with it.
    public var message: String?

    public init(name: String, current: [String] = [], lagBytes: Int? = nil, lagSeconds: Double? = nil,
                status: State, message: String? = nil) {
        self.name = name
        self.current = current
        self.lagBytes = lagBytes
        self.lagSeconds = lagSeconds
        self.status = status
        self.message = message
    }

    enum CodingKeys: String, CodingKey { case name, current, lagBytes = "lag_bytes", lagSeconds = "lag_seconds", status, message }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(current, forKey: .current)
        try c.encode(lagBytes, forKey: .lagBytes)
        try c.encode(lagSeconds, forKey: .lagSeconds)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(message, forKey: .message)
    }

    /// Reads `replica` of `target` on a read-only session: its version
    /// table, and its replay position against `primaryPosition` (the
    /// primary's, read just before). `primaryCurrent` is what the primary's
    /// version table holds.
    static func read(_ replica: ReplicaConfig, of target: Target, primaryCurrent: [String],
                     primaryPosition: WALPosition?) async -> ReplicaStatus {
        guard let view = target.onReplica(named: replica.name) else {
            return ReplicaStatus(name: replica.name, status: .unreachable, message: "not a PostgreSQL target")
        }
        do {
            let read = try await SessionPool.withSession(view, access: .replica) { session -> ReplicaStatus in
                let state = try await session.readVersionStates(of: [view], checksums: false, expected: [:])[0]
                var status = ReplicaStatus(name: replica.name, current: state.current.sorted(),
                                           status: state.current.sorted() == primaryCurrent ? .caughtUp : .lagging)
                guard try await session.isStandby() else {
                    status.message = "not a standby (pg_is_in_recovery() is false)"
                    return status
                }
                if let primaryPosition, let replay = try await session.replayPosition() {
                    let lag = WALPosition.bytes(from: replay, to: primaryPosition)
                    status.lagBytes = lag
                    status.lagSeconds = lag == 0 ? 0 : try await session.replayAgeSeconds().map { (max(0, $0) * 1000).rounded() / 1000 }
                }
                if await session.isReplayPaused() { status.message = "replay is paused on it: pg_wal_replay_resume() on the replica resumes it" }
                return status
            }
            return read ?? ReplicaStatus(name: replica.name, status: .unreachable, message: "no database to read")
        } catch {
            return ReplicaStatus(name: replica.name, status: .unreachable, message: ShoalError.wrap(error, target: target).message)
        }
    }
}
