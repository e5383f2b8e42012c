/// Where one target stands (`shoal status`, SPEC §6).
public struct TargetStatus: Sendable, Hashable, Encodable {
    /// A target's state, as `status --json` spells it.
    public enum State: String, Sendable, Hashable, Encodable {
        case upToDate = "up-to-date"
        case behind
        case uninitialized
        case dirty
        case unknownRevision = "unknown-revision"
        case unreachable
    }

    public var target: String
    public var database: String
    public var shard: String?
    public var tenant: String?
    public var current: [String]
    public var heads: [String]
    public var pending: Int
    /// About the primary (or, with `readFrom`, that replica).
    public var state: State
    /// What each replica of the target shows; empty without replicas, and
    /// when the status was read from a replica.
    public var replicas: [ReplicaStatus]
    /// Why the target is dirty, unreachable or at an unknown revision.
    public var message: String?
    /// The replica this status was read from (`status --replica NAME`);
    /// nil when read from the primary.
    public var readFrom: String?

    enum CodingKeys: String, CodingKey {
        case target, database, shard, tenant, current, heads, pending, state, replicas, message, readFrom = "read_from"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(target, forKey: .target)
        try c.encode(database, forKey: .database)
        try c.encode(shard, forKey: .shard)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(current, forKey: .current)
        try c.encode(heads, forKey: .heads)
        try c.encode(pending, forKey: .pending)
        try c.encode(state, forKey: .state)
        try c.encode(replicas, forKey: .replicas)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(readFrom, forKey: .readFrom)
    }
}

/// Reads every target's version tables, without creating or changing anything.
public struct FleetStatus: Sendable {
    public let fleet: Fleet
    public let concurrency: Int

    public init(fleet: Fleet, concurrency: Int) {
        self.fleet = fleet
        self.concurrency = concurrency
    }

    /// The status of each target, in the order given: its primary's
    /// version table and what each of its replicas shows. With `replica`,
    /// each target's version table is read from its replica of that name
    /// instead, on a read-only session (a target without one is reported
    /// `unreachable`; ``Target/havingReplica(named:in:)`` selects those that have it).
    public func status(of targets: [Target], onReplica replica: String? = nil) async throws -> [TargetStatus] {
        let graphs = try fleet.graphs(for: targets.map(\.database))
        let caps = ConnectionCaps(targets: targets)
        return await forEachConcurrently(targets, limit: concurrency) { target in
            await caps.withSlot(for: target) { await status(of: target, graph: graphs[target.database]!, onReplica: replica) }
        }
    }

    private func status(of target: Target, graph: RevisionGraph, onReplica replica: String?) async -> TargetStatus {
        var result = TargetStatus(target: target.id, database: target.database, shard: target.shard, tenant: target.tenant,
                                  current: [], heads: graph.heads, pending: graph.migrations.count,
                                  state: .uninitialized, replicas: [], message: nil, readFrom: replica)
        let source = replica.map { target.onReplica(named: $0) } ?? target
        guard let source else {
            result.state = .unreachable
            result.message = "\(target.id) has no replica named `\(replica ?? "")`"
            return result
        }
        let state: VersionState
        var position: WALPosition?
        do {
            state = try await SessionFactory.withSession(source, access: replica == nil ? .read : .replica) { session in
                let state = try await VersionStore(session: session, target: source).readState()
                if !source.replicas.isEmpty, let postgres = session as? PostgresSession {
                    position = try? await postgres.currentWALPosition()
                }
                return state
            } ?? .uninitialized
        } catch {
            result.state = .unreachable
            result.message = ShoalError.wrap(error, target: target).message
            return result
        }
        result.current = state.current.sorted()
        for replica in source.replicas {
            result.replicas.append(await ReplicaStatus.read(replica, of: source, primaryCurrent: result.current, primaryPosition: position))
        }
        let unknown = state.current.filter { graph.migration($0) == nil }
        let applied = graph.ancestors(of: state.current.filter { graph.migration($0) != nil }, inclusive: true)
        let wanted = graph.ancestors(of: graph.heads, inclusive: true)
        result.pending = wanted.subtracting(applied).count
        if let dirty = state.dirty {
            result.state = .dirty
            result.message = TargetPlanner.dirtyError(dirty, target: target).message
        } else if !unknown.isEmpty {
            result.state = .unknownRevision
            result.message = "the version table holds \(unknown.sorted().joined(separator: ", ")), not found in \(graph.directory)"
        } else if !state.initialized {
            result.state = .uninitialized
        } else {
            result.state = result.pending == 0 ? .upToDate : .behind
        }
        return result
    }
}
