/// The applied history of one target, newest first (`shoal history`).
public struct TargetHistory: Sendable, Hashable, Encodable {
    public var target: String
    public var entries: [HistoryEntry]
    /// Set when the target could not be read.
    public var error: String?

    enum CodingKeys: String, CodingKey { case target, entries, error }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(target, forKey: .target)
        try c.encode(entries, forKey: .entries)
        try c.encodeIfPresent(error, forKey: .error)
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

    /// Each target's history, newest first, at most `limit` entries per target.
    public func history(of targets: [Target], limit: Int?) async -> [TargetHistory] {
        let caps = ConnectionCaps(targets: targets)
        return await forEachConcurrently(targets, limit: concurrency) { target in
            await caps.withSlot(for: target) {
                do {
                    let entries = try await SessionFactory.withSession(target, access: .read) { session in
                        try await VersionStore(session: session, target: target).history(limit: limit)
                    } ?? []
                    return TargetHistory(target: target.id, entries: entries)
                } catch {
                    return TargetHistory(target: target.id, entries: [], error: ShoalError.wrap(error, target: target).message)
                }
            }
        }
    }
}
