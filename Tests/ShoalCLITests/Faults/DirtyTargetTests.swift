import Foundation
import ShoalTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 6, dirty targets: a `transaction: false` migration SIGKILLed mid-way
/// leaves the target dirty; later runs refuse it with instructions; `stamp`
/// resolves it.
@Suite("faults: dirty targets", .serialized)
struct DirtyTargetTests {
    @Test(arguments: Backend.allCases)
    func aNonTransactionalMigrationKilledMidwayLeavesTheTargetDirtyUntilStamped(_ backend: Backend) async throws {
        if backend == .postgres {
            try await PostgresTestServer.withScratchDatabase { url in try await Self.killMidway(backend, url: url) }
        } else {
            try await Self.killMidway(backend, url: nil)
        }
    }

    static func killMidway(_ backend: Backend, url: String?) async throws {
        let sandbox = try Sandbox()
        let fleet = try FaultFleet(sandbox, backend: backend, tenants: 2, migrations: 2, url: url, slowness: 0.01)
        #expect(try await fleet.shoal("upgrade", "m01").status == 0)
        let slow = backend == .sqlite
            ? "CREATE TABLE slow AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200000000) SELECT count(*) AS n FROM c"
            : "SELECT pg_sleep(60)"
        try fleet.write(2, up: "CREATE TABLE half_a (id int);\n\(slow);\nCREATE TABLE \(FaultFleet.table(2)) (id int);", transaction: false)
        let run = try fleet.sandbox.launch("upgrade", "--target", fleet.targetID("tenant01"), environment: fleet.environment)
        try await waitUntil("the first statement of the non-transactional migration ran") {
            switch backend {
            case .sqlite: return try await sandbox.tableExists(Fixture.tenantFile("tenant01"), "half_a")
            case .postgres: return try await fleet.column("SELECT to_regclass('tenant_tenant01.half_a')::text") != ["NULL"]
            }
        }
        run.send(SIGKILL)
        _ = try await run.finish()
        if backend == .postgres {
            // A SIGKILLed client's backend sleeps on, holding the migrator lock;
            // an operator would terminate it before checking the target.
            try await fleet.terminateShoalBackends()
        }
        try await fleet.settle()
        // The rest of the fleet should not wait on the slow statement: make it quick.
        try fleet.write(2, up: "CREATE TABLE half_a (id int);\nCREATE TABLE \(FaultFleet.table(2)) (id int);", transaction: false)

        let dirty = try await fleet.contents("tenant01")
        #expect(dirty.dirty)
        #expect(dirty.versions == ["m01"])
        let status = try await fleet.shoal("status", "--json").targets()
        #expect(status[fleet.targetID("tenant01")]?["state"] as? String == "dirty")
        #expect(status[fleet.targetID("tenant02")]?["state"] as? String == "behind")

        let refused = try await fleet.shoal("upgrade")
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("dirty") && refused.stdout.contains("shoal stamp"), "\(refused.stdout)")
        #expect(try await fleet.contents("tenant01") == dirty, "a refused target is not touched")
        #expect(try await fleet.contents("tenant02").versions == [fleet.head], "the rest of the fleet goes on")

        // The user checks the target by hand, finishes what the migration
        // did not (or undoes it), and stamps where it is.
        switch backend {
        case .sqlite:
            try await SQLiteWriter.execute(sandbox.path(Fixture.tenantFile("tenant01")), "DROP TABLE half_a; CREATE TABLE t_02 (id int);")
        case .postgres:
            _ = try await fleet.column("DROP TABLE tenant_tenant01.half_a")
            _ = try await fleet.column("CREATE TABLE tenant_tenant01.t_02 (id int)")
        }
        let stamped = try await fleet.shoal("stamp", fleet.head, "--target", fleet.targetID("tenant01"))
        #expect(stamped.status == 0, "\(stamped.stdout)\n\(stamped.stderr)")
        let clean = try await fleet.shoal("status", "--json").targets()
        #expect(clean[fleet.targetID("tenant01")]?["state"] as? String == "up-to-date")
        #expect(try await fleet.shoal("upgrade").status == 0)
        #expect(!(try await fleet.contents("tenant01").dirty))
        FaultLedger.note("SIGKILL in transaction: false, \(backend)", faults: 1, targets: fleet.tenants.count)
    }
}
