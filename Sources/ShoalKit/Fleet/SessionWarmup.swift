import Foundation

/// PostgreSQL sessions opened in the background while a command still loads
/// migration files, for the read that plans (or reports) every target: a
/// shard's connection (TCP, authentication, the server starting a backend)
/// overlaps that work instead of following it.
///
/// Each warmed session is handed out once, to the read of the place it was
/// opened for (``StateReader``); the ones nobody took are closed
/// (``discard()``) before any migration starts. A warmed session has the
/// default `search_path`: it serves reads that qualify every name.
///
/// Whoever started the warm-up awaits ``close()`` before the process exits,
/// on every path: a connection attempt still running when `exit` runs the
/// libraries' destructors can abort the process (``LibPQActivity``).
public final class SessionWarmup: @unchecked Sendable {
    /// Where a session goes: the URL and settings a target's session would be opened with.
    struct Place: Hashable, Sendable {
        var url: String
        var settings: SessionSettings
    }

    private let lock = NSLock()
    private var pending: [Place: Task<PostgresSession, any Error>]
    /// The closing of sessions nobody took, still under way or done.
    private var closing: [Task<Void, Never>] = []

    /// Starts connecting to every place, each once.
    init(_ places: [Place]) {
        var pending: [Place: Task<PostgresSession, any Error>] = [:]
        for place in places where pending[place] == nil {
            pending[place] = Task { try await PostgresSession.connect(place.url, settings: place.settings) }
        }
        self.pending = pending
    }

    /// Sessions still being opened or waiting to be taken.
    var untaken: Int { lock.withLock { pending.count } }

    /// The session warmed for `url` and `settings`, once it is open, or the
    /// error opening it gave; nil when none was warmed (or it was taken).
    func take(url: String, settings: SessionSettings) async throws -> PostgresSession? {
        guard let task = lock.withLock({ pending.removeValue(forKey: Place(url: url, settings: settings)) }) else { return nil }
        return try await task.value
    }

    /// Closes, in the background, the sessions nobody took (each once its
    /// connection attempt is over). Idempotent.
    public func discard() {
        lock.withLock {
            for task in pending.values {
                closing.append(Task { await (try? task.value)?.close() })
            }
            pending = [:]
        }
    }

    /// Discards the sessions nobody took and returns once their connection
    /// attempts are over and they are closed (a session that was taken is
    /// its taker's to close). Await it before the process exits. Idempotent.
    public func close() async {
        discard()
        for task in lock.withLock({ closing }) {
            await task.value
        }
    }
}

extension Fleet {
    /// Starts opening the sessions the read of `selector`'s targets will
    /// need. Call it once ``targets(_:)`` has returned: tenant names are
    /// checked before any connection opens (SPEC §2). Nil when that would not be
    /// safe or useful: only when every PostgreSQL target the selector can
    /// pick is read over its shard's (or database's) URL as the config
    /// writes it (not `layout: database`, whose URLs name each tenant),
    /// when no tenant or target glob narrows the run to a few shards, and
    /// when there are no more places than `concurrency`, so that sessions
    /// waiting to be taken never add to the sessions the run has open.
    public func warmUp(_ selector: TargetSelector, concurrency: Int) -> SessionWarmup? {
        warmUpPlaces(selector, concurrency: concurrency).map(SessionWarmup.init)
    }

    /// The places ``warmUp(_:concurrency:)`` connects to, or nil.
    func warmUpPlaces(_ selector: TargetSelector, concurrency: Int) -> [SessionWarmup.Place]? {
        guard selector.tenants.isEmpty, selector.targets.isEmpty,
              (try? selector.validate(against: config)) != nil else { return nil }
        var places: [SessionWarmup.Place] = []
        for database in config.databases where database.driver == .postgres {
            guard selector.databases.isEmpty || selector.databases.contains(database.name) else { continue }
            if database.isMultiTenant && database.layout == .database { return nil }
            if database.shards.isEmpty {
                // A target without a shard matches no shard selector.
                if selector.shards.isEmpty, let url = database.url {
                    places.append(.init(url: url, settings: database.settings))
                }
            } else {
                for shard in database.shards where selector.shards.isEmpty || selector.shards.contains(shard.name) {
                    places.append(.init(url: shard.url, settings: database.settings))
                }
            }
        }
        // Counted per database and shard, as the reads are: two databases on
        // one URL are read over two sessions (and share one warmed one).
        guard !places.isEmpty, places.count <= max(1, concurrency) else { return nil }
        return places
    }
}
