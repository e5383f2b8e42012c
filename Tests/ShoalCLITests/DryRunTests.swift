import Foundation
import Testing

@Suite("dry run")
struct DryRunTests {
    @Test(arguments: Backend.allCases)
    func dryRunPrintsThePlanAndChangesNothing(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r1).status == 0)
            let before = try await fleet.snapshot()
            let result = try await fleet.shoal("upgrade", "--dry-run", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try await fleet.snapshot() == before, "a dry run changes nothing")
            let acme = try #require(try result.targets()["app/acme"])
            #expect(acme["planned"] as? [String] == [Fixture.r2, Fixture.r3])
            #expect(acme["from"] as? [String] == [Fixture.r1])
            #expect(acme["to"] as? [String] == [Fixture.r3])
            #expect((acme["applied"] as? [Any])?.isEmpty == true)
            #expect(try result.json()["dry_run"] as? Bool == true)
            let text = try await fleet.shoal("downgrade", "base", "--dry-run")
            #expect(text.status == 0)
            #expect(text.stdout.contains("would apply 1: \(Fixture.r1)"))
            #expect(try await fleet.snapshot() == before)
        }
    }

    @Test(arguments: Backend.allCases)
    func dryRunOnAFreshFleetCreatesNoDatabase(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let before = try await fleet.snapshot()
            let result = try await fleet.shoal("upgrade", "--dry-run")
            #expect(result.status == 0)
            #expect(try await !fleet.storageExists("acme"))
            #expect(result.stdout.contains("would apply 3"))
            #expect(try await fleet.snapshot() == before)
        }
    }
}
