import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// `verify` and `history` read a shard's tenants over one session, which may
/// be the one ``SessionPool`` warmed while the migration files loaded, as `status`
/// does: what they report must not depend on it.
@Suite struct BatchReaderTests {
    @Test func verifyAndHistoryTakeTheWarmedSessionAndReportAsWithout() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let directory = try TemporaryDirectory()
            let fleet = try SessionWarmupTests.tenantFleet(url: url, directory: directory)
            let targets = try await fleet.targets()
            // Two tenants at the first revision, one at the second, one not started.
            _ = try await FleetRunner(fleet: fleet).run(.upgrade(.relative(1)), targets: Array(targets.prefix(2)))
            _ = try await FleetRunner(fleet: fleet).run(.upgrade(.head), targets: [targets[2]])

            let coldVerify = try await FleetVerifier(fleet: fleet, concurrency: 8).verify(targets, in: SessionPool(targets: targets))
            let coldHistory = await FleetHistory(fleet: fleet, concurrency: 8)
                .history(of: targets, limit: nil, onReplica: nil, in: SessionPool(targets: targets))
            #expect(coldVerify.map(\.status) == ["ok", "ok", "ok", "uninitialized"])
            #expect(coldHistory.map { $0.entries.map(\.revision) } == [["aaaa0001"], ["aaaa0001"], ["bbbb0002", "aaaa0001"], []])

            // One session to the shard in all: the warmed one, taken by the read.
            let database = try #require(PostgresURL.databaseName(of: url))
            let before = try await Self.sessionsOpened(database)
            #expect(try await FleetVerifier(fleet: fleet, concurrency: 8).verify(targets) == coldVerify)
            let afterVerify = try await Self.sessionsOpened(database)
            #expect(afterVerify - before == 1, "the shard's read took the warmed session")
            #expect(await FleetHistory(fleet: fleet, concurrency: 8).history(of: targets, limit: nil) == coldHistory)
            #expect(try await Self.sessionsOpened(database) - afterVerify == 1)
        }
    }

    /// Sessions established to `database` so far (`PostgresTestServer.sessionsOpened`).
    static func sessionsOpened(_ database: String) async throws -> Int {
        try await PostgresTestServer.sessionsOpened(database)
    }

    @Test func aShardThatCannotBeReachedFailsTheSameWayWarmedOrNot() async throws {
        let directory = try TemporaryDirectory()
        let down = "postgres://postgres:Sup3rSecret@127.0.0.1:1/crm?connect_timeout=2"
        let fleet = try SessionWarmupTests.tenantFleet(url: down, directory: directory)
        let targets = try await fleet.targets()
        let cold = try await FleetVerifier(fleet: fleet, concurrency: 8).verify(targets, in: SessionPool(targets: targets))
        let warmup = SessionPool(targets: targets, warmingUp: 8)
        #expect(warmup.untaken == 1)
        let warm = try await FleetVerifier(fleet: fleet, concurrency: 8).verify(targets, in: warmup)
        await warmup.close()
        #expect(warm == cold)
        #expect(warm.allSatisfy { $0.status == "unreachable" && $0.error?.contains("Sup3rSecret") == false })
        let history = await FleetHistory(fleet: fleet, concurrency: 8).history(of: targets, limit: 1)
        #expect(history.allSatisfy { $0.entries.isEmpty && $0.error?.contains("Sup3rSecret") == false && $0.error != nil })
    }
}
