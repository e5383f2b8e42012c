import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// ``FleetRunner`` in process, as an app that embeds ShoalKit uses it: plan,
/// then execute, on real SQLite files.
@Suite struct FleetRunnerTests {
    /// Three migrations (r1 <- r2 <- r3, each a table with a down) and a
    /// SQLite file per tenant.
    static func fleet(_ directory: TemporaryDirectory, tenants: [String]) async throws -> (Fleet, [Target]) {
        var parent: String?
        for revision in ["aaaa0001", "bbbb0002", "cccc0003"] {
            try MigrationFile(revision: revision, parents: parent.map { [$0] } ?? [], message: revision,
                              up: "CREATE TABLE t_\(revision) (id integer);", down: "DROP TABLE t_\(revision);")
                .write(in: directory, as: "versions/app/\(revision).sql")
            parent = revision
        }
        let database = DatabaseConfig(name: "app", driver: .sqlite, path: directory.file("tenants/{tenant}.sqlite"),
                                      tenants: .registry(path: directory.file("tenants.json")),
                                      versionsDirectory: directory.file("versions/app"))
        let fleet = Fleet(config: FleetConfig(directory: directory.path, databases: [database]))
        return (fleet, try TargetResolver.targets(database: database, tenants: tenants.map { Tenant(name: $0) }))
    }

    static func versions(_ target: Target) async throws -> [String] {
        guard case .sqlite(let path) = target.location else { return [] }
        let session = try await SQLiteSession.open(path: path, mode: .readOnly)
        let rows = try await session.query("SELECT revision FROM shoal_version ORDER BY revision")
        await session.close()
        return rows.compactMap { $0.first ?? nil }
    }

    @Test func planningTouchesNothingAndExecutingCarriesThePlanOut() async throws {
        let directory = try TemporaryDirectory()
        let (fleet, targets) = try await Self.fleet(directory, tenants: ["acme", "globex"])
        let runner = FleetRunner(fleet: fleet)

        let plan = try await runner.plan(.upgrade(.head), targets: targets)
        #expect(plan.workCount == 2)
        guard case .work(let steps) = plan.decisions[0] else { Issue.record("\(plan.decisions[0])"); return }
        #expect(steps.steps.map(\.revision) == ["aaaa0001", "bbbb0002", "cccc0003"])
        #expect(!FileManager.default.fileExists(atPath: directory.file("tenants/acme.sqlite")), "planning creates no file")

        let report = try await runner.execute(plan)
        #expect(report.targets.map(\.status) == [.ok, .ok])
        #expect(report.targets.map(\.applied.count) == [3, 3])
        for target in targets { #expect(try await Self.versions(target) == ["cccc0003"]) }
    }

    @Test func aDryRunIsThePlanPrinted() async throws {
        let directory = try TemporaryDirectory()
        let (fleet, targets) = try await Self.fleet(directory, tenants: ["acme"])
        _ = try await FleetRunner(fleet: fleet).run(.upgrade(.relative(1)), targets: targets)
        var options = FleetRunner.Options()
        options.dryRun = true
        let runner = FleetRunner(fleet: fleet, options: options)
        let report = try await runner.execute(try await runner.plan(.upgrade(.head), targets: targets))
        #expect(report.dryRun)
        #expect(report.targets.first?.status == .planned)
        #expect(report.targets.first?.planned == ["bbbb0002", "cccc0003"])
        #expect(try await Self.versions(targets[0]) == ["aaaa0001"], "a dry run changes nothing")
    }

    /// Nothing decided before the lock is applied: a target another run
    /// moved after planning is read and decided again under its lock.
    @Test func aTargetMovedAfterPlanningIsDecidedAgainUnderItsLock() async throws {
        let directory = try TemporaryDirectory()
        let (fleet, targets) = try await Self.fleet(directory, tenants: ["acme"])
        let runner = FleetRunner(fleet: fleet)
        let plan = try await runner.plan(.upgrade(.head), targets: targets)
        // Another run takes the target to r2 in between.
        _ = try await FleetRunner(fleet: fleet).run(.upgrade(.relative(2)), targets: targets)

        let report = try await runner.execute(plan)
        let acme = try #require(report.targets.first)
        #expect(acme.status == .ok)
        #expect(acme.from == ["bbbb0002"], "from is what the read under the lock found")
        #expect(acme.applied.map(\.revision) == ["cccc0003"], "r1 and r2 are not applied twice")
        #expect(try await Self.versions(targets[0]) == ["cccc0003"])
    }

    @Test func rollbackUndoesWhatTheRunCommittedWhenATargetFails() async throws {
        let directory = try TemporaryDirectory()
        let (fleet, targets) = try await Self.fleet(directory, tenants: ["acme", "globex"])
        // globex cannot take r2: its table exists already.
        _ = try await FleetRunner(fleet: fleet).run(.upgrade(.relative(1)), targets: targets)
        guard case .sqlite(let path) = targets[1].location else { return }
        let session = try await SQLiteSession.open(path: path, mode: .readWrite)
        try await session.execute("CREATE TABLE t_bbbb0002 (id integer)")
        await session.close()

        var options = FleetRunner.Options(concurrency: 1)
        options.onError = .rollback
        let report = try await FleetRunner(fleet: fleet, options: options).run(.upgrade(.head), targets: targets)
        #expect(report.targets.map(\.status) == [.rolledBack, .failed])
        #expect(report.summary.rolledBack == 1 && report.summary.failed == 1)
        for target in targets { #expect(try await Self.versions(target) == ["aaaa0001"], "\(target.id)") }
    }
}
