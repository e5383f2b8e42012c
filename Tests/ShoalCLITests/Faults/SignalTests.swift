import Foundation
import ShoalTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 6, SIGINT/SIGTERM: shoal starts no new target, lets running steps
/// finish, writes its report with unstarted targets `skipped`, exits 128+n;
/// a second signal cancels running statements, which roll back.
@Suite("faults: SIGINT and SIGTERM", .serialized)
struct SignalTests {
    static let cases: [(Backend, Int32)] = [(.sqlite, SIGINT), (.sqlite, SIGTERM), (.postgres, SIGINT), (.postgres, SIGTERM)]

    @Test(arguments: [0, 1, 2, 3])
    func aSignalStopsTheRunBetweenStepsAndTheReportSaysWhatWasSkipped(_ index: Int) async throws {
        let (backend, signal) = Self.cases[index]
        if backend == .postgres {
            try await PostgresTestServer.withScratchDatabase { url in
                try await Self.interrupt(backend, signal, url: url)
            }
        } else {
            try await Self.interrupt(backend, signal, url: nil)
        }
    }

    static func interrupt(_ backend: Backend, _ signal: Int32, url: String?) async throws {
        let sandbox = try Sandbox()
        // One target at a time, so that when the first step commits most targets are unstarted.
        let fleet = try FaultFleet(sandbox, backend: backend, tenants: 4, migrations: 3, url: url,
                                   slowness: backend == .sqlite ? 15 : 0.3, concurrency: 1)
        let run = try fleet.sandbox.launch("upgrade", "--json", environment: fleet.environment)
        try await fleet.waitUntilMidRun(run)
        run.send(signal)
        let result = try await run.finish()
        #expect(result.status == 128 + signal, "\(result.stderr)")
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        #expect(result.stderr.contains("\(name): finishing running steps"), "\(result.stderr)")
        let report = try result.targets()
        #expect(report.count == fleet.tenants.count, "\(result.stdout)")
        let statuses = report.values.map { $0["status"] as? String ?? "" }
        #expect(statuses.contains("skipped"), "\(statuses)")
        #expect(statuses.allSatisfy { ["ok", "failed", "skipped"].contains($0) }, "\(statuses)")
        for (id, target) in report where target["status"] as? String != "ok" {
            let message = (target["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("interrupted (\(name))"), "\(id): \(message)")
        }
        // Each skipped target has its text line too (on stderr, under --json), with the reason.
        let lines = result.stderr.split(separator: "\n")
        for (id, target) in report where target["status"] as? String == "skipped" {
            #expect(lines.contains { $0.hasPrefix(id + " ") && $0.contains("skipped  not started: the run was interrupted (\(name))") },
                    "no skipped line for \(id): \(result.stderr)")
        }
        // The report says where each target is: check it against the databases.
        let contents = try await fleet.contents()
        for tenant in fleet.tenants {
            let target = try #require(report[fleet.targetID(tenant)])
            if target["status"] as? String != "skipped" {
                #expect(target["to"] as? [String] == contents[tenant]?.versions, "\(tenant): \(target)")
            } else {
                #expect(contents[tenant]?.versions == [], "\(tenant) was skipped but is at \(contents[tenant]?.versions ?? [])")
            }
        }
        let checked = try await fleet.checkConsistent()
        try await fleet.rerunFinishes()
        FaultLedger.note("\(name), \(backend)", faults: 1, targets: checked)
    }

    @Test func aSecondSignalCancelsTheRunningStatementWhichRollsBack() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let sandbox = try Sandbox()
            let fleet = try FaultFleet(sandbox, backend: .postgres, tenants: 1, migrations: 1, url: url, slowness: 60)
            let run = try fleet.sandbox.launch("upgrade", "--json", environment: fleet.environment)
            try await waitUntil("the migration is sleeping") {
                try await fleet.column("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE application_name = 'shoal' AND datname = current_database() AND query LIKE '%pg_sleep(60%' AND state = 'active' AND pid <> pg_backend_pid()
                    """) == ["1"]
            }
            run.send(SIGINT)
            try await waitUntil("shoal heard the first signal") { run.stderrSoFar.contains("SIGINT: finishing") }
            run.send(SIGINT)
            let result = try await run.finish(within: .seconds(40))
            #expect(result.status != 0)
            #expect(result.stderr.contains("SIGINT again: cancelling running statements"), "\(result.stderr)")
            let target = try result.targets()["app/tenant01"]
            #expect(target?["status"] as? String == "failed", "\(result.stdout)")
            let checked = try await fleet.checkConsistent()
            #expect(try await fleet.contents("tenant01").tables.isEmpty, "the cancelled migration rolled back")
            try fleet.write(1, up: "CREATE TABLE t_01 (n int);")
            try await fleet.rerunFinishes()
            FaultLedger.note("SIGINT twice, PostgreSQL", faults: 2, targets: checked)
        }
    }
}
