import Foundation
import ShoalTestSupport
import Testing

/// `shoal runs`, `runs show`, `--retry-failed` and `shoal rollback` (SPEC §11)
/// on journals real runs wrote, on both backends.
@Suite struct RunsCommandTests {
    /// The id in a fan-out's `--json` report.
    static func run(_ result: CLIResult) throws -> String {
        try #require(try result.json()["run"] as? String, "\(result.stdout)\n\(result.stderr)")
    }

    @Test(arguments: Backend.allCases)
    func aFailedRunIsListedShownRetriedAndRolledBack(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet in
            // globex already has the table r3 creates: the upgrade fails there.
            try await fleet.shoal("upgrade", Fixture.r2)
            try await fleet.execute("globex", "CREATE TABLE projects (id INTEGER)")
            let failed = try await fleet.shoal("upgrade", "--json")
            #expect(failed.status == 1)
            let id = try Self.run(failed)

            let runs = try await fleet.shoal("runs")
            #expect(runs.status == 0)
            let newest = try #require(runs.stdout.split(separator: "\n").first.map(String.init))
            #expect(newest.hasPrefix("\(id)  upgrade head  ") && newest.hasSuffix("3 targets: 2 ok, 1 failed, 0 skipped  finished"), "\(runs.stdout)")
            let listed = try #require(try await fleet.shoal("runs", "--json").json()["runs"] as? [[String: Any]])
            #expect(listed.count == 2 && listed[0]["run"] as? String == id && listed[0]["state"] as? String == "finished")
            #expect((listed[0]["summary"] as? [String: Any])?["failed"] as? Int == 1)

            let shown = try await fleet.shoal("runs", "show", String(id.suffix(4)), "--json")
            #expect(shown.status == 0, "\(shown.stderr)")
            let shownJSON = try shown.json()
            let targets = try #require(shownJSON["targets"] as? [[String: Any]])
            let globex = try #require(targets.first { $0["target"] as? String == "app/globex" })
            #expect(globex["status"] as? String == "failed")
            #expect((globex["error"] as? [String: Any])?["revision"] as? String == Fixture.r3)
            #expect(shownJSON["state"] as? String == "finished" && shownJSON["command"] as? String == "upgrade")

            // The retry selects globex alone; the rollback of the retry returns globex alone.
            try await fleet.execute("globex", "DROP TABLE projects")
            let retry = try await fleet.shoal("upgrade", "--retry-failed", id, "--json")
            #expect(retry.status == 0, "\(retry.stderr)")
            #expect((try retry.json()["targets"] as? [[String: Any]])?.compactMap { $0["target"] as? String } == ["app/globex"])
            let retryID = try Self.run(retry)
            #expect(try await fleet.versions("globex") == [Fixture.r3])
            let history = try await fleet.shoal("history", "--tenant", "globex", "--limit", "1", "--json")
            let entry = (try history.json()["targets"] as? [[String: Any]])?.first?["entries"] as? [[String: Any]]
            #expect(entry?.first?["run_id"] as? String == retryID, "history names the run that wrote the row")

            let rollback = try await fleet.shoal("rollback", retryID)
            #expect(rollback.status == 0, "\(rollback.stdout)\n\(rollback.stderr)")
            #expect(rollback.stdout.hasPrefix("run "), "\(rollback.stdout)")
            #expect(try await fleet.versions("globex") == [Fixture.r2])
            #expect(try await fleet.versions("acme") == [Fixture.r3], "the retry did not touch acme, nor does its rollback")
            let again = try await fleet.shoal("rollback", retryID, "--json")
            #expect(again.status == 0)
            #expect((try again.json()["targets"] as? [[String: Any]])?.map { $0["status"] as? String } == ["up-to-date"],
                    "a second rollback changes nothing")

            // Both runs link back to the ones that refer to them.
            let original = try await fleet.shoal("runs", "show", id)
            #expect(original.stdout.contains("  retried by \(retryID)"), "\(original.stdout)")
            let retried = try await fleet.shoal("runs", "show", retryID)
            #expect(retried.stdout.contains("  compensated by "), "\(retried.stdout)")
        }
    }

    @Test(arguments: Backend.allCases)
    func aTargetALaterRunMovedIsRefusedNamingItUnlessForced(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet in
            let first = try Self.run(try await fleet.shoal("upgrade", Fixture.r2, "--json"))
            let later = try Self.run(try await fleet.shoal("upgrade", "--tenant", "acme", "--json"))
            let refused = try await fleet.shoal("rollback", first)
            #expect(refused.status == 1)
            #expect(refused.stdout.contains("app/acme was moved since run \(first) left it at \(Fixture.r2)"), "\(refused.stdout)")
            #expect(refused.stdout.contains("It was last moved by run \(later)"), "\(refused.stdout)")
            #expect(try await fleet.versions("globex").isEmpty, "the others went back")
            #expect(try await fleet.versions("acme") == [Fixture.r3])
            let forced = try await fleet.shoal("rollback", first, "--force")
            #expect(forced.status == 0, "\(forced.stdout)")
            #expect(try await fleet.versions("acme").isEmpty)
        }
    }

    @Test func aRollbackNeedingAMissingDownIsRefusedBeforeAnythingRuns() async throws {
        try await AppFleet.with(.sqlite) { fleet in
            try fleet.sandbox.write("versions/app/\(Fixture.r3)_create_projects.sql",
                                    MigrationFile(revision: Fixture.r3, parents: [Fixture.r2], message: "create projects",
                                                  up: "CREATE TABLE projects (id INTEGER);").text)
            let id = try Self.run(try await fleet.shoal("upgrade", "--json"))
            let before = try fleet.sandbox.snapshot()
            let refused = try await fleet.shoal("rollback", id)
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("3333cccc0003_create_projects.sql (needed by 3 target(s))"), "\(refused.stderr)")
            #expect(try fleet.sandbox.snapshot() == before, "nothing ran")
        }
    }

    @Test func badIdsAndCommandsAreUsageErrors() async throws {
        try await AppFleet.with(.sqlite) { fleet in
            let id = try Self.run(try await fleet.shoal("upgrade", "--json"))
            let unknown = try await fleet.shoal("runs", "show", "20990101T000000Z-0000")
            #expect(unknown.status == 2 && unknown.stderr.contains("no run `20990101T000000Z-0000` in "), "\(unknown.stderr)")
            let wrongCommand = try await fleet.shoal("downgrade", "--retry-failed", id)
            #expect(wrongCommand.status == 2)
            #expect(wrongCommand.stderr.contains("run \(id) ran `upgrade`, not `downgrade`: retry it with `shoal upgrade --retry-failed \(id)`"),
                    "\(wrongCommand.stderr)")
            let rollbackID = try Self.run(try await fleet.shoal("rollback", id, "--json"))
            let ofRollback = try await fleet.shoal("rollback", rollbackID)
            #expect(ofRollback.status == 2 && ofRollback.stderr.contains("is itself a rollback"), "\(ofRollback.stderr)")
            let retryOfRollback = try await fleet.shoal("upgrade", "--retry-failed", rollbackID)
            #expect(retryOfRollback.status == 2 && retryOfRollback.stderr.contains("--retry-failed retries upgrades and downgrades"),
                    "\(retryOfRollback.stderr)")
            try fleet.sandbox.write("config.json", (try fleet.sandbox.read("config.json"))
                .replacingOccurrences(of: "\"concurrency\": 4,", with: "\"concurrency\": 4, \"journal\": false,"))
            let off = try await fleet.shoal("runs")
            #expect(off.status == 2 && off.stderr.contains("the journal is off"), "\(off.stderr)")
        }
    }
}
