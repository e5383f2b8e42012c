/// Where one target stands (`shoal status`, SPEC §6).
public struct TargetStatus: Sendable, Hashable, Encodable {
    /// A target's state, as `status --json` spells it.
    public enum State: String, Sendable, Hashable, Encodable, CaseIterable {
        case upToDate = "up-to-date"
        case behind
        case uninitialized
        case dirty
        /// Dirty, but a live shoal run holds the target's lock: a
        /// `transaction: false` migration is running now, not crashed.
        case inProgress = "in-progress"
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
    /// How many of the pending migrations are `contract` ones (SPEC §9.3):
    /// what a plain `upgrade` would still apply after `upgrade --phase expand`.
    public var pendingContract = 0
    /// About the primary (or, with `readFrom`, that replica).
    public var state: State
    /// What each replica of the target shows; empty without replicas, and
    /// when the status was read from a replica.
    public var replicas: [ReplicaStatus]
    /// Why the target is dirty, in progress, unreachable or at an unknown revision.
    public var message: String?
    /// The replica this status was read from (`status --replica NAME`);
    /// nil when read from the primary.
    public var readFrom: String?
    /// Applied revisions whose file's checksum is no longer the one recorded
    /// when they were applied (an applied migration was edited), sorted;
    /// `shoal verify` says more, `upgrade` refuses the target.
    public var modified: [String] = []

    enum CodingKeys: String, CodingKey {
        case target, database, shard, tenant, current, heads, pending, pendingContract = "pending_contract", state, replicas
        case message, readFrom = "read_from"
        case modified
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
        try c.encode(pendingContract, forKey: .pendingContract)
        try c.encode(state, forKey: .state)
        try c.encode(replicas, forKey: .replicas)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(readFrom, forKey: .readFrom)
        try c.encode(modified, forKey: .modified)
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
    /// The primaries start connecting at once, while the migration files
    /// load; every session is closed when it returns or throws.
    public func status(of targets: [Target], onReplica replica: String? = nil) async throws -> [TargetStatus] {
        try await SessionPool.withPool(for: targets, warmingUp: replica == nil ? concurrency : nil) { pool in
            try await status(of: targets, onReplica: replica, in: pool)
        }
    }

    /// ``status(of:onReplica:)`` with the sessions of `pool` (which the caller closes).
    func status(of targets: [Target], onReplica replica: String?, in pool: SessionPool) async throws -> [TargetStatus] {
        let graphs = try fleet.graphs(for: targets.map(\.database))
        // With `replica`, each target's replica of that name (nil: none);
        // without, the targets themselves, not copied (10,000 of them).
        let replicaSources = replica.map { name in targets.map { $0.onReplica(named: name) } }
        @Sendable func source(_ index: Int) -> Target? { replicaSources.map { $0[index] } ?? targets[index] }
        let readable = replicaSources?.compactMap { $0 } ?? targets
        // The applied checksums too, for `modified`; equal ones share the files' Strings.
        let reader = StateReader(concurrency: concurrency, pool: pool,
                                 expectedChecksums: graphs.mapValues { graph in
                                     Dictionary(graph.migrations.map { ($0.revision, $0.checksum) }, uniquingKeysWith: { first, _ in first })
                                 },
                                 access: replica == nil ? .read : .replica)
        let states = await reader.readStates(readable)
        pool.discardWarmup()
        let reads: [Result<VersionState, ShoalError>?]
        if let replicaSources {
            var next = states.makeIterator()
            reads = replicaSources.map { $0 == nil ? nil : next.next() }
        } else {
            reads = states
        }
        let positions = await primaryPositions(readable.filter { !$0.replicas.isEmpty }, pool: pool)
        // Most targets of a database share their version rows: count their
        // pending revisions once per distinct set, not once per target.
        var pendingBySet: [VersionRows: Pending] = [:]
        var statuses: [TargetStatus] = []
        statuses.reserveCapacity(targets.count)
        // Targets come database by database: look each graph up once per run of them.
        var graphDatabase: String?
        var currentGraph: RevisionGraph?
        for (index, target) in targets.enumerated() {
            if target.database != graphDatabase {
                graphDatabase = target.database
                currentGraph = graphs[target.database]
            }
            let graph = currentGraph!  // graphs holds every target's database
            let current = (try? reads[index]?.get().current) ?? []
            let rows = VersionRows(target.database, current)
            let pending: Pending
            if let known = pendingBySet[rows] {
                pending = known
            } else {
                pending = Pending(graph: graph, current: current)
                pendingBySet[rows] = pending
            }
            statuses.append(status(of: target, graph: graph, read: reads[index], pending: pending, onReplica: replica))
        }
        // Only targets with replicas need more reading (a task each, not
        // one per target: 10,000 SQLite tenants have none).
        let withReplicas = targets.indices.filter { index in
            guard let source = source(index), !source.replicas.isEmpty, case .success = reads[index] else { return false }
            return true
        }
        let primaryCurrent = withReplicas.map { statuses[$0].current }
        let replicaStatuses = await forEachConcurrently(Array(zip(withReplicas, primaryCurrent)), limit: concurrency) { index, current -> (Int, [ReplicaStatus]) in
            let source = source(index)!
            var position: WALPosition?
            if case .postgres(let url, _) = source.location { position = positions[url] }
            var replicas: [ReplicaStatus] = []
            for replicaConfig in source.replicas {
                replicas.append(await ReplicaStatus.read(replicaConfig, of: source, primaryCurrent: current,
                                                         primaryPosition: position))
            }
            return (index, replicas)
        }
        for (index, replicas) in replicaStatuses { statuses[index].replicas = replicas }
        return statuses
    }

