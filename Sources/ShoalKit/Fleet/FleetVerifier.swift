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

    /// What each target's history says was applied, compared with the
    /// files, in the order given. A shard's tenants are read together over
    /// one session (``BatchReader``). The targets start connecting at once,
    /// while the migration files load; every session is closed when it
    /// returns or throws.
    public func verify(_ targets: [Target]) async throws -> [TargetVerification] {
        try await SessionPool.withPool(for: targets, warmingUp: concurrency) { pool in
            try await verify(targets, in: pool)
        }
    }

    /// ``verify(_:)`` with the sessions of `pool` (which the caller closes).
    func verify(_ targets: [Target], in pool: SessionPool) async throws -> [TargetVerification] {
        let graphs = try fleet.graphs(for: targets.map(\.database))
        let reader = BatchReader(concurrency: concurrency, pool: pool)
        // Checksums equal to the files' share their Strings (1,000 tenants × 20 revisions).
        let expected = graphs.mapValues { graph in
            Dictionary(graph.migrations.map { ($0.revision, $0.checksum) }, uniquingKeysWith: { first, _ in first })
        }
        let logs = await reader.read(targets, BatchReader.Reads(
            sqlite: { reader, targets in await reader.readAppliedLogs(of: targets) },
            shard: { targets, session in try await VersionStore.readAppliedLogs(of: targets, session: session, expected: expected) },
            single: { store in try await store.readAppliedLog() },
            absent: .uninitialized))
        return zip(targets, logs).map { target, log in verify(target, graph: graphs[target.database]!, read: log) }
    }

    private func verify(_ target: Target, graph: RevisionGraph, read: Result<AppliedLog, ShoalError>) -> TargetVerification {
        var result = TargetVerification(target: target.id, database: target.database, status: "ok",
                                        modified: [], missing: [], unknown: [], error: nil)
        let log: AppliedLog
        switch read {
        case .success(let read):
            log = read
        case .failure(let error):
            result.status = "unreachable"
            result.error = error.message
            return result
        }
        guard log.initialized else {
            result.status = "uninitialized"
            return result
        }
        // The latest history row of a revision decides: its operation, and
        // the checksum when it applied the revision (an upgrade or a stamp).
        var latest: [String: Operation] = [:]
        var applied: [String: String] = [:]
        for entry in log.entries {  // oldest first: last write wins
            latest[entry.revision] = entry.operation
            if entry.operation == .upgrade || entry.operation == .stamp, let checksum = entry.checksum {
                applied[entry.revision] = checksum
            } else {
                applied.removeValue(forKey: entry.revision)
            }
        }
        for (revision, recorded) in applied.sorted(by: { $0.key < $1.key }) {
            if let migration = graph.migration(revision), migration.checksum != recorded {
                result.modified.append(.init(revision: revision, file: migration.path, appliedChecksum: recorded, fileChecksum: migration.checksum))
            }
        }
        result.unknown = log.current.filter { graph.migration($0) == nil }.sorted()
        result.missing = latest.filter { $0.value != .downgrade && $0.key != "base" && graph.migration($0.key) == nil }
            .map(\.key).filter { !result.unknown.contains($0) }.sorted()
        if !result.modified.isEmpty || !result.missing.isEmpty || !result.unknown.isEmpty {
            result.status = "problems"
        }
        return result
    }
}
