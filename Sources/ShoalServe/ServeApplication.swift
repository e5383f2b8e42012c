import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import ShoalKit

/// `shoal serve` (SPEC §12): the fleet read-only over HTTP, as a
/// swift-service-lifecycle `Service` (run it in a `ServiceGroup` with
/// graceful shutdown signals; it stops when the group shuts down).
///
/// Endpoints, every one GET (and HEAD): `/` the live fleet page,
/// `/api/status` (`status --json`), `/api/runs` and `/api/runs/{id}` (the
/// journal, §11), `/healthz`, `/metrics` (Prometheus). Other methods get
/// 405, unknown paths 404.
package struct ServeApplication: Service {
    package let listen: ListenAddress
    package let interval: Duration
    /// The fleet, read at most once per ``interval``.
    package let cache: FleetSnapshotCache
    let metrics = FleetMetrics()
    /// The journal folder; nil when the journal is off.
    let journal: RunLog?
    let logger: Logger
    /// Called once the server listens, with the address it bound (the real
    /// port when ``listen`` asked for port 0).
    let onListening: @Sendable (ListenAddress) async -> Void

    /// A server of `fleet`'s targets that `selector` selects, read as `shoal status` reads them.
    package init(fleet: Fleet, selector: TargetSelector = TargetSelector(), concurrency: Int, listen: ListenAddress,
                 interval: Duration, logger: Logger = Logger(label: "shoal.serve"),
                 onListening: @escaping @Sendable (ListenAddress) async -> Void = { _ in }) {
        let runs = RunOutcomeIndex()
        self.init(cache: FleetSnapshotCache(interval: interval) {
            try await FleetSnapshot.read(fleet, selector: selector, concurrency: concurrency, runs: runs)
        }, journal: fleet.config.journalDirectory.map(RunLog.init), listen: listen, interval: interval, logger: logger,
                  onListening: onListening)
    }

    /// A server of the snapshots `cache` reads.
    package init(cache: FleetSnapshotCache, journal: RunLog?, listen: ListenAddress, interval: Duration,
                 logger: Logger = Logger(label: "shoal.serve"), onListening: @escaping @Sendable (ListenAddress) async -> Void = { _ in }) {
        self.cache = cache
        self.journal = journal
        self.listen = listen
        self.interval = interval
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until the enclosing `ServiceGroup` shuts down gracefully. A
    /// server that cannot listen (the port is taken, the host is not this
    /// machine's) throws a usage error, which the CLI exits 2 with.
    package func run() async throws {
        let listening = ListeningFlag()
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "shoal/\(shoalVersion)"),
            onServerRunning: { [cache, listen, onListening] channel in
                listening.set()
                await cache.refresh()
                await onListening(listen.bound(to: channel.localAddress?.port ?? listen.port))
            },
            logger: logger)
        do {
            try await app.run()
        } catch where !listening.isSet {
            throw Self.bindError(error, listen: listen)
        }
    }

    /// Runs the server in a `ServiceGroup` of its own that SIGTERM and
    /// SIGINT shut down gracefully: requests under way finish, then it returns.
    package func runUntilSignalled() async throws {
        let group = ServiceGroup(configuration: .init(services: [self], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// `cannot listen on 127.0.0.1:8080: address already in use`.
    static func bindError(_ error: any Error, listen: ListenAddress) -> ShoalError {
        let reason: String
        if let io = error as? IOError {
            reason = String(cString: strerror(io.errnoCode)).lowercased()
        } else {
            reason = "\(error)"
        }
        return ShoalError(.usage, "cannot listen on \(listen): \(reason)",
                          hint: reason.contains("in use") ? "another process listens there: choose another port with --listen HOST:PORT" : nil)
    }

    /// The endpoints.
    func router() -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: ReadOnlyMiddleware())
        router.get("/") { _, _ in try await page() }
        router.get("/api/status") { _, _ in try await status() }
        router.get("/api/runs") { _, _ in try runs() }
        router.get("/api/runs/:id") { _, context in try run(try context.parameters.require("id")) }
        router.get("/healthz") { _, _ in try await health() }
        router.get("/metrics") { _, _ in await prometheus() }
        return router
    }

    /// `GET /`: the fleet page, live: it fetches `/api/status` every interval.
    func page() async throws -> Response {
        let state = await cache.current()
        let document = try state.snapshot?.json ?? ShoalJSON.encode(StatusDocument(targets: []))
        let html = FleetPage(document: document, title: "shoal serve", generatedAt: state.snapshot?.readAt ?? Date(),
                             live: .init(path: "/api/status", interval: interval.seconds),
                             readError: state.failure?.message).html()
        var headers = ServeResponse.readHeaders(state)
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// `GET /api/status`: `status --json`'s document, or 503 with the
    /// error while no read has succeeded yet.
    func status() async throws -> Response {
        let state = await cache.current()
        guard let snapshot = state.snapshot else {
            let message = "the fleet has not been read yet: " + (state.failure?.message ?? "no read finished")
            return ServeResponse.error(.serviceUnavailable, message, headers: ServeResponse.readHeaders(state))
        }
        return ServeResponse.json(snapshot.json, headers: ServeResponse.readHeaders(state))
    }

    /// `GET /api/runs`: `shoal runs --json`; no runs when the journal is
    /// off or holds none yet.
    func runs() throws -> Response {
        let runs = try journal?.runs().runs ?? []
        return try ServeResponse.json(["runs": runs.map(RunRow.init)])
    }

    /// `GET /api/runs/{id}`: `shoal runs show ID --json`; 404 for an id no
    /// run has, or a prefix several share (the message says which).
    func run(_ id: String) throws -> Response {
        guard let journal else {
            return ServeResponse.error(.notFound, "no run `\(id)`: the journal is off (\"journal\": false in config.json)")
        }
        let run: RecordedRun
        do {
            run = try journal.run(id)
        } catch let error as ShoalError where error.kind == .usage {
            return ServeResponse.error(.notFound, error.message)
        }
        let links = try journal.links(to: run.id)
        return try ServeResponse.json(RunDocument(run, retriedBy: links.retriedBy, compensatedBy: links.compensatedBy))
    }

    /// `GET /healthz`: the server answers; when the fleet was last read and
    /// whether that failed. It never reads the fleet.
    func health() async throws -> Response {
        let state = await cache.peek()
        return try ServeResponse.json(Health(readAt: state.snapshot.map { Timestamp.string($0.readAt) },
                                             readError: state.failure?.message))
    }

    /// `GET /metrics`: the Prometheus text format.
    func prometheus() async -> Response {
        let text = metrics.exposition(of: await cache.current())
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `/healthz`'s document.
    struct Health: Encodable {
        var status = "ok"
        var readAt: String?
        var readError: String?

        enum CodingKeys: String, CodingKey { case status, readAt = "read_at", readError = "read_error" }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(status, forKey: .status)
            try c.encode(readAt, forKey: .readAt)
            try c.encode(readError, forKey: .readError)
        }
    }
}

/// Whether the server got as far as listening: an error before that is a bind error.
private final class ListeningFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
