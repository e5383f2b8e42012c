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
    public var state: State
    public var replicas: [TargetReport.ReplicaReport]
    /// Why the target is dirty, unreachable or at an unknown revision.
    public var message: String?

    enum CodingKeys: String, CodingKey { case target, database, shard, tenant, current, heads, pending, state, replicas, message }

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

    /// The status of each target, in the order given.
    public func status(of targets: [Target]) async throws -> [TargetStatus] {
        let graphs = try fleet.graphs(for: targets.map(\.database))
        let reader = StateReader(concurrency: concurrency, caps: ConnectionCaps(targets: targets), checksums: false)
        let states = await reader.readStates(targets)
        return zip(targets, states).map { status(of: $0, graph: graphs[$0.database]!, read: $1) }
    }

    private func status(of target: Target, graph: RevisionGraph, read: Result<VersionState, ShoalError>) -> TargetStatus {
        var result = TargetStatus(target: target.id, database: target.database, shard: target.shard, tenant: target.tenant,
                                  current: [], heads: graph.heads, pending: graph.migrations.count,
                                  state: .uninitialized, replicas: [], message: nil)
        let state: VersionState
        switch read {
        case .success(let read):
            state = read
        case .failure(let error):
            result.state = .unreachable
            result.message = error.message
            return result
        }
        result.current = state.current.sorted()
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
