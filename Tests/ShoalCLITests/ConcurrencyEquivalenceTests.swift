import Foundation
import Testing

/// The fleet suites' scenarios give the same results whatever the
/// concurrency: one target at a time, or sixteen (issue 5).
@Suite("the same results at --concurrency 1 and 16")
struct ConcurrencyEquivalenceTests {
    static let tenants = (1...12).map { String(format: "t%02d", $0) }

    /// What a run did, per target, without its timings: status, from, to,
    /// applied revisions, and the failing revision and SQLSTATE.
    static func outcome(_ result: CLIResult) throws -> [String: String] {
        try result.targets().mapValues { target in
            let applied = (target["applied"] as? [[String: Any]] ?? []).compactMap { $0["revision"] as? String }
            let error = target["error"] as? [String: Any]
            return [target["status"] as? String ?? "?",
                    (target["from"] as? [String] ?? []).joined(separator: "+"),
                    (target["to"] as? [String] ?? []).joined(separator: "+"),
                    applied.joined(separator: ","),
                    error?["revision"] as? String ?? "-",
                    error?["sql_state"] as? String ?? "-"].joined(separator: " | ")
        }
    }

    /// Upgrade (one tenant poisoned so that r3 fails there), then downgrade
    /// -1, at `concurrency`: the reports' outcomes and every tenant's version rows.
    static func run(_ backend: Backend, concurrency: Int) async throws -> [String] {
        try await AppFleet.with(backend, tenants: tenants) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r1).status == 0)
            try await fleet.execute("t07", "CREATE TABLE projects (x INTEGER);")
            let upgrade = try await fleet.shoal("upgrade", "--json", "--concurrency", String(concurrency))
            #expect(upgrade.status == 1)
            let downgrade = try await fleet.shoal("downgrade", "-1", "--json", "--concurrency", String(concurrency))
            #expect(downgrade.status == 0, "\(downgrade.stderr)")
            var lines: [String] = []
            for (target, outcome) in try outcome(upgrade).sorted(by: { $0.key < $1.key }) { lines.append("upgrade \(target): \(outcome)") }
            for (target, outcome) in try outcome(downgrade).sorted(by: { $0.key < $1.key }) { lines.append("downgrade \(target): \(outcome)") }
            for tenant in tenants { lines.append("\(tenant) at \(try await fleet.versions(tenant).joined(separator: "+"))") }
            return lines
        }
    }

    @Test(arguments: Backend.allCases)
    func oneAtATimeAndSixteenAtOnceGiveTheSameResults(_ backend: Backend) async throws {
        let serial = try await Self.run(backend, concurrency: 1)
        let parallel = try await Self.run(backend, concurrency: 16)
        #expect(serial == parallel)
        #expect(serial.count == 2 * Self.tenants.count + Self.tenants.count)
        #expect(serial.contains { $0.hasPrefix("upgrade app/t07: failed") })
        #expect(serial.filter { $0.hasPrefix("upgrade") && $0.contains(": ok |") }.count == Self.tenants.count - 1)
    }
}
