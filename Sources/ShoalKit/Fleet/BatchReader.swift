/// Reads something of many targets the way ``StateReader`` reads their
/// states, without creating or changing anything: schema-per-tenant targets
/// that share a shard over one session, SQLite files in batches on a reader
/// thread (``SQLiteStateReader``), any other target over a session of its
/// own; `concurrency` units at a time, a shard's unit holding one slot of
/// its `max_connections`. `history` and `verify` read through it, so 1,000
/// schemas on a shard cost one session and a few dozen queries, not 1,000
/// connections.
struct BatchReader: Sendable {
    let concurrency: Int
    /// Where sessions, warmed ones and each shard's slots come from.
    let pool: SessionPool
    /// `.replica` reads replicas on read-only sessions (`history --replica`).
    var access: SessionPool.Access = .read

    /// How to read a `Value` from each kind of target.
    struct Reads<Value: Sendable>: Sendable {
        /// SQLite files, on the reader's thread.
        var sqlite: @Sendable (SQLiteStateReader, [Target]) async -> [Result<Value, ShoalError>]
        /// The schema-per-tenant targets of one shard, over one session to it.
        var shard: @Sendable ([Target], any DatabaseSession) async throws -> [Result<Value, ShoalError>]
        /// Any other PostgreSQL target, over a session of its own.
        var single: @Sendable (VersionStore) async throws -> Value
        /// What a target whose SQLite file does not exist reads as.
        var absent: Value
    }

    /// One value (or why it could not be read, redacted) per target, in order.
    func read<Value: Sendable>(_ targets: [Target], _ reads: Reads<Value>) async -> [Result<Value, ShoalError>] {
        let results = await forEachConcurrently(ReadUnit.grouping(targets), limit: concurrency) { unit -> [(Int, Result<Value, ShoalError>)] in
            switch unit {
            case .sqlite(let indices):
                let values = await reads.sqlite(SQLiteStateReader(), indices.map { targets[$0] })
                return Array(zip(indices, values))
            case .postgres(let indices):
                let values = await pool.withSlot(for: targets[indices[0]]) { await readPostgres(indices.map { targets[$0] }, reads) }
                return Array(zip(indices, values))
            }
        }
        var values = [Result<Value, ShoalError>](repeating: .success(reads.absent), count: targets.count)
        for (index, value) in results.joined() {
            values[index] = value.mapError { ShoalError.wrap($0, target: targets[index]) }
        }
        return values
    }

    /// PostgreSQL targets: a shard's tenants in one batch, anything else alone.
    private func readPostgres<Value: Sendable>(_ targets: [Target], _ reads: Reads<Value>) async -> [Result<Value, ShoalError>] {
        do {
            // A shard's tenants are read schema-qualified, and a target
            // without a schema needs no search_path: both may take a warmed session.
            return try await pool.withSession(targets[0], access: access) { session in
                if targets.count == 1 && StateReader.batchKey(targets[0]) == nil {
                    return [.success(try await reads.single(VersionStore(session: session, target: targets[0])))]
                }
                return try await reads.shard(targets, session)
            } ?? targets.map { _ in .success(reads.absent) }
        } catch {
            return targets.map { .failure(ShoalError.wrap(error, target: $0)) }
        }
    }
}

/// A piece of a read of many targets (``StateReader``, ``BatchReader``):
/// some targets, by index, read together.
enum ReadUnit: Sendable {
    /// SQLite files, read on one reader thread.
    case sqlite([Int])
    /// PostgreSQL targets over one session: a shard's tenants, or one target.
    case postgres([Int])

    /// `targets` in units: SQLite files in batches of
    /// ``StateReader/sqliteBatch``, the schema-per-tenant targets of one
    /// shard together (``StateReader/batchKey(_:)``), any other target alone.
    static func grouping(_ targets: [Target]) -> [ReadUnit] {
        var units: [ReadUnit] = []
        var shards: [String: Int] = [:]
        var sqlite: [Int] = []
        for (index, target) in targets.enumerated() {
            if case .sqlite = target.location {
                sqlite.append(index)
                if sqlite.count == StateReader.sqliteBatch {
                    units.append(.sqlite(sqlite))
                    sqlite = []
                }
            } else if let key = StateReader.batchKey(target) {
                if let unit = shards[key], case .postgres(let indices) = units[unit] {
                    units[unit] = .postgres(indices + [index])
                } else {
                    shards[key] = units.count
                    units.append(.postgres([index]))
                }
            } else {
                units.append(.postgres([index]))
            }
        }
        if !sqlite.isEmpty { units.append(.sqlite(sqlite)) }
        return units
    }
}
