/// Reads many targets' version tables as cheaply as the databases allow,
/// without creating or changing anything: schema-per-tenant targets that
/// share a shard are read together over one session
/// (``DatabaseSession/readVersionStates(of:checksums:expected:)``), SQLite
/// files in batches on a reader thread (``SQLiteStateReader``), other
/// targets one session each; `concurrency` units at a time.
struct StateReader: Sendable {
    let concurrency: Int
    /// Where sessions, warmed ones and each shard's slots come from.
    let pool: SessionPool
    /// Whether to read applied checksums (planning and status need them).
    var checksums = true
    /// The migration files' checksums by database and revision, for the
    /// batch read to share (``DatabaseSession/readVersionStates(of:checksums:expected:)``).
    var expectedChecksums: [String: [String: String]] = [:]
    /// `.replica` reads a replica on a read-only session (`status --replica`).
    var access: SessionPool.Access = .read
    /// Refuse targets whose configured primary is a standby (the planning
    /// pass: DDL cannot run there), checked once per session.
    var refuseStandby = false
    /// Thrown inside a read when the primary turns out to be a standby.
    private struct StandbyPrimary: Error {}
    /// SQLite files per batch: large enough that hops are rare, small enough
    /// that every reader thread gets work.
    static let sqliteBatch = 64

    /// One state (or the reason it could not be read) per target, in order.
    func readStates(_ targets: [Target]) async -> [Result<VersionState, ShoalError>] {
        let results = await forEachConcurrently(ReadUnit.grouping(targets), limit: concurrency) { unit -> [(Int, Result<VersionState, ShoalError>)] in
            switch unit {
            case .sqlite(let indices):
                let states = await SQLiteStateReader().readStates(of: indices.map { targets[$0] }, checksums: checksums,
                                                                  expected: expectedChecksums)
                return Array(zip(indices, states))
            case .postgres(let indices):
                let states = await pool.withSlot(for: targets[indices[0]]) { await read(indices.map { targets[$0] }) }
                return Array(zip(indices, states))
            }
        }
        var states = [Result<VersionState, ShoalError>](repeating: .success(.uninitialized), count: targets.count)
        for (index, state) in results.joined() { states[index] = state }
        return states
    }

    /// PostgreSQL targets: a shard's tenants in one batch, anything else alone.
    private func read(_ targets: [Target]) async -> [Result<VersionState, ShoalError>] {
        do {
            // A shard's tenants are read schema-qualified, and a target
            // without a schema needs no search_path: both may take a warmed session.
            let states = try await pool.withSession(targets[0], access: access) { session in
                if refuseStandby, try await session.isStandby() {
                    throw StandbyPrimary()
                }
                var states = try await session.readVersionStates(of: targets, checksums: checksums, expected: expectedChecksums)
                // A dirty mark whose lock a live run holds is a migration
                // running now, not one that crashed (rare: one query each).
                for index in states.indices where states[index].dirty != nil {
                    states[index].dirty?.inProgress = try await session.isMigrationLockHeld(key: targets[index].migrationLockKey)
                }
                return states
            } ?? targets.map { _ in .uninitialized }
            return states.map { .success($0) }
        } catch is StandbyPrimary {
            return targets.map { .failure(ReplicaRollout.standbyError($0)) }
        } catch {
            return targets.map { .failure(ShoalError.wrap(error, target: $0)) }
        }
    }

    /// Targets with the same key live in one PostgreSQL database (a shard of
    /// a schema-per-tenant database) and can be read over one session: the
    /// same URL, version table and role (`SET ROLE`, the `role` key).
    static func batchKey(_ target: Target) -> String? {
        guard case .postgres(let url, _?) = target.location else { return nil }
        return [url, target.versionTable, target.settings.role.map { "role " + $0 } ?? "login"].joined(separator: "\u{0}")
    }
}
