import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// Every command closes the sessions of its pool before it returns, also
/// when it throws: nothing of shoal's stays connected after it, and no
/// connection attempt outlives it (``LibPQActivity``).
@Suite struct SessionPoolTests {
    @Test func everyCommandLeavesNoSessionOpenWhenItReturnsOrThrows() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let directory = try TemporaryDirectory()
            let fleet = try SessionWarmupTests.tenantFleet(url: url, directory: directory)
            let targets = try await fleet.targets()
            let database = try #require(PostgresURL.databaseName(of: url))
            // sessionsOpened expects none of shoal's left on the database each time.
            var opened = try await BatchReaderTests.sessionsOpened(database)

            let report = try await FleetRunner(fleet: fleet).run(.upgrade(.head), targets: targets)
            #expect(report.targets.map(\.status) == Array(repeating: .ok, count: 4))
            var now = try await BatchReaderTests.sessionsOpened(database)
            #expect(now > opened)
            opened = now

            _ = try await FleetStatus(fleet: fleet, concurrency: 8).status(of: targets)
            now = try await BatchReaderTests.sessionsOpened(database)
            #expect(now - opened == 1, "status reads the shard over the warmed session alone")
            opened = now

            // A revision argument that does not resolve: the plan throws after its warm-up connected.
            await #expect(throws: ShoalError.self) {
                try await FleetRunner(fleet: fleet).plan(.upgrade(.revision("ffff9999")), targets: targets)
            }
            now = try await BatchReaderTests.sessionsOpened(database)
            #expect(now - opened == 1, "the warm-up connected, and the plan closed it")
            opened = now

            // Migration files that cannot be read: status and verify throw.
            try directory.write("not a migration", to: "versions/crm/cccc0003.sql")
            await #expect(throws: ShoalError.self) { try await FleetStatus(fleet: fleet, concurrency: 8).status(of: targets) }
            await #expect(throws: ShoalError.self) { try await FleetVerifier(fleet: fleet, concurrency: 8).verify(targets) }
            _ = await FleetHistory(fleet: fleet, concurrency: 8).history(of: targets, limit: 1)
            _ = try await BatchReaderTests.sessionsOpened(database)
        }
    }

    @Test func aPlanThatThrowsReturnsOnceItsConnectionAttemptsAreOver() async throws {
        let listener = try SilentListener()
        let directory = try TemporaryDirectory()
        let fleet = try SessionWarmupTests.silentFleet(listener, directory: directory)
        let targets = try await fleet.targets()
        let started = ContinuousClock.now
        await #expect(throws: ShoalError.self) {
            try await FleetRunner(fleet: fleet).plan(.upgrade(.revision("ffff9999")), targets: targets)
        }
        #expect(ContinuousClock.now - started >= .seconds(1), "plan waited for libpq to give up")
        #expect(listener.connectionsWaiting() == 1, "the attempt reached the server")
    }
}
