import Foundation
@testable import ShoalKit
import ShoalTestSupport
import Testing

/// Issue 17 item 1: a `transaction: false` migration that is running now
/// leaves the same dirty mark as one that crashed. A second run must tell
/// them apart by the target's migrator lock: `status` says `in-progress`,
/// not `dirty`; `upgrade` waits for the lock (`--lock-wait`) and plans from
/// what it finds then; `stamp` never applies a decision made before that
/// wait, so following shoal's own advice cannot move the target back.
@Suite("faults: a transaction: false migration in progress", .serialized)
struct InProgressTests {
    @Test(arguments: Backend.allCases)
    func aRunningNonTransactionalMigrationIsInProgressNotDirty(_ backend: Backend) async throws {
        if backend == .postgres {
            try await PostgresTestServer.withScratchDatabase { url in try await Self.overlap(backend, url: url) }
        } else {
            try await Self.overlap(backend, url: nil)
        }
    }

    static func overlap(_ backend: Backend, url: String?) async throws {
        let sandbox = try Sandbox()
        let fleet = try FaultFleet(sandbox, backend: backend, tenants: 2, migrations: 2, url: url, slowness: 0.01)
        #expect(try await fleet.shoal("upgrade", "m01").status == 0)
        // m02 runs outside a transaction and waits at a gate the test holds
        // shut, so it is running for exactly as long as the test needs.
        let gate = try await Gate.shut(backend, sandbox: sandbox, url: url)
        try fleet.write(2, up: "CREATE TABLE half_a (id int);\n\(gate.statement)\nCREATE TABLE \(FaultFleet.table(2)) (id int);",
                        transaction: false)
        let tenant = fleet.targetID("tenant01")
        let env = fleet.environment.merging(["SHOAL_LOG_LEVEL": "notice"]) { $1 }
        // --lock-wait is also SQLite's busy timeout, which bounds the wait at
        // the gate: long, so that a loaded machine cannot end it early.
        let first = try sandbox.launch("upgrade", "--target", tenant, "--json", "--lock-wait", "600", environment: env)
        do {
            try await waitUntil("m02 marked tenant01 dirty and waits at the gate") {
                if !first.isRunning { throw FinishedEarly(message: "the first run ended early: \(first.stderrSoFar)") }
                return try await fleet.contents("tenant01").dirty
            }

            // status: being migrated now, not crashed; not at head for --exit-code.
            let status = try await fleet.shoal("status", "--json")
            let row = try #require(try status.targets()[tenant])
            #expect(row["state"] as? String == "in-progress", "\(row)")
            #expect((row["message"] as? String ?? "").contains("being migrated now"), "\(row)")
            let text = try await fleet.shoal("status", "--exit-code")
            #expect(text.status == 1)
            #expect(text.stdout.contains("\(tenant)  m01  in-progress"), "\(text.stdout)")
            #expect(!text.stdout.contains("shoal stamp"), "no advice to stamp a target that is being migrated: \(text.stdout)")

            // A run that cannot wait long enough reports the lock, not a dirty target.
            let impatient = try await fleet.shoal("upgrade", "--target", tenant, "--lock-wait", "1", "--json")
            #expect(impatient.status == 1)
            let locked = try #require(try impatient.targets()[tenant])
            let message = (locked["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("locked by another shoal run"), "\(message)")
            #expect(!message.contains("dirty"), "\(message)")

            // A dry run cannot know the plan yet, and says why.
            let dry = try await fleet.shoal("upgrade", "--target", tenant, "--dry-run")
            #expect(dry.stdout.contains("being migrated now by another shoal run"), "\(dry.stdout)")

            // Following the advice of the old message: stamp the revision the
            // target was at. And a plain upgrade beside it. Both wait.
            let stamp = try sandbox.launch("stamp", "m01", "--target", tenant, "--json", "--lock-wait", "600", environment: env)
            let upgrade = try sandbox.launch("upgrade", "--target", tenant, "--json", "--lock-wait", "600", environment: env)
            try await waitUntil("the stamp and the upgrade wait for the lock") {
                for run in [stamp, upgrade] where !run.isRunning {
                    throw FinishedEarly(message: "a run ended while the target was in progress: \(run.stderrSoFar)")
                }
                return stamp.stderrSoFar.contains("waiting up to") && upgrade.stderrSoFar.contains("waiting up to")
            }
            #expect(try await fleet.contents("tenant01").versions == ["m01"], "nothing moved while m02 runs")

            try await gate.open()
            let done = try await first.finish(within: .seconds(120))
            #expect(done.status == 0, "\(done.stdout)\n\(done.stderr)")
            #expect(try done.targets()[tenant]?["status"] as? String == "ok")

            let stamped = try await stamp.finish(within: .seconds(120))
            #expect(stamped.status == 1, "\(stamped.stdout)\n\(stamped.stderr)")
            let refused = try #require(try stamped.targets()[tenant])
            #expect(refused["status"] as? String == "failed")
            let why = (refused["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(why.contains("changed while this stamp waited"), "\(why)")
            #expect(why.contains("nothing was stamped"), "\(why)")

            let upgraded = try await upgrade.finish(within: .seconds(120))
            #expect(upgraded.status == 0, "\(upgraded.stdout)\n\(upgraded.stderr)")
            #expect(try upgraded.targets()[tenant]?["status"] as? String == "up-to-date")
        } catch {
            try? await gate.open()
            first.send(SIGKILL)
            throw error
        }

        // The target is where the first run took it; the next upgrade has nothing to do.
        let after = try await fleet.contents("tenant01")
        #expect(after.versions == [fleet.head])
        #expect(!after.dirty)
        #expect(after.upgrades == ["m01", "m02"])
        let next = try await fleet.shoal("upgrade", "--json")
        #expect(next.status == 0, "\(next.stdout)\n\(next.stderr)")
        #expect(try next.targets()[tenant]?["status"] as? String == "up-to-date")
        try await gate.close()  // its session is one of shoal's, which the check waits to end
        let checked = try await fleet.checkConsistent()
        FaultLedger.note("transaction: false in progress, \(backend)", faults: 1, targets: checked)
    }

    /// Status of a SQLite target whose dirty mark nobody's lock backs: a
    /// crashed migration. Proves the lock probe does not call every dirty
    /// target in progress (the PostgreSQL side is `DirtyTargetTests`).
    @Test func aDirtyMarkWithoutALiveLockIsDirty() async throws {
        let sandbox = try Sandbox()
        let fleet = try FaultFleet(sandbox, backend: .sqlite, tenants: 1, migrations: 1, slowness: 0.01)
        #expect(try await fleet.shoal("upgrade").status == 0)
        try await SQLiteWriter.execute(sandbox.path(Fixture.tenantFile("tenant01")),
                                       "INSERT INTO shoal_version_dirty VALUES ('m01', 'upgrade', '2026-12-06T00:00:00Z')")
        // A lock file left behind with nobody holding it is not a live run.
        try sandbox.write("tenants/app/.tenant01.sqlite.shoal-lock", "")
        let status = try await fleet.shoal("status", "--json")
        #expect(try status.targets()[fleet.targetID("tenant01")]?["state"] as? String == "dirty")
    }
}

/// A statement of a `transaction: false` migration that waits until the
/// test opens the gate: on PostgreSQL it polls an advisory lock the test
/// holds (`pg_try_advisory_lock`, so `lock_timeout` does not end it); on
/// SQLite it reads a database the test holds an exclusive lock on (the
/// migration's busy timeout is `--lock-wait`, 30 s by default).
struct Gate: Sendable {
    let statement: String
    private let postgres: PostgresSession?
    private let sqlite: SQLiteSession?

    static let key = 4_242_4242

    static func shut(_ backend: Backend, sandbox: Sandbox, url: String?) async throws -> Gate {
        switch backend {
        case .postgres:
            let session = try await PostgresSession.connect(url!)
            _ = try await session.query("SELECT pg_advisory_lock(\(key))")
            return Gate(statement: """
                DO $$ BEGIN WHILE NOT pg_try_advisory_lock(\(key)) LOOP PERFORM pg_sleep(0.02); END LOOP; \
                PERFORM pg_advisory_unlock(\(key)); END $$;
                """, postgres: session, sqlite: nil)
        case .sqlite:
            let path = sandbox.path("gate.sqlite")
            let session = try await SQLiteSession.open(path: path, mode: .readWrite)
            try await session.execute("CREATE TABLE g (x int)")
            try await session.execute("BEGIN EXCLUSIVE")
            return Gate(statement: "ATTACH DATABASE '\(path)' AS gate;\nSELECT count(*) FROM gate.g;\nDETACH DATABASE gate;",
                        postgres: nil, sqlite: session)
        }
    }

    func open() async throws {
        if let postgres { _ = try await postgres.query("SELECT pg_advisory_unlock_all()") }
        if let sqlite { await sqlite.rollback() }
    }

    func close() async throws {
        await postgres?.close()
        await sqlite?.close()
    }
}
