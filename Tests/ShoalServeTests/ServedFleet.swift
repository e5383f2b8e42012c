import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceLifecycle
import ShoalKit
import ShoalTestSupport
@testable import ShoalServe

/// A SQLite fleet on disk (config.json, three migrations, a tenant
/// registry) and `shoal serve` over it, in process, on a free loopback
/// port, talked to over real HTTP.
struct ServedFleet {
    static let revisions = ["aaaa0001", "bbbb0002", "cccc0003"]

    let directory: TemporaryDirectory
    let fleet: Fleet

    /// `tenants` brought to head, `behind` to the first revision only.
    init(tenants: [String] = ["acme", "globex", "initech"], behind: [String] = ["umbrella"], journal: Bool = true) async throws {
        directory = try TemporaryDirectory()
        try Self.writeMigrations(in: directory, database: "app")
        let registry = (tenants + behind).map { "\"\($0)\"" }.joined(separator: ", ")
        _ = try directory.write("[\(registry)]", to: "tenants.json")
        _ = try directory.write("""
            {"databases": {"app": {"driver": "sqlite", "path": "tenants/{tenant}.sqlite", "tenants": "tenants.json"}}\
            \(journal ? "" : #", "journal": false"#)}
            """, to: "config.json")
        fleet = try Fleet.load(configPath: directory.file("config.json"), environment: [:], logger: Logger(label: "test"))
        let all = try await fleet.targets()
        _ = try await FleetRunner(fleet: fleet).run(.upgrade(.head), targets: all.filter { tenants.contains($0.tenant ?? "") })
        _ = try await FleetRunner(fleet: fleet).run(.upgrade(.relative(1)), targets: all.filter { behind.contains($0.tenant ?? "") })
    }

    /// ``revisions`` as `versions/<database>/`, each creating a table.
    static func writeMigrations(in directory: TemporaryDirectory, database: String) throws {
        var parent: String?
        for revision in revisions {
            try MigrationFile(revision: revision, parents: parent.map { [$0] } ?? [], message: revision,
                              up: "CREATE TABLE t_\(revision) (id integer);", down: "DROP TABLE t_\(revision);")
                .write(in: directory, as: "versions/\(database)/\(revision).sql")
            parent = revision
        }
    }

    /// `status --json`'s document for the fleet as it is now.
    func statusJSON() async throws -> Data {
        let statuses = try await FleetStatus(fleet: fleet, concurrency: 4).status(of: try await fleet.targets())
        return try ShoalJSON.encode(StatusDocument(targets: statuses))
    }

    /// Runs `body` against a server of this fleet.
    func serve(interval: Duration = .seconds(60), _ body: (Server) async throws -> Void) async throws {
        try await Server.run(ServeApplication(fleet: fleet, concurrency: 4, listen: ListenAddress(host: "127.0.0.1", port: 0),
                                              interval: interval, onListening: { _ in }), body)
    }
}

/// A running server and a client for it.
struct Server {
    let app: ServeApplication
    let base: URL

    /// Starts `app` (which must listen on port 0) in a `ServiceGroup`, waits
    /// until it listens, runs `body`, then shuts the group down gracefully.
    static func run(_ template: ServeApplication, _ body: (Server) async throws -> Void) async throws {
        let (addresses, listening) = AsyncStream.makeStream(of: ListenAddress.self)
        let app = ServeApplication(cache: template.cache, journal: template.journal, listen: template.listen,
                                   interval: template.interval, onListening: { listening.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "shoal.serve.test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var next = addresses.makeAsyncIterator()
            guard let address = await next.next() else { return }
            do {
                try await body(Server(app: app, base: URL(string: "http://\(address)")!))
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// One response: status, headers, body.
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
        func json() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
        }
    }

    /// `method path` over HTTP.
    func request(_ path: String, method: String = "GET") async throws -> Reply {
        var request = URLRequest(url: URL(string: path, relativeTo: base)!)
        request.httpMethod = method
        request.cachePolicy = .reloadIgnoringLocalCacheData
        if method == "POST" || method == "PUT" || method == "PATCH" { request.httpBody = Data("{}".utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers["\(key)"] = "\(value)" }
        return Reply(status: http.statusCode, headers: headers, body: data)
    }

    /// How many times the server has read the fleet.
    var reads: Int { get async { await app.cache.reads } }
}
