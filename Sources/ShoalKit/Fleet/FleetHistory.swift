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
        case shoalVersion = "shoal_version"
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
    /// on a read-only session (a target without one gets an error).
    public func history(of targets: [Target], limit: Int?, onReplica replica: String? = nil) async -> [TargetHistory] {
        let caps = ConnectionCaps(targets: targets)
        return await forEachConcurrently(targets, limit: concurrency) { target in
            await caps.withSlot(for: target) {
                guard let source = replica.map({ target.onReplica(named: $0) }) ?? target else {
                    return TargetHistory(target: target.id, entries: [], error: "\(target.id) has no replica named `\(replica ?? "")`",
                                         readFrom: replica)
                }
                do {
                    let entries = try await SessionFactory.withSession(source, access: replica == nil ? .read : .replica) { session in
                        try await VersionStore(session: session, target: source).history(limit: limit)
                    } ?? []
                    return TargetHistory(target: target.id, entries: entries, readFrom: replica)
                } catch {
                    return TargetHistory(target: target.id, entries: [], error: ShoalError.wrap(error, target: target).message,
                                         readFrom: replica)
                }
            }
        }
    }
}