    /// The WAL position of each primary that has replicas, read once per
    /// server (not once per tenant), after the version tables were read.
    private func primaryPositions(_ targets: [Target], pool: SessionPool) async -> [String: WALPosition] {
        var byURL: [String: Target] = [:]
        for target in targets {
            if case .postgres(let url, _) = target.location, byURL[url] == nil { byURL[url] = target }
        }
        let read = await forEachConcurrently(Array(byURL), limit: concurrency) { url, target -> (String, WALPosition?) in
            let position = try? await pool.withSession(target, access: .read) { session in
                try await session.currentWALPosition()
            }
            return (url, position ?? nil)
        }
        return Dictionary(read.compactMap { url, position in position.map { (url, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// The applied revisions whose file now has another checksum, sorted
    /// (what `shoal verify` reports as modified).
    static func modified(_ applied: [String: String], graph: RevisionGraph) -> [String] {
        var modified: [String] = []
        for (revision, checksum) in applied where graph.migration(revision).map({ $0.checksum != checksum }) ?? false {
            modified.append(revision)
        }
        return modified.sortedIfNeeded()
    }

    /// How many revisions a set of version rows has pending, and how many
    /// of them are `contract` migrations.
    private struct Pending {
        var all: Int
        var contract: Int

        init(graph: RevisionGraph, current: [String]) {
            // Every revision is an ancestor of some head: pending is what is not applied.
            let applied = graph.ancestors(of: current.filter { graph.migration($0) != nil }, inclusive: true)
            all = graph.count - applied.count
            contract = graph.migrations.count { $0.phase == .contract && !applied.contains($0.revision) }
        }
    }

    /// A target's status from its read, without its replicas.
    /// `read` is nil when the target has no replica named `replica`.
    private func status(of target: Target, graph: RevisionGraph, read: Result<VersionState, ShoalError>?,
                        pending: Pending, onReplica replica: String?) -> TargetStatus {
        var result = TargetStatus(target: target.id, database: target.database, shard: target.shard, tenant: target.tenant,
                                  current: [], heads: graph.heads, pending: graph.count,
                                  state: .uninitialized, replicas: [], message: nil, readFrom: replica)
        // Unknown rows count as none applied, as `pending` does.
        result.pendingContract = pending.contract
        guard let read else {
            result.state = .unreachable
            result.message = "\(target.id) has no replica named `\(replica ?? "")`"
            return result
        }
        let state: VersionState
        switch read {
        case .success(let read):
            state = read
        case .failure(let error):
            result.state = .unreachable
            result.message = TargetReport.ErrorInfo(error).message  // with its detail and hint (a missing tenant database says what to run)
            return result
        }
        result.current = state.current.sortedIfNeeded()
        result.modified = Self.modified(state.appliedChecksums, graph: graph)
        let unknown = state.current.filter { graph.migration($0) == nil }
        result.pending = pending.all
        if let dirty = state.dirty, dirty.inProgress {
            result.state = .inProgress
            result.message = "\(target.id) is being migrated now: a live shoal run holds its lock while the \(dirty.operation.rawValue) of \(dirty.revision) (transaction: false, started at \(dirty.startedAt)) runs"
        } else if let dirty = state.dirty {
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
