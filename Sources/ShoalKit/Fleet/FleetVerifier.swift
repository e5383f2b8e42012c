/// What `shoal verify` found on one target: applied revisions whose files
/// changed, went missing, or were never known.
public struct TargetVerification: Sendable, Hashable, Encodable {
    /// An applied revision whose file differs from what was applied.
    public struct Modified: Sendable, Hashable, Encodable {
        public var revision: String
        public var file: String
        public var appliedChecksum: String
        public var fileChecksum: String
        enum CodingKeys: String, CodingKey { case revision, file, appliedChecksum = "applied_checksum", fileChecksum = "file_checksum" }
    }

    public var target: String
    public var database: String
    /// `ok`, `problems`, `uninitialized` or `unreachable`.
    public var status: String
    public var modified: [Modified]
    /// Revisions the history says are applied whose files are gone.
    public var missing: [String]
    /// Version-table rows that no file in the versions directory has.
    public var unknown: [String]
    public var error: String?

    public var hasProblems: Bool { status == "problems" || status == "unreachable" }
}

/// Compares applied checksums with the migration files (`shoal verify`).
public struct FleetVerifier: Sendable {
    public let fleet: Fleet
    public let concurrency: Int

    public init(fleet: Fleet, concurrency: Int) {
        self.fleet = fleet
        self.concurrency = concurrency
    }

    public func verify(_ targets: [Target]) async throws -> [TargetVerification] {
        let graphs = try fleet.graphs(for: targets.map(\.database))
        let caps = ConnectionCaps(targets: targets)
        return await forEachConcurrently(targets, limit: concurrency) { target in
            await caps.withSlot(for: target) { await verify(target, graph: graphs[target.database]!) }
        }
    }

    private func verify(_ target: Target, graph: RevisionGraph) async -> TargetVerification {
        var result = TargetVerification(target: target.id, database: target.database, status: "ok",
                                        modified: [], missing: [], unknown: [], error: nil)
        let read: (VersionState, [HistoryEntry])?
        do {
            read = try await SessionFactory.withSession(target, access: .read) { session in
                let store = VersionStore(session: session, target: target)
                return (try await store.readState(), try await store.history(limit: nil))
            }
        } catch {
            result.status = "unreachable"
            result.error = ShoalError.wrap(error, target: target).message
            return result
        }
        guard let (state, history) = read, state.initialized else {
            result.status = "uninitialized"
            return result
        }
        for (revision, recorded) in state.appliedChecksums.sorted(by: { $0.key < $1.key }) {
            if let migration = graph.migration(revision), migration.checksum != recorded {
                result.modified.append(.init(revision: revision, file: migration.path, appliedChecksum: recorded, fileChecksum: migration.checksum))
            }
        }
        result.unknown = state.current.filter { graph.migration($0) == nil }.sorted()
        var latest: [String: Operation] = [:]
        for entry in history.reversed() { latest[entry.revision] = entry.operation }  // oldest first: last write wins
        result.missing = latest.filter { $0.value != .downgrade && $0.key != "base" && graph.migration($0.key) == nil }
            .map(\.key).filter { !result.unknown.contains($0) }.sorted()
        if !result.modified.isEmpty || !result.missing.isEmpty || !result.unknown.isEmpty {
            result.status = "problems"
        }
        return result
    }
}
