import Foundation
import ShoalTestSupport
import Testing

/// `verify` and `history` read a shard's tenants over one session, as
/// `status` does (issue 17): the number of sessions they open grows with the
/// shards, not with the tenants. Counted from the server's side, in
/// `pg_stat_database.sessions` of each shard's database.
@Suite("PostgreSQL sessions of the read commands")
struct PostgresSessionCountTests {
    /// 15 tenants on each of two shards: far more than the concurrency (4).
    static let eu = (1...15).map { String(format: "eu%02d", $0) }
    static let us = (1...15).map { String(format: "us%02d", $0) }

    /// Sessions established to each of `databases` so far, read once no
    /// shoal session is left on them (a backend flushes its statistics
    /// before it leaves `pg_stat_activity`, so the count is then complete).
    static func sessionsOpened(_ databases: [String]) async throws -> [Int] {
        try await PostgresProbe.with(try PostgresTestServer.url()) { session in
            let names = "{" + databases.joined(separator: ",") + "}"
            var left = -1
            for _ in 0..<1000 where left != 0 {
                if left > 0 { try await Task.sleep(for: .milliseconds(10)) }
                left = try await session.query("""
                    SELECT count(*) FROM pg_stat_activity WHERE datname = ANY($1::text[]) AND application_name = 'shoal'
                    """, [names]).first?.first.flatMap { $0.flatMap { Int($0) } } ?? -1
            }
            #expect(left == 0, "shoal sessions still open on \(databases) after 10 s")
            var counts: [Int] = []
            for database in databases {
                let row = try await session.query("SELECT sessions FROM pg_stat_database WHERE datname = $1", [database]).first
                counts.append(row?.first.flatMap { $0.flatMap { Int($0) } } ?? -1)
            }
            return counts
        }
    }

    /// Runs `shoal args…` and returns its result and the sessions it opened
    /// to each shard's database.
    static func sessions(of sandbox: Sandbox, _ databases: [String], _ args: String...) async throws -> (CLIResult, [Int]) {
        let before = try await sessionsOpened(databases)
        let result = try await sandbox.run(args)
        let after = try await sessionsOpened(databases)
        return (result, zip(after, before).map { $0 - $1 })
    }

    @Test func verifyAndHistoryOpenOneSessionPerShardWhateverTheTenants() async throws {
        try await PostgresProbe.withScratchDatabases(2) { urls in
            let sandbox = try Sandbox()
            try PostgresShardTests.writeFleet(sandbox, urls: urls, registry: Self.eu.map { ($0, "eu-1") } + Self.us.map { ($0, "us-1") })
            let databases = urls.map(PostgresProbe.databaseName)
            let upgrade = try await sandbox.shoal("upgrade", "--db", "accounts")
            #expect(upgrade.status == 0, "\(upgrade.stdout)\(upgrade.stderr)")

            let (verify, verifySessions) = try await Self.sessions(of: sandbox, databases, "verify", "--db", "accounts", "--json")
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            let verified = try verify.targets()
            #expect(verified.count == 30)
            #expect(verified.values.allSatisfy { $0["status"] as? String == "ok" })
            #expect(verifySessions == [1, 1], "verify opened \(verifySessions) sessions to the shards (eu-1, us-1) for 15 tenants each")

            let (history, historySessions) = try await Self.sessions(of: sandbox, databases, "history", "--db", "accounts",
                                                                     "--limit", "1", "--json")
            #expect(history.status == 0, "\(history.stdout)\(history.stderr)")
            let histories = try history.targets()
            #expect(histories.count == 30)
            for (target, entry) in histories {
                let entries = entry["entries"] as? [[String: Any]] ?? []
                #expect(entries.map { $0["revision"] as? String } == [Fixture.r3], "\(target)")
            }
            #expect(historySessions == [1, 1], "history opened \(historySessions) sessions to the shards (eu-1, us-1) for 15 tenants each")

            // Without --limit: every entry, still one session per shard.
            let (full, fullSessions) = try await Self.sessions(of: sandbox, databases, "history", "--db", "accounts", "--json")
            #expect(full.status == 0, "\(full.stderr)")
            #expect(try full.targets().values.allSatisfy { ($0["entries"] as? [Any])?.count == 3 })
            #expect(fullSessions == [1, 1])
        }
    }
}
