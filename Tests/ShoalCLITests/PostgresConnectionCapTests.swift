import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// `max_connections` on a shard caps shoal's sessions to that server,
/// whatever `--concurrency` says (SPEC §6), watched from the server's side.
@Suite("PostgreSQL connection caps")
struct PostgresConnectionCapTests {
    /// The most shoal sessions seen at work at once on one database, sampled
    /// from `pg_stat_activity` every ~20 ms by ``watch(_:database:)`` until stopped.
    ///
    /// A session counts while it runs a statement or holds a transaction
    /// open. Idle ones are left out: after `PQfinish` the server's backend
    /// takes a moment to exit, still listed as idle, so on a loaded machine a
    /// closed session and its successor can both appear for a sample.
    actor SessionTally {
        private(set) var mostAtWork = 0
        private(set) var mostListed = 0
        private(set) var samples = 0
        private(set) var isStopped = false

        func record(atWork: Int, listed: Int) {
            mostAtWork = max(mostAtWork, atWork)
            mostListed = max(mostListed, listed)
            samples += 1
        }

        func stop() { isStopped = true }

        nonisolated func watch(_ url: String, database: String) async throws {
            let session = try await PostgresSession.connect(url)
            do {
                while await !isStopped {
                    let row = try await session.query("""
                        SELECT count(*) FILTER (WHERE state <> 'idle'), count(*) FROM pg_stat_activity
                        WHERE application_name = 'shoal' AND datname = $1 AND pid <> pg_backend_pid()
                        """, [database]).first
                    await record(atWork: row?[0].flatMap { Int($0) } ?? 0, listed: row?[1].flatMap { Int($0) } ?? 0)
                    try await Task.sleep(for: .milliseconds(20))
                }
            } catch {
                await session.close()
                throw error
            }
            await session.close()
        }
    }

    @Test func maxConnectionsCapsSessionsToAShardWhateverTheConcurrency() async throws {
        let tenants = (1...12).map { String(format: "t%02d", $0) }
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            try Fixture.fleet(sandbox, app: """
                "driver": "postgres", "tenants": "tenants/app.json",
                "shards": { "eu-1": { "url": \(Fixture.json(url)), "max_connections": 2 } }
                """, tenants: tenants)
            try sandbox.write("versions/app/\(Fixture.r1)_create_users.sql",
                              MigrationFile(revision: Fixture.r1, message: "create users",
                                                      up: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nSELECT pg_sleep(0.3);",
                                                      down: "DROP TABLE users;").text)
            let watcher = SessionTally()
            // On its own executor: other tests may keep the cooperative threads busy.
            let watching = Task(executorPreference: DedicatedTaskExecutor()) {
                try await watcher.watch(url, database: PostgresProbe.databaseName(url))
            }
            let clock = ContinuousClock()
            let started = clock.now
            let run = try sandbox.launch("upgrade", "--concurrency", "16", "--json")
            let result = try await run.finish()
            let elapsed = clock.now - started
            await watcher.stop()
            try await watching.value

            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(try result.targets().values.allSatisfy { $0["status"] as? String == "ok" })
            let most = await watcher.mostAtWork
            let listed = await watcher.mostListed
            let samples = await watcher.samples
            #expect(most <= 2, "saw \(most) shoal sessions at work on a shard capped at 2 (\(listed) listed)")
            #expect(most == 2, "the run never used both slots (\(samples) samples): the watcher saw nothing to cap")
            #expect(samples >= 10, "too few samples (\(samples)) in \(elapsed) to trust the cap")
            // 12 tenants sleeping 0.3 s two at a time take at least 1.8 s.
            #expect(elapsed >= .milliseconds(1800), "\(elapsed): faster than two sessions at a time allow")
        }
    }
}
