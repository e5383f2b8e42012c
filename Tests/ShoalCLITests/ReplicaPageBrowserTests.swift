import Foundation
import ShoalTestSupport
import Testing

/// The page of a real primary and streaming replica (SPEC §12: "replicas
/// and lag"): what `upgrade --html` and `status --html` write shows each
/// target's replica and how it stands, as the JSON does.
@Suite("the fleet page of a replicated database", .serialized,
       .enabled(if: HeadlessBrowser.shouldRun, "chromium is not installed (scripts/test installs it)"))
struct ReplicaPageBrowserTests {
    typealias Page = FleetPageBrowserTests

    @Test func theReplicaAndItsStateAreOnThePage() async throws {
        try await ReplicaTestServer.withReplicatedScratchDatabase { primary, replica in
            let sandbox = try Sandbox()
            try ReplicaTests.fleet(sandbox)
            let env = ReplicaTests.environment(primary: primary, replica: replica)
            let upgrade = try await sandbox.run(["upgrade", "--replica-timeout", "300", "--html", "upgrade.html"], environment: env)
            #expect(upgrade.status == 0, "\(upgrade.stderr)")
            let status = try await sandbox.run(["status", "--html", "status.html"], environment: env)
            #expect(status.status == 0, "\(status.stderr)")

            try await Page.open(sandbox.path("upgrade.html")) { page async throws in
                let rows = try await page.evaluate(Page.rows, as: [Page.Row].self)
                #expect(rows.map(\.target) == ["core"])
                #expect(rows.first?.cells["state"] == "ok", "a report's status, in the State column: \(rows)")
                let replicas = try #require(rows.first?.cells["replicas"])
                #expect(replicas.hasPrefix("core-replica: caught-up, waited "), "\(replicas)")
                #expect(!replicas.contains(primary) && !replicas.contains(replica), "no URL on the page")
            }
            try await Page.open(sandbox.path("status.html")) { page async throws in
                let rows = try await page.evaluate(Page.rows, as: [Page.Row].self)
                #expect(rows.first?.cells["state"] == "up-to-date", "\(rows)")
                #expect(rows.first?.cells["replicas"]?.hasPrefix("core-replica: ") == true, "\(rows)")
                #expect(try await page.evaluate(Page.counts, as: [String: Int].self) == ["total": 1, "up-to-date": 1])
            }
        }
    }
}
