import Foundation
import ShoalKit
import ShoalTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--html FILE` on status and the fan-out commands (SPEC §12): the page
/// embeds the very document `--json` prints; a file that cannot be written
/// is refused (exit 2) before anything is read or changed.
@Suite("--html writes the report as a page")
struct HTMLReportTests {
    @Test func statusPageEmbedsStatusJSONsDocument() async throws {
        let sandbox = try await PageFleet.make()
        let result = try await sandbox.shoal("status", "--json", "--html", "status.html")
        #expect(result.status == 0, "\(result.stderr)")
        let html = try sandbox.read("status.html")
        #expect(try PageFleet.embeddedDocument(html) == PageFleet.printed(result))
        #expect(html.contains("<title>shoal status</title>"))
        #expect(html.hasPrefix("<!doctype html>"))
    }

    @Test func upgradePageEmbedsTheReportAlsoWhenATargetFails() async throws {
        let sandbox = try await PageFleet.make()
        let result = try await sandbox.shoal("upgrade", "--json", "--html", "upgrade.html")
        #expect(result.status == 1, "evil and broken fail: \(result.stderr)")
        let html = try sandbox.read("upgrade.html")
        let document = try PageFleet.embeddedDocument(html)
        #expect(try document == PageFleet.printed(result))
        #expect(document["command"] as? String == "upgrade")
        #expect(html.contains("<title>shoal upgrade head</title>"))
        // The hostile message is in the data, but never as markup.
        #expect(try sandbox.read("upgrade.html").contains("\\u003cimg src=x onerror=alert(1)\\u003e"))
        #expect(!html.contains("<img"))
    }

    /// With text output too, and for each fan-out command and its dry run
    /// (whose page is its plan: every target `planned` or `up-to-date`).
    @Test func textOutputDryRunsDowngradeStampAndRollbackWritePagesToo() async throws {
        let sandbox = try await PageFleet.make()
        let status = try await sandbox.shoal("status", "--html", "status.html")
        #expect(status.stdout.contains("app/acme"), "text output as without --html: \(status.stdout)")
        #expect(try PageFleet.embeddedDocument(sandbox.read("status.html"))["targets"] as? [Any] != nil)

        let dry = try await sandbox.shoal("upgrade", "--dry-run", "--tenant", "acme", "--html", "dry.html")
        #expect(dry.status == 0, "\(dry.stderr)")
        let plan = try PageFleet.embeddedDocument(sandbox.read("dry.html"))
        #expect(plan["dry_run"] as? Bool == true)
        #expect(((plan["targets"] as? [[String: Any]])?.first?["status"]) as? String == "planned")

        let downgrade = try await sandbox.shoal("downgrade", Fixture.r2, "--tenant", "hooli", "--json", "--html", "down.html")
        #expect(downgrade.status == 0, "\(downgrade.stderr)")
        #expect(try PageFleet.embeddedDocument(sandbox.read("down.html")) == PageFleet.printed(downgrade))
        #expect(try sandbox.read("down.html").contains("<title>shoal downgrade \(Fixture.r2)</title>"))

        let stamp = try await sandbox.shoal("stamp", Fixture.r3, "--tenant", "hooli", "--json", "--html", "stamp.html")
        #expect(stamp.status == 0, "\(stamp.stderr)")
        #expect(try PageFleet.embeddedDocument(sandbox.read("stamp.html")) == PageFleet.printed(stamp))

        let run = try #require(try PageFleet.printed(stamp)["run"] as? String)
        let rollback = try await sandbox.shoal("rollback", run, "--json", "--html", "stamp.html")
        #expect(rollback.status == 0, "\(rollback.stderr)")
        let undone = try PageFleet.embeddedDocument(sandbox.read("stamp.html"))
        #expect(undone == (try PageFleet.printed(rollback)), "the page was replaced")
        #expect(undone["command"] as? String == "rollback")
    }

    /// Each path a page cannot be written to, on each command: exit 2 with
    /// the file named, before anything is read or changed (no run is
    /// journalled, no database file changes).
    @Test(arguments: [["status"], ["upgrade"], ["downgrade", "base"], ["stamp", "base"]])
    func aFileThatCannotBeWrittenIsRefusedFirst(_ command: [String]) async throws {
        let sandbox = try await PageFleet.make()
        try sandbox.write("folder/keep", "")
        try sandbox.write("file", "a file")
        // Root writes through permission bits: a folder of /proc refuses every new file, root's too.
        let unwritable: String
        if getuid() == 0 {
            unwritable = "/proc/self/fdinfo/page.html"
        } else {
            try sandbox.write("locked/keep", "")
            #expect(chmod(sandbox.path("locked"), 0o555) == 0)
            unwritable = "locked/page.html"
        }
        defer { if getuid() != 0 { chmod(sandbox.path("locked"), 0o755) } }
        let runs = try FileManager.default.contentsOfDirectory(atPath: sandbox.path(".shoal/runs"))
        let before = try sandbox.snapshot()
        let cases: [(path: String, says: String)] = [
            ("missing/page.html", "the folder missing does not exist"),
            ("folder", "--html folder is a directory"),
            ("file/page.html", "the folder file does not exist"),
            (unwritable, "cannot write --html \(unwritable)"),
            ("", "--html needs a file name"),
            ("new/", "--html new/ names a folder"),
        ]
        for bad in cases {
            for json in [false, true] {
                let result = try await sandbox.run(command + ["--html", bad.path] + (json ? ["--json"] : []))
                #expect(result.status == 2, "\(command) --html \(bad.path): \(result.stderr)")
                #expect(result.stderr.contains(bad.says), "\(result.stderr)")
                #expect(result.stdout.isEmpty, "nothing was read: \(result.stdout)")
            }
        }
        #expect(try sandbox.snapshot() == before, "no database file changed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.path(".shoal/runs")) == runs, "no run was journalled")
        #expect(!sandbox.exists("missing"))
    }
}
