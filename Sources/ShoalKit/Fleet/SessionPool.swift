/// Every session of one run (a plan, an execution, a status, history or
/// verify read), in one place, as postgres-nio's connection pool keeps a
/// client's: it opens sessions for a target and an access, hands the read
/// that plans or reports the sessions it warmed while the migration files
/// loaded, keeps PostgreSQL sessions between targets, holds each shard's
/// `max_connections` slots, and closes everything it opened.
///
/// Whoever makes a pool awaits ``close()`` before returning, on every path
/// (``withPool(for:warmingUp:_:)`` does): a connection attempt still
/// running when `exit` runs the libraries' destructors can abort the
/// process (``LibPQActivity``).
///
/// Idle sessions for a shard never outnumber the targets that ran on it at
/// once, so a shard's `max_connections` cap still holds. SQLite sessions
/// (one file per target) are never kept.
actor SessionPool {
    /// One slot limiter per shard that sets `max_connections`, shared by
    /// every target on that shard, so shoal never holds more sessions to
    /// one server than the user allowed, whatever `--concurrency` says.
    private nonisolated let slots: [String: AsyncLimiter]
    /// Sessions opened ahead for the read that plans or reports, if any.
    private nonisolated let warmup: WarmUp?
    /// Sessions kept between targets, by ``key(_:)``.
    private var idle: [String: [any DatabaseSession]] = [:]

    /// A pool for `targets`. With `concurrency`, it starts connecting at
    /// once to the places their read will use
    /// (``warmUpPlaces(for:concurrency:)``), so that connecting overlaps
    /// loading the migration files.
    init(targets: [Target] = [], warmingUp concurrency: Int? = nil) {
        var slots: [String: AsyncLimiter] = [:]
        for cap in targets.compactMap(\.connectionCap) where slots[cap.key] == nil {
            slots[cap.key] = AsyncLimiter(limit: cap.limit)
        }
        self.slots = slots
        warmup = concurrency.flatMap { Self.warmUpPlaces(for: targets, concurrency: $0) }.map(WarmUp.init)
    }

    /// Runs `body` with a pool for `targets` (warming up with
    /// `concurrency`, as ``init(targets:warmingUp:)``) and closes the pool
    /// before returning, also when `body` throws.
    static func withPool<T: Sendable>(for targets: [Target], warmingUp concurrency: Int? = nil,
                                      _ body: (SessionPool) async throws -> T) async rethrows -> T {
        let pool = SessionPool(targets: targets, warmingUp: concurrency)
        return try await withCleanup({ try await body(pool) }, cleanup: { await pool.close() })
    }

    // MARK: Slots

    /// Runs `body` holding one of the target's shard slots (if it has a cap).
    nonisolated func withSlot<T: Sendable>(for target: Target, _ body: @Sendable () async -> T) async -> T {
        guard let key = target.connectionCap?.key, let limiter = slots[key] else { return await body() }
        return await limiter.withSlot(body)
    }

    // MARK: Reads

    /// A session to the target's database, or nil when `access` is `.read`
    /// or `.replica` and there is no database to read yet. With `.read`, the
    /// session warmed for the target's URL and settings is taken if there
    /// is one (it has the default `search_path`: only for reads that
    /// qualify every name).
    nonisolated func open(_ target: Target, access: Access, lockWait: Duration = .seconds(30)) async throws -> (any DatabaseSession)? {
        try await Self.open(target, access: access, lockWait: lockWait, warmup: access == .read ? warmup : nil)
    }

    /// Runs `body` with a session from ``open(_:access:lockWait:)`` and
    /// closes it afterwards, also when `body` throws. Returns nil (without
    /// calling `body`) when `.read` or `.replica` finds no database.
    nonisolated func withSession<T: Sendable>(_ target: Target, access: Access, lockWait: Duration = .seconds(30),
                                              _ body: (any DatabaseSession) async throws -> T) async throws -> T? {
        guard let session = try await open(target, access: access, lockWait: lockWait) else { return nil }
        return try await Self.closing(session, body)
    }

    /// Warmed sessions still being opened or waiting to be taken.
    nonisolated var untaken: Int { warmup?.untaken ?? 0 }

    /// Closes, in the background, the warmed sessions the read did not
    /// take: none may wait through the migrations. Idempotent.
    nonisolated func discardWarmup() {
        warmup?.discard()
    }

    // MARK: Reuse between targets

    /// A session to migrate `target`: an idle one to the same database, or a new one.
    func checkout(_ target: Target, lockWait: Duration) async throws -> any DatabaseSession {
        if let key = Self.key(target), let session = idle[key]?.popLast() {
            if case .postgres(_, let schema?) = target.location {
                do {
                    try await session.setSearchPath(schema, local: false)
                } catch {
                    await session.close()
                    return try await Self.openToMigrate(target, lockWait: lockWait)
                }
            }
            return session
        }
        return try await Self.openToMigrate(target, lockWait: lockWait)
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

    /// Runs `body` with a session from ``checkout(_:lockWait:)``; a thrown error closes the session.
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

    // MARK: Closing

    /// Closes every session the pool still holds: the warmed ones nobody
    /// took (once their connection attempts are over) and the idle ones.
    /// A session handed out is its taker's to close or give back.
    /// Idempotent.
    func close() async {
        await warmup?.close()
        let sessions = idle.values.flatMap { $0 }
        idle = [:]
        for session in sessions { await session.close() }
    }

    private static func openToMigrate(_ target: Target, lockWait: Duration) async throws -> any DatabaseSession {
        guard let session = try await open(target, access: .migrate, lockWait: lockWait, warmup: nil) else {
            throw ShoalError(.database, "\(target.id): no database to migrate")
        }
        return session
    }

    /// Sessions with the same key reach the same database with the same
    /// settings, and as the same role (`SET ROLE`, the `role` key): two
    /// databases on one URL with different roles never share a session.
    private static func key(_ target: Target) -> String? {
        guard case .postgres(let url, let schema) = target.location else { return nil }
        let s = target.settings
        return [url, schema == nil ? "db" : "schema", String(s.lockTimeoutMs), s.statementTimeoutMs.map(String.init) ?? "-",
                s.role.map { "role " + $0 } ?? "login"]
            .joined(separator: "\u{0}")
    }
}
