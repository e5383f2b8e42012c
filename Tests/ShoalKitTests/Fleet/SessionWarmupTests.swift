import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// Sessions opened while a command loads its tenants: which places are
/// warmed, and that a run with them reads and reports exactly what a run
/// without them does, against the server of scripts/test.
@Suite struct SessionWarmupTests {
    // MARK: Which places

    static let fleet = """
        {"databases": {
          "app": {"driver": "postgres", "tenants": "tenants/app.json",
                  "shards": {"eu": {"url": "postgres://h/eu"}, "us": {"url": "postgres://h/us"}}},
          "core": {"driver": "postgres", "url": "postgres://h/core", "lock_timeout_ms": 100},
          "edge": {"driver": "sqlite", "path": "edge/{tenant}.db", "tenants": "tenants/edge.json"}
        }}
        """

    /// The fleet of `json` in a scratch folder, with two tenants on each of
    /// app's shards and two SQLite tenants.
    static func scratchFleet(_ json: String, in directory: TemporaryDirectory) throws -> Fleet {
        try directory.write(#"[{"name": "acme", "shard": "eu"}, {"name": "beta", "shard": "eu"}, {"name": "corp", "shard": "us"}, {"name": "dyna", "shard": "us"}]"#,
                            to: "tenants/app.json")
        try directory.write(#"["e1", "e2"]"#, to: "tenants/edge.json")
        for name in ["a.json", "b.json", "t.json"] { try directory.write(#"["t1", "t2"]"#, to: name) }
        let file = try directory.write(json, to: "config.json")
        return Fleet(config: try ConfigLoader.parse(Data(json.utf8), file: file, environment: [:]))
    }

    /// The URLs warmed for reading the targets `selector` picks, sorted.
    static func places(_ selector: TargetSelector = TargetSelector(), in json: String = fleet,
                       concurrency: Int = 8) async throws -> [String]? {
        let directory = try TemporaryDirectory()
        let targets = try await scratchFleet(json, in: directory).targets(selector)
        return SessionPool.warmUpPlaces(for: targets, concurrency: concurrency)?.map(\.url).sorted()
    }

    @Test func everyShardAndPlainDatabaseOfTheSelectionIsWarmed() async throws {
        #expect(try await Self.places() == ["postgres://h/core", "postgres://h/eu", "postgres://h/us"])
        #expect(try await Self.places(TargetSelector(databases: ["app"])) == ["postgres://h/eu", "postgres://h/us"])
        // A target without a shard matches no shard selector.
        #expect(try await Self.places(TargetSelector(shards: ["eu"])) == ["postgres://h/eu"])
        // A partition warms the shards of the targets it picks.
        let directory = try TemporaryDirectory()
        let half = try await Self.scratchFleet(Self.fleet, in: directory).targets(TargetSelector(partition: try Partition(parsing: "1/2")))
        let halfURLs = Set(half.compactMap { target -> String? in
            if case .postgres(let url, _) = target.location { return url }
            return nil
        })
        #expect(try await Self.places(TargetSelector(partition: try Partition(parsing: "1/2"))) == halfURLs.sorted())
    }

    @Test func theSessionSettingsAreTheDatabases() async throws {
        let directory = try TemporaryDirectory()
        let fleet = try Self.scratchFleet(Self.fleet, in: directory)
        let core = try #require(SessionPool.warmUpPlaces(for: try await fleet.targets(TargetSelector(databases: ["core"])), concurrency: 8)?.first)
        #expect(core.settings == fleet.config.database(named: "core")?.settings)
        #expect(core.settings.lockTimeoutMs == 100)
    }

    @Test func nothingIsWarmedWhereItWouldWasteOrExceedSessions() async throws {
        // Tenant or target globs warm only the shards of the targets they pick.
        #expect(try await Self.places(TargetSelector(tenants: ["acme"])) == ["postgres://h/eu"])
        #expect(try await Self.places(TargetSelector(targets: ["app/corp"])) == ["postgres://h/us"])
        // More places than sessions the run may open.
        #expect(try await Self.places(concurrency: 2) == nil)
        #expect(try await Self.places(concurrency: 3) != nil)
        // Nothing on PostgreSQL selected.
        #expect(try await Self.places(TargetSelector(databases: ["edge"])) == nil)
        #expect(SessionPool.warmUpPlaces(for: [], concurrency: 8) == nil)
        // `layout: database`: each tenant has a URL of its own.
        let perTenant = configWith(#"{"driver": "postgres", "layout": "database", "url": "postgres://h/app_{tenant}", "tenants": "t.json"}"#)
        #expect(try await Self.places(in: perTenant) == nil)
    }

    @Test func twoDatabasesOnOneURLCountTwiceAgainstTheConcurrency() async throws {
        let shared = """
            {"databases": {
              "a": {"driver": "postgres", "tenants": "a.json", "url": "postgres://127.0.0.1:1/one"},
              "b": {"driver": "postgres", "tenants": "b.json", "url": "postgres://127.0.0.1:1/one", "version_table": "b_version"}
            }}
            """
        #expect(try await Self.places(in: shared, concurrency: 1) == nil)
        #expect(try await Self.places(in: shared, concurrency: 2) == ["postgres://127.0.0.1:1/one", "postgres://127.0.0.1:1/one"])
        let directory = try TemporaryDirectory()
        let targets = try await Self.scratchFleet(shared, in: directory).targets()
        let pool = SessionPool(targets: targets, warmingUp: 2)
        #expect(pool.untaken == 1, "one session per URL and settings")
        pool.discardWarmup()
        #expect(pool.untaken == 0)
        await pool.close()
    }

    // MARK: Runs with warmed sessions

    /// A one-shard schema-per-tenant fleet on a scratch database.
    static func tenantFleet(url: String, directory: TemporaryDirectory) throws -> Fleet {
        try MigrationFile(revision: "aaaa0001", message: "aaaa0001", up: "CREATE TABLE items (id int);")
            .write(in: directory, as: "versions/crm/aaaa0001.sql")
        try MigrationFile(revision: "bbbb0002", parents: ["aaaa0001"], message: "bbbb0002", up: "ALTER TABLE items ADD COLUMN name text;")
            .write(in: directory, as: "versions/crm/bbbb0002.sql")
        try directory.write(#"["t1", "t2", "t3", "t4"]"#, to: "tenants.json")
        let database = DatabaseConfig(
            name: "crm", driver: .postgres, url: url, schemaTemplate: "crm_{tenant}",
            tenants: .registry(path: directory.file("tenants.json")), versionsDirectory: directory.file("versions/crm"))
        return Fleet(config: FleetConfig(directory: directory.path, databases: [database]))
    }

    @Test func statusAndUpgradeTakeTheWarmedSessionAndReportAsWithout() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let directory = try TemporaryDirectory()
            let fleet = try Self.tenantFleet(url: url, directory: directory)
            let targets = try await fleet.targets()
            // Two tenants at the first revision, two not started.
            _ = try await FleetRunner(fleet: fleet).run(.upgrade(.relative(1)), targets: Array(targets.prefix(2)))

            let cold = try await FleetStatus(fleet: fleet, concurrency: 8).status(of: targets, onReplica: nil, in: SessionPool(targets: targets))
            let warmup = SessionPool(targets: targets, warmingUp: 8)
            #expect(warmup.untaken == 1)
            let warm = try await FleetStatus(fleet: fleet, concurrency: 8).status(of: targets, onReplica: nil, in: warmup)
            await warmup.close()
            #expect(warm == cold)
            #expect(warm.map(\.state) == [.behind, .behind, .uninitialized, .uninitialized])
            #expect(warmup.untaken == 0, "the shard's read took the warmed session")
            #expect(try await FleetStatus(fleet: fleet, concurrency: 8).status(of: targets) == cold)

            let runner = FleetRunner(fleet: fleet)
            let upgrading = SessionPool(targets: targets, warmingUp: 8)
            let plan = try await runner.plan(.upgrade(.head), targets: targets, in: upgrading)
            await upgrading.close()
            #expect(upgrading.untaken == 0)
            let report = try await runner.execute(plan)
            #expect(report.targets.map(\.status) == Array(repeating: .ok, count: 4))
            #expect(report.targets.map(\.applied.count) == [1, 1, 2, 2])
            let after = try await FleetStatus(fleet: fleet, concurrency: 8).status(of: targets)
            #expect(after.allSatisfy { $0.state == .upToDate && $0.current == ["bbbb0002"] })
        }
    }

    @Test func aShardThatCannotBeReachedFailsTheSameWayWarmedOrNot() async throws {
        let directory = try TemporaryDirectory()
        let down = "postgres://postgres:Sup3rSecret@127.0.0.1:1/crm?connect_timeout=2"
        let fleet = try Self.tenantFleet(url: down, directory: directory)
        let targets = try await fleet.targets()
        let cold = try await FleetStatus(fleet: fleet, concurrency: 8).status(of: targets, onReplica: nil, in: SessionPool(targets: targets))
        let warmup = SessionPool(targets: targets, warmingUp: 8)
        #expect(warmup.untaken == 1)
        let warm = try await FleetStatus(fleet: fleet, concurrency: 8).status(of: targets, onReplica: nil, in: warmup)
        await warmup.close()
        #expect(warm == cold)
        #expect(warm.allSatisfy { $0.state == .unreachable })
        #expect(warm.first?.message?.contains("Sup3rSecret") == false)
    }

    /// The tenant fleet on a server that never answers: a warmed session's
    /// attempt lasts until libpq's connect_timeout (2 s, counted in whole
    /// seconds: 1 to 2 s).
    static func silentFleet(_ listener: SilentListener, directory: TemporaryDirectory) throws -> Fleet {
        try tenantFleet(url: "host=127.0.0.1 port=\(listener.port) user=shoal dbname=crm connect_timeout=2", directory: directory)
    }

    @Test func closeReturnsOnceEveryConnectionAttemptIsOver() async throws {
        let listener = try SilentListener()
        let directory = try TemporaryDirectory()
        let targets = try await Self.silentFleet(listener, directory: directory).targets()
        let started = ContinuousClock.now
        let warmup = SessionPool(targets: targets, warmingUp: 8)
        #expect(warmup.untaken == 1)
        await warmup.close()
        #expect(ContinuousClock.now - started >= .seconds(1), "close() waited for libpq to give up")
        #expect(warmup.untaken == 0)
        #expect(listener.connectionsWaiting() == 1, "the attempt reached the server")
        await warmup.close()  // idempotent
    }

    private func watcherDatabase(_ url: String) async throws -> String? {
        let session = try await PostgresSession.connect(url)
        defer { Task { await session.close() } }
        return try await session.query("SELECT current_database()").first?.first ?? nil
    }

    @Test func sessionsNobodyTookAreClosed() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let directory = try TemporaryDirectory()
            let fleet = try Self.tenantFleet(url: url, directory: directory)
            let database = try #require(try await watcherDatabase(url))
            let warmup = SessionPool(targets: try await fleet.targets(), warmingUp: 8)
            #expect(warmup.untaken == 1)
            let watcher = try await PostgresSession.connect(url)
            func shoalSessions() async throws -> Int {
                try await watcher.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'shoal' AND datname = $1 AND pid <> pg_backend_pid()",
                                        [database]).first?.first.flatMap { $0.flatMap { Int($0) } } ?? -1
            }
            var open = 0
            for _ in 0..<200 where open < 1 {
                open = try await shoalSessions()
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(open == 1, "the warmed session connected")
            warmup.discardWarmup()
            for _ in 0..<500 where open > 0 {
                try await Task.sleep(for: .milliseconds(10))
                open = try await shoalSessions()
            }
            #expect(open == 0, "discard closed it")
            await warmup.close()
            await watcher.close()
        }
    }
}
