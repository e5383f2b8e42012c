/// Keeps PostgreSQL sessions open between targets of one run, so that a
/// worker on a schema-per-tenant shard moves from tenant to tenant instead
/// of connecting once per tenant. `search_path` is set to each tenant's
/// schema as its session is handed out.
///
/// Idle sessions for a shard never outnumber the targets that ran on it at
/// once, so a shard's `max_connections` cap still holds. SQLite sessions
/// (one file per target) are never pooled.
actor SessionPool {
    private var idle: [String: [any DatabaseSession]] = [:]

    /// A session for `target`: an idle one to the same database, or a new one.
    func checkout(_ target: Target, lockWait: Duration) async throws -> any DatabaseSession {
        if let key = Self.key(target), let session = idle[key]?.popLast() {
            if case .postgres(_, let schema?) = target.location {
                do {
                    try await session.setSearchPath(schema, local: false)
                } catch {
                    await session.close()
                    return try await open(target, lockWait: lockWait)
                }
            }
            return session
        }
        return try await open(target, lockWait: lockWait)
    }

    /// Gives a session back: kept for the next target when it is reusable
    /// (`healthy`: the target ended without a connection or cancellation
    /// problem), closed otherwise.
    func checkin(_ session: any DatabaseSession, for target: Target, healthy: Bool) async {
        guard healthy, let key = Self.key(target) else {
            await session.close()
            return
        }
        idle[key, default: []].append(session)
    }

    /// Closes every idle session (at the end of a run).
    func closeAll() async {
        let sessions = idle.values.flatMap { $0 }
        idle = [:]
        for session in sessions { await session.close() }
    }

    /// Runs `body` with a pooled session; a thrown error closes the session.
    nonisolated func withSession<T: Sendable>(_ target: Target, lockWait: Duration,
                                  _ body: (any DatabaseSession) async throws -> T,
                                  healthy: (T) -> Bool) async throws -> T {
        let session = try await checkout(target, lockWait: lockWait)
        do {
            let result = try await body(session)
            await checkin(session, for: target, healthy: healthy(result))
            return result
        } catch {
            await checkin(session, for: target, healthy: false)
            throw error
        }
    }

    private func open(_ target: Target, lockWait: Duration) async throws -> any DatabaseSession {
        guard let session = try await SessionFactory.open(target, access: .migrate, lockWait: lockWait) else {
            throw ShoalError(.database, "\(target.id): no database to migrate")
        }
        return session
    }

    /// Sessions with the same key reach the same database with the same settings.
    private static func key(_ target: Target) -> String? {
        guard case .postgres(let url, let schema) = target.location else { return nil }
        let s = target.settings
        return [url, schema == nil ? "db" : "schema", String(s.lockTimeoutMs), s.statementTimeoutMs.map(String.init) ?? "-"]
            .joined(separator: "\u{0}")
    }
}
