import Foundation
import Testing

@Suite("dry run")
struct DryRunTests {
    @Test func dryRunPrintsThePlanAndChangesNothing() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade", Fixture.r1).status == 0)
        let before = try sandbox.snapshot()
        let result = try sandbox.shoal("upgrade", "--dry-run", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try sandbox.snapshot() == before, "a dry run changes no file")
        let acme = try #require(try result.targets()["app/acme"])
        #expect(acme["planned"] as? [String] == [Fixture.r2, Fixture.r3])
        #expect(acme["from"] as? [String] == [Fixture.r1])
        #expect(acme["to"] as? [String] == [Fixture.r3])
        #expect((acme["applied"] as? [Any])?.isEmpty == true)
        #expect(try result.json()["dry_run"] as? Bool == true)
        let text = try sandbox.shoal("downgrade", "base", "--dry-run")
        #expect(text.status == 0)
        #expect(text.stdout.contains("would apply 1: \(Fixture.r1)"))
        #expect(try sandbox.snapshot() == before)
    }

    @Test func dryRunOnAFreshFleetCreatesNoDatabase() throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let result = try sandbox.shoal("upgrade", "--dry-run")
        #expect(result.status == 0)
        #expect(!sandbox.exists(Fixture.tenantFile("acme")))
        #expect(result.stdout.contains("would apply 3"))
    }
}
