import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// Waiting for replicas inside a fan-out run, against the real primary and
/// streaming replica of scripts/test.
@Suite struct ReplicaWaiterTests {
    /// Events of a run, collected from any task.
    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [FleetEvent] = []
        func append(_ event: FleetEvent) { lock.withLock { events.append(event) } }
        var all: [FleetEvent] { lock.withLock { events } }
    }

    @Test func theTenantsOfOneShardWaitOnceOnOneSessionForTheirReplica() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, replica in
            let directory = try TemporaryDirectory()
            try MigrationFile(revision: "aaaa0001", message: "aaaa0001", up: "CREATE TABLE items (id int);")
                .write(in: directory, as: "versions/crm/aaaa0001.sql")
            try MigrationFile(revision: "bbbb0002", parents: ["aaaa0001"], message: "bbbb0002", up: "ALTER TABLE items ADD COLUMN name text;")
                .write(in: directory, as: "versions/crm/bbbb0002.sql")
            let database = DatabaseConfig(
                name: "crm", driver: .postgres, url: primary, schemaTemplate: "crm_{tenant}",
                tenants: .registry(path: directory.file("tenants.json")), versionsDirectory: directory.file("versions/crm"),
                replicas: [ReplicaConfig(name: "crm-replica", url: replica)])
            let fleet = Fleet(config: FleetConfig(directory: directory.path, databases: [database]))
            let tenants = (1...40).map { Tenant(name: "t\($0)") }
            let targets = try TargetResolver.targets(database: database, tenants: tenants)

            let log = EventLog()
            // A generous replica timeout: a loaded two-core machine has been
            // seen to replay this run 53 s late, and the test is about the
            // shape of the wait, not its speed.
            let report = try await FleetRunner(fleet: fleet, options: .init(concurrency: 8, replicaTimeout: .seconds(300)))
                .run(.upgrade(.head), targets: targets) { log.append($0) }

            #expect(report.summary.ok == 40, "\(report.targets.compactMap(\.error?.message).prefix(3))")
            for target in report.targets {
                #expect(target.replicas.map(\.status) == [.caughtUp], "\(target.target)")
            }
            let waits = log.all.compactMap { if case .waitingForReplica(let name, let count) = $0 { (name, count) } else { nil } }
            #expect(waits.count == 1, "one wait for the whole shard, not one per tenant")
            #expect(waits.first?.0 == "crm-replica")
            #expect(waits.first?.1 == 40)
            let waited = log.all.compactMap { if case .replicaWaited(let wait) = $0 { wait } else { nil } }
            #expect(waited.count == 1)
            #expect(waited.first?.caughtUp == true)
            // Polls back off from 10 ms to 1 s: about 8 to reach 1 s, then one a
            // second. That bounds them by the time waited, whatever the number
            // of tenants. (Not by the number of tenants: on a loaded two-core
            // CI machine the replica once took 53 s to replay this run, and
            // polled 62 times, one a second, as it should.)
            let wait = try #require(waited.first)
            #expect(wait.polls <= 8 + wait.waitedMs / 1000 + 1, "a handful of polls, however many tenants: \(wait.polls) in \(wait.waitedMs) ms")
            let finished = log.all.filter { if case .targetFinished = $0 { true } else { false } }
            #expect(finished.count == 40, "every target's line comes once, after its wait")
            // Each commit is announced as it happens, before the batch's wait;
            // the final reports after it.
            let events = log.all
            let committed = events.indices.compactMap { index -> (Int, TargetReport)? in
                if case .targetCommitted(let report) = events[index] { (index, report) } else { nil }
            }
            #expect(Set(committed.map(\.1.target)) == Set(targets.map(\.id)), "one commit event per target")
            #expect(committed.allSatisfy { $0.1.status == .ok && $0.1.replicas.isEmpty })
            let waitStarted = try #require(events.firstIndex { if case .waitingForReplica = $0 { true } else { false } })
            let waitEnded = try #require(events.firstIndex { if case .replicaWaited = $0 { true } else { false } })
            let firstFinished = try #require(events.firstIndex { if case .targetFinished = $0 { true } else { false } })
            #expect(committed.allSatisfy { $0.0 < waitStarted })
            #expect(waitEnded < firstFinished)

            let session = try await PostgresSession.connect(replica)
            for tenant in ["t1", "t20", "t40"] {
                let rows = try await session.query("SELECT revision FROM \(session.quoteIdentifier("crm_" + tenant)).shoal_version")
                #expect(rows == [["bbbb0002"]], "\(tenant)")
            }
            await session.close()
        }
    }

    /// Whether a run's task has ended, for a test that polls while it runs.
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }

    @Test func aTargetIsReportedAsSoonAsItsOwnReplicasAreSettledNotWhenTheBatchsSlowestWaitEnds() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, replica in
            let directory = try TemporaryDirectory()
            try MigrationFile(revision: "aaaa0001", message: "aaaa0001", up: "CREATE TABLE items (id int);")
                .write(in: directory, as: "versions/crm/aaaa0001.sql")
            try MigrationFile(revision: "cccc0001", message: "cccc0001", up: "CREATE TABLE jobs (id int);")
                .write(in: directory, as: "versions/ops/cccc0001.sql")
            // Two databases of one batch: crm waits for its replica, whose
            // replay is paused; ops's replica is down, allowed missing, so
            // there is nothing to wait for.
            let crm = DatabaseConfig(name: "crm", driver: .postgres, url: primary, versionsDirectory: directory.file("versions/crm"),
                                     replicas: [ReplicaConfig(name: "crm-replica", url: replica)])
            let ops = DatabaseConfig(name: "ops", driver: .postgres, url: primary, versionsDirectory: directory.file("versions/ops"),
                                     versionTable: "ops_version",
                                     replicas: [ReplicaConfig(name: "ops-replica", url: "postgres://postgres@127.0.0.1:1/nowhere")])
            let fleet = Fleet(config: FleetConfig(directory: directory.path, databases: [crm, ops]))
            let targets = try TargetResolver.targets(database: crm, tenants: []) + TargetResolver.targets(database: ops, tenants: [])
            let runner = FleetRunner(fleet: fleet, options: {
                var options = FleetRunner.Options(concurrency: 4, replicaTimeout: .seconds(60))
                options.allowMissingReplicas = true
                return options
            }())
            func isFinished(_ id: String, _ event: FleetEvent) -> Bool {
                if case .targetFinished(let report) = event { report.target == id } else { false }
            }

            let log = EventLog()
            let report = try await ReplicaTestServer.withReplayPaused {
                let ended = Flag()
                let run = Task {
                    defer { ended.set() }
                    return try await runner.run(.upgrade(.head), targets: targets) { log.append($0) }
                }
                let deadline = ContinuousClock.now + .seconds(60)
                while !log.all.contains(where: { isFinished("ops", $0) }) && !ended.isSet && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                // ops is final while crm's replica has not replayed crm's commit.
                let soFar = log.all
                #expect(soFar.contains { isFinished("ops", $0) }, "ops waited for crm's replica")
                #expect(!soFar.contains { isFinished("crm", $0) } && !ended.isSet, "crm's wait ended while replay was paused")
                #expect(soFar.contains { if case .targetCommitted(let report) = $0 { report.target == "crm" } else { false } })
                try await ReplicaTestServer.resumeReplay()
                return try await run.value
            }
            let byID = Dictionary(uniqueKeysWithValues: report.targets.map { ($0.target, $0) })
            #expect(byID["crm"]?.status == .ok)
            #expect(byID["crm"]?.replicas.map(\.status) == [.caughtUp])
            #expect(byID["ops"]?.status == .ok)
            #expect(byID["ops"]?.replicas.map(\.status) == [.unreachable])
            #expect(log.all.filter { if case .targetFinished = $0 { true } else { false } }.count == 2)
        }
    }

    @Test func aReplicaThatCannotBeReachedSettlesEveryPositionUnreachableWithoutPolling() async throws {
        let outcome = await ReplicaCatchUp(timeout: .seconds(5))
            .wait(replicaURL: "postgres://postgres:Sup3rSecret@127.0.0.1:1/x", for: [WALPosition(offset: 1), WALPosition(offset: 2)])
        #expect(outcome.polls == 0)
        #expect(outcome.results.count == 2)
        for result in outcome.results.values {
            guard case .unreachable(let message) = result else {
                Issue.record("expected unreachable, got \(result)")
                continue
            }
            #expect(message.hasPrefix("cannot be reached: "))
            #expect(!message.contains("Sup3rSecret"))
        }
    }

    /// A replica URL that reaches a primary (trust authentication lets its
    /// password through): the refusal names the URL without the password, and
    /// so does the replica's own report under `--allow-missing-replicas`, which
    /// is no error's message.
    @Test func aReplicaThatIsNotAStandbyIsReportedWithoutItsPassword() async throws {
        try await PostgresTestServer.withScratchDatabase { primary throws in
            let directory = try TemporaryDirectory()
            try MigrationFile(revision: "aaaa0001", message: "aaaa0001", up: "CREATE TABLE items (id int);").write(in: directory, as: "versions/core/aaaa0001.sql")
            // The scratch database's conninfo is keyword=value; a URL takes the password in its user info.
            let withPassword = primary.contains("://")
                ? primary.replacingOccurrences(of: "://postgres@", with: "://postgres:Sup3rSecret@")
                : primary + " password=Sup3rSecret"
            #expect(withPassword.contains("Sup3rSecret"), "\(primary)")
            let database = DatabaseConfig(name: "core", driver: .postgres, url: primary, versionsDirectory: directory.file("versions/core"),
                                          replicas: [ReplicaConfig(name: "core-replica", url: withPassword)])
            let fleet = Fleet(config: FleetConfig(directory: directory.path, databases: [database]))
            let targets = try TargetResolver.targets(database: database, tenants: [])

            let refused = try await FleetRunner(fleet: fleet).run(.upgrade(.head), targets: targets) { _ in }
            let message = refused.targets.first?.error?.message ?? ""
            #expect(refused.targets.first?.status == .failed)
            #expect(message.contains("is not a standby") && message.contains("***"), "\(message)")
            #expect(!message.contains("Sup3rSecret"))

            var options = FleetRunner.Options()
            options.allowMissingReplicas = true
            let allowed = try await FleetRunner(fleet: fleet, options: options).run(.upgrade(.head), targets: targets) { _ in }
            #expect(allowed.targets.first?.status == .ok, "\(String(describing: allowed.targets.first?.error))")
            let replica = allowed.targets.first?.replicas.first
            #expect(replica?.status == .unreachable)
            #expect(replica?.message?.contains("is not a standby") == true, "\(String(describing: replica))")
            #expect(replica?.message?.contains("***") == true)
            #expect(replica?.message?.contains("Sup3rSecret") == false)
        }
    }

    @Test func replicaSessionsAreReadOnlyEvenOnAPrimary() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let target = Target(id: "core", database: "core", driver: .postgres, location: .postgres(url: url, schema: nil))
            let error = await #expect(throws: ShoalError.self) {
                _ = try await SessionPool.withSession(target, access: .replica) { session in
                    try await session.execute("CREATE TABLE t (id int)")
                }
            }
            #expect(error?.sqlState == "25006", "read_only_sql_transaction")
            let writable = try await SessionPool.withSession(target, access: .migrate) { session in
                try await session.execute("CREATE TABLE t (id int)")
                return true
            }
            #expect(writable == true)
        }
    }
}
