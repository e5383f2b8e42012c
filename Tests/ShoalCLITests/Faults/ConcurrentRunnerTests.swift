import Foundation
@testable import ShoalKit
import ShoalTestSupport
import Testing

/// Issue 6, concurrent runners: N `shoal upgrade` processes on one fleet
/// (partitions that overlap through a missing flag) apply every migration
/// exactly once, a `transaction: false` one among them; a target another run holds longer than `--lock-wait` is
/// reported as locked.
@Suite("faults: concurrent runners", .serialized)
struct ConcurrentRunnerTests {
    @Test(arguments: Backend.allCases)
    func overlappingRunnersApplyEveryMigrationExactlyOnce(_ backend: Backend) async throws {
        if backend == .postgres {
            try await PostgresTestServer.withScratchDatabase { url in try await Self.race(backend, url: url) }
        } else {
            try await Self.race(backend, url: nil)
        }
    }

    static func race(_ backend: Backend, url: String?) async throws {
        let sandbox = try Sandbox()
        let slowness = backend == .sqlite ? 1 : 0.2
        let fleet = try FaultFleet(sandbox, backend: backend, tenants: 6, migrations: 3, url: url,
                                   slowness: slowness, concurrency: 3)
        // The middle one runs outside a transaction: while one runner is in
        // it, the target is dirty, and the others must wait for it rather
        // than take it for a crash (issue 17).
        try fleet.write(2, up: FaultFleet.slowUp(2, backend: backend, slowness: slowness), transaction: false)
        let env = fleet.environment
        let runs = try [
            fleet.sandbox.launch("upgrade", "--json", "--lock-wait", "60", "--partition", "1/2", environment: env),
            fleet.sandbox.launch("upgrade", "--json", "--lock-wait", "60", "--partition", "2/2", environment: env),
            fleet.sandbox.launch("upgrade", "--json", "--lock-wait", "60", environment: env),  // overlaps both
        ]
        var results: [CLIResult] = []
        for run in runs { results.append(try await run.finish()) }
        for result in results {
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            for (id, target) in try result.targets() {
                #expect(["ok", "up-to-date"].contains(target["status"] as? String ?? ""), "\(id): \(target)")
            }
        }
        // Every step ran in exactly one of the three processes.
        var applied: [String: Int] = [:]
        for result in results {
            for (id, target) in try result.targets() {
                for step in target["applied"] as? [[String: Any]] ?? [] {
                    applied["\(id) \(step["revision"] as? String ?? "?")", default: 0] += 1
                }
            }
        }
        #expect(applied.count == fleet.tenants.count * fleet.migrations, "\(applied)")
        #expect(applied.values.allSatisfy { $0 == 1 }, "\(applied.filter { $0.value != 1 })")
        let checked = try await fleet.checkConsistent() // history: each revision once
        #expect(try await fleet.contents().values.allSatisfy { $0.versions == [fleet.head] })
        FaultLedger.note("3 overlapping runners, \(backend)", faults: 1, targets: checked)
    }

    @Test func aPostgresTargetHeldLongerThanTheLockWaitIsReportedLocked() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            let fleet = try FaultFleet(sandbox, backend: .postgres, tenants: 3, migrations: 2, url: url, slowness: 0)
            // Hold tenant02's migrator lock the way another shoal run would.
            let holder = try await PostgresSession.connect(url)
            let held = try await holder.acquireMigrationLock(key: "app/\(fleet.schema("tenant02"))/shoal_version", timeout: .seconds(5))
            #expect(held)
            let result = try await fleet.shoal("upgrade", "--json", "--lock-wait", "1")
            await holder.close()
            #expect(result.status == 1, "\(result.stderr)")
            let report = try result.targets()
            let locked = report[fleet.targetID("tenant02")]
            #expect(locked?["status"] as? String == "failed")
            #expect((locked?["applied"] as? [Any])?.isEmpty == true)
            let message = (locked?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("locked by another shoal run"), "\(message)")
            // Not read under the lock, but by the planning pass: known, and base here.
            #expect(locked?["revisions_known"] == nil && locked?["from"] as? [String] == [], "\(locked ?? [:])")
            #expect(report[fleet.targetID("tenant01")]?["status"] as? String == "ok")
            #expect(report[fleet.targetID("tenant03")]?["status"] as? String == "ok")
            #expect(try await fleet.contents("tenant02").tables.isEmpty)
            let checked = try await fleet.checkConsistent()
            try await fleet.rerunFinishes()
            FaultLedger.note("held advisory lock, PostgreSQL", faults: 1, targets: checked)
        }
    }

    @Test func aSQLiteTargetHeldLongerThanTheLockWaitIsReportedLocked() async throws {
        let sandbox = try Sandbox()
        let fleet = try FaultFleet(sandbox, backend: .sqlite, tenants: 3, migrations: 2, slowness: 0.01)
        #expect(try await fleet.shoal("upgrade", "m01").status == 0)
        let holder = try await SQLiteSession.open(path: sandbox.path(Fixture.tenantFile("tenant02")), mode: .readWrite)
        try await holder.execute("BEGIN IMMEDIATE")
        let result = try await fleet.shoal("upgrade", "--json", "--lock-wait", "1")
        await holder.rollback()
        await holder.close()
        #expect(result.status == 1, "\(result.stderr)")
        let report = try result.targets()
        let locked = report[fleet.targetID("tenant02")]
        #expect(locked?["status"] as? String == "failed")
        let message = (locked?["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("another process holds the database"), "\(message)")
        // SQLite's lock is the step's BEGIN IMMEDIATE: the version table was read before it.
        #expect(locked?["from"] as? [String] == ["m01"] && locked?["revisions_known"] == nil, "\(locked ?? [:])")
        #expect(report[fleet.targetID("tenant01")]?["status"] as? String == "ok")
        #expect(try await fleet.contents("tenant02").versions == ["m01"])
        let checked = try await fleet.checkConsistent()
        try await fleet.rerunFinishes()
        FaultLedger.note("held write lock, SQLite", faults: 1, targets: checked)
    }
}
