import Foundation
import Logging
import ShoalKit
import ShoalTestSupport
import Testing
@testable import ShoalServe

/// `shoal serve` over PostgreSQL: the sessions the server opens, counted
/// on the server (`pg_stat_database.sessions`), and no password served.
@Suite("shoal serve on PostgreSQL")
struct PostgresServeTests {
    static let password = "Secr3tPw"
    static let tenants = ["acme", "globex", "initech", "umbrella", "wayne"]

    /// A schema-per-tenant fleet on the scratch database at `url`, its URL
    /// carrying a password (the test server trusts loopback, so any will do).
    /// With `down`, a second database `down` whose server is not there
    /// (port 1), its URL with the password too: its target is unreachable,
    /// and its message quotes the URL.
    static func fleet(_ url: String, in directory: TemporaryDirectory, replica: String? = nil, down: Bool = false) async throws -> Fleet {
        try ServedFleet.writeMigrations(in: directory, database: "accounts")
        let withPassword = url + " password='\(password)'"
        #expect(withPassword.contains(password), "\(url)")
        _ = try directory.write("[" + tenants.map { "\"\($0)\"" }.joined(separator: ", ") + "]", to: "tenants.json")
        _ = try directory.write("""
            {"databases": {"accounts": {"driver": "postgres", "url": "${ACCOUNTS_URL}", "tenants": "tenants.json"\
            \(replica == nil ? "" : #", "replicas": [{"name": "r1", "url": "${REPLICA_URL}"}]"#)}\
            \(down ? #", "down": {"driver": "postgres", "url": "${DOWN_URL}", "versions": "versions/accounts"}"# : "")}}
            """, to: "config.json")
        let fleet = try Fleet.load(configPath: directory.file("config.json"),
                                   environment: ["ACCOUNTS_URL": withPassword, "REPLICA_URL": replica.map { $0 + " password='\(password)'" } ?? "",
                                                 "DOWN_URL": "postgres://postgres:\(password)@127.0.0.1:1/app?connect_timeout=2"],
                                   logger: Logger(label: "test"))
        _ = try await FleetRunner(fleet: fleet).run(.upgrade(.head), targets: try await fleet.targets(TargetSelector(databases: ["accounts"])))
        return fleet
    }

    @Test func twoClientsOneReadCountedOnTheServer() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let directory = try TemporaryDirectory()
            let fleet = try await Self.fleet(url, in: directory)
            let database = try #require(PostgresURL.databaseName(of: url))
            // What one `status` read opens.
            let start = try await PostgresTestServer.sessionsOpened(database)
            _ = try await FleetStatus(fleet: fleet, concurrency: 4).status(of: try await fleet.targets())
            let oneRead = try await PostgresTestServer.sessionsOpened(database) - start
            #expect(oneRead >= 1)

            let before = try await PostgresTestServer.sessionsOpened(database)
            try await Server.run(ServeApplication(fleet: fleet, concurrency: 4, listen: ListenAddress(host: "127.0.0.1", port: 0),
                                                  interval: .seconds(60))) { server in
                async let first = server.request("/api/status")
                async let second = server.request("/metrics")
                let (a, b) = try await (first, second)
                #expect(a.status == 200 && b.status == 200)
                #expect((try a.json()["targets"] as? [Any])?.count == 5)
                #expect(await server.reads == 1)
            }
            let served = try await PostgresTestServer.sessionsOpened(database) - before
            #expect(served == oneRead, "two clients cost one read: \(served) sessions, one status read opens \(oneRead)")
        }
    }

    @Test func nothingServedShowsThePassword() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let directory = try TemporaryDirectory()
            let fleet = try await Self.fleet(url, in: directory, down: true)
            try await Server.run(ServeApplication(fleet: fleet, concurrency: 4, listen: ListenAddress(host: "127.0.0.1", port: 0),
                                                  interval: .milliseconds(100))) { server in
                var replies = [try await server.request("/api/status")]
                let down = try #require((try replies[0].json()["targets"] as? [[String: Any]])?.first { $0["target"] as? String == "down" }, "\(replies[0].status) \(replies[0].text.prefix(2000)) \(replies[0].headers)")
                #expect(down["state"] as? String == "unreachable")
                let message = try #require(down["message"] as? String)
                #expect(message.contains("cannot connect to postgres://postgres:***@127.0.0.1:1/app"), "the URL, redacted: \(message)")
                // The tenants' schemas vanish: every target is read as unreachable
                // or the read fails, and the errors quote the server.
                let session = try await PostgresSession.connect(url)
                try await session.closing {
                    for tenant in Self.tenants { try await session.execute("DROP SCHEMA \"tenant_\(tenant)\" CASCADE") }
                }
                _ = try directory.write("[\"acme\", \"bad name!\"]", to: "tenants.json")
                for _ in 0..<500 where replies.last?.header("Shoal-Read-Error") == nil {
                    try await Task.sleep(for: .milliseconds(20))
                    replies.append(try await server.request("/api/status"))
                }
                #expect(replies.last?.header("Shoal-Read-Error") != nil)
                for path in ["/", "/healthz", "/metrics", "/api/runs", "/api/runs/nope"] { replies.append(try await server.request(path)) }
                let runs = try RunLog(directory: try #require(fleet.config.journalDirectory)).ids()
                replies.append(try await server.request("/api/runs/\(try #require(runs.first))"))
                for reply in replies {
                    #expect(!reply.text.contains(Self.password), "\(reply.text.prefix(300))")
                    #expect(!reply.headers.values.contains { $0.contains(Self.password) }, "\(reply.headers)")
                }
            }
        }
    }

    /// Holds the replica for this test alone (``ReplicaTestServer``): its
    /// reads of the standby every 100 ms must not hold up the replay other
    /// replica tests wait for.
    @Test func replicaLagIsAMetricPerReplica() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { url, replica in
            let directory = try TemporaryDirectory()
            let fleet = try await Self.fleet(url, in: directory, replica: replica)
            try await Server.run(ServeApplication(fleet: fleet, concurrency: 4, listen: ListenAddress(host: "127.0.0.1", port: 0),
                                                  interval: .milliseconds(100))) { served in
                // The replica may not have replayed the scratch database yet: until it has, its lag is unknown.
                let key = #"shoal_replica_lag_bytes{database="accounts",shard="accounts",replica="r1"}"#
                var samples: [String: String] = [:]
                for _ in 0..<1000 where samples[key] == nil {
                    samples = MetricsTests.samples(try await served.request("/metrics").text)
                    if samples[key] == nil { try await Task.sleep(for: .milliseconds(20)) }
                }
                let lag = try #require(samples[key].flatMap(Double.init), "\(samples)")
                #expect(lag >= 0)
                let status = try await served.request("/api/status")
                let targets = try #require(try status.json()["targets"] as? [[String: Any]])
                let replicas = targets.compactMap { ($0["replicas"] as? [[String: Any]])?.first }
                #expect(replicas.count == 5 && replicas.allSatisfy { $0["name"] as? String == "r1" }, "\(status.text)")
                #expect(samples.keys.filter { $0.hasPrefix("shoal_replica_lag_bytes") }.count == 1, "one series per replica, not per tenant")
            }
        }
    }
}
