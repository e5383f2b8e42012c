import Foundation

extension SessionPool {
    /// Where a warmed session goes: the URL and settings a target's session would be opened with.
    struct Place: Hashable, Sendable {
        var url: String
        var settings: SessionSettings
    }

    /// The places to warm for reading `targets`, or nil when that would not
    /// be safe or useful: only when every PostgreSQL target is read over its
    /// shard's (or database's) URL as the config writes it (not `layout:
    /// database`, whose URLs name each tenant), and when there are no more
    /// places than `concurrency`, so that sessions waiting to be taken never
    /// add to the sessions the run has open.
    static func warmUpPlaces(for targets: [Target], concurrency: Int) -> [Place]? {
        var places: [Place] = []
        // Counted per database and URL, as the reads are: two databases on
        // one URL are read over two sessions (and share one warmed one).
        var reads: Set<[String]> = []
        for target in targets {
            guard case .postgres(let url, let schema) = target.location else { continue }
            // `layout: database`: each tenant has a URL of its own.
            if target.tenant != nil && schema == nil { return nil }
            if reads.insert([target.database, url]).inserted {
                places.append(Place(url: url, settings: target.settings))
            }
        }
        guard !places.isEmpty, places.count <= max(1, concurrency) else { return nil }
        return places
    }

    /// PostgreSQL sessions opened in the background while a command still
    /// loads migration files, for the read that plans (or reports) every
    /// target: a shard's connection (TCP, authentication, the server
    /// starting a backend) overlaps that work instead of following it.
    ///
    /// Each warmed session is handed out once, to the read of the place it
    /// was opened for; the ones nobody took are closed (``discard()``)
    /// before any migration starts. A warmed session has the default
    /// `search_path`: it serves reads that qualify every name.
    final class WarmUp: @unchecked Sendable {
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
        func discard() {
            lock.withLock {
                for task in pending.values {
                    closing.append(Task { await (try? task.value)?.close() })
                }
                pending = [:]
            }
        }

        /// Discards the sessions nobody took and returns once their connection
        /// attempts are over and they are closed (a session that was taken is
        /// its taker's to close). Idempotent.
        func close() async {
            discard()
            for task in lock.withLock({ closing }) {
                await task.value
            }
        }
    }
}
