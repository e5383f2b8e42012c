/// The applied history of one target, newest first (`shoal history`).
public struct TargetHistory: Sendable, Hashable, Encodable {
    public var target: String
    public var entries: [HistoryEntry]
    /// Set when the target could not be read.
    public var error: String?
    /// The replica the history was read from (`history --replica NAME`).
    public var readFrom: String?

    public init(target: String, entries: [HistoryEntry], error: String? = nil, readFrom: String? = nil) {
        self.target = target
        self.entries = entries
        self.error = error
        self.readFrom = readFrom
    }

    enum CodingKeys: String, CodingKey { case target, entries, error, readFrom = "read_from" }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(target, forKey: .target)
        try c.encode(entries, forKey: .entries)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encodeIfPresent(readFrom, forKey: .readFrom)
    }
}

extension HistoryEntry: Encodable {
    enum CodingKeys: String, CodingKey {
        case revision, operation, checksum, appliedAt = "applied_at", durationMs = "duration_ms", appliedBy = "applied_by"
        case shoalVersion = "shoal_version", runID = "run_id"
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(revision, forKey: .revision)
        try c.encode(operation.rawValue, forKey: .operation)
        try c.encode(checksum, forKey: .checksum)
        try c.encode(appliedAt, forKey: .appliedAt)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(appliedBy, forKey: .appliedBy)
        try c.encode(shoalVersion, forKey: .shoalVersion)
        try c.encode(runID, forKey: .runID)
    }
}

/// Reads history tables across the fleet.
public struct FleetHistory: Sendable {
    public let fleet: Fleet
    public let concurrency: Int
    public init(fleet: Fleet, concurrency: Int) {
        self.fleet = fleet
        self.concurrency = concurrency
    }

    /// Each target's history, newest first, at most `limit` entries per
    /// target. With `replica`, read from each target's replica of that name
    /// on a read-only session (a target without one gets an error). A
    /// shard's tenants are read together over one session (``BatchReader``),
    /// the primaries' connecting at once; every session is closed when it returns.
    public func history(of targets: [Target], limit: Int?, onReplica replica: String? = nil) async -> [TargetHistory] {
        await SessionPool.withPool(for: targets, warmingUp: replica == nil ? concurrency : nil) { pool in
            await history(of: targets, limit: limit, onReplica: replica, in: pool)
        }
    }

    /// ``history(of:limit:onReplica:)`` with the sessions of `pool` (which the caller closes).
    func history(of targets: [Target], limit: Int?, onReplica replica: String?, in pool: SessionPool) async -> [TargetHistory] {
        // With `replica`, each target's replica of that name (nil: none).
        let sources = replica.map { name in targets.map { $0.onReplica(named: name) } }
        let reader = BatchReader(concurrency: concurrency, pool: pool, access: replica == nil ? .read : .replica)
        let reads = await reader.read(sources?.compactMap { $0 } ?? targets, BatchReader.Reads(
            sqlite: { reader, targets in await reader.readHistories(of: targets, limit: limit) },
            shard: { targets, session in try await VersionStore.readHistories(of: targets, session: session, limit: limit) },
            single: { store in try await store.history(limit: limit) },
            absent: []))
        var next = reads.makeIterator()
        return targets.indices.map { index in
            let target = targets[index]
            if let sources, sources[index] == nil {
                return TargetHistory(target: target.id, entries: [], error: "\(target.id) has no replica named `\(replica ?? "")`",
                                     readFrom: replica)
            }
            switch next.next()! {
            case .success(let entries):
                return TargetHistory(target: target.id, entries: entries, readFrom: replica)
            case .failure(let error):
                return TargetHistory(target: target.id, entries: [], error: error.message, readFrom: replica)
            }
        }
    }
}
