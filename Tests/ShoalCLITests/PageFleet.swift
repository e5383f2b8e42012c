import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// The fleet the page's tests look at: seven SQLite tenants of `app` at r3,
/// one (`evil`) that the fourth migration fails on with a hostile error
/// message, one (`broken`) whose file is not a database.
enum PageFleet {
    /// A table name that is markup, so that the error quoting it is too.
    static let hostileName = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"
    static let r4 = "4444dddd0004"
    static let tenants = ["acme", "globex", "initech", "umbrella", "hooli", "evil", "broken"]

    static func make() async throws -> Sandbox {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox, tenants: tenants)
        let quoted = "\"" + hostileName.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try sandbox.write("versions/app/\(r4)_hostile.sql",
                          MigrationFile(revision: r4, parents: [Fixture.r3], message: "a table named like markup",
                                        up: "CREATE TABLE \(quoted) (id INTEGER);", down: "DROP TABLE \(quoted);").text)
        let healthy = tenants.filter { $0 != "broken" }.flatMap { ["--tenant", $0] }
        let upgraded = try await sandbox.run(["upgrade", Fixture.r3] + healthy)
        #expect(upgraded.status == 0, "\(upgraded.stderr)")
        // `evil` already has the table, so creating it fails there, quoting its name.
        try await SQLiteWriter.execute(sandbox.path(Fixture.tenantFile("evil")), "CREATE TABLE \(quoted) (id INTEGER);")
        try sandbox.write(Fixture.tenantFile("broken"), String(repeating: "not a database\n", count: 100))
        return sandbox
    }

    /// The document a page embeds, parsed.
    static func embeddedDocument(_ html: String) throws -> NSDictionary {
        let open = #"<script type="application/json" id="shoal-data">"#
        let start = try #require(html.range(of: open)).upperBound
        let end = try #require(html.range(of: "</script>", range: start..<html.endIndex)).lowerBound
        return try #require(try JSONSerialization.jsonObject(with: Data(html[start..<end].utf8)) as? NSDictionary)
    }

    /// The targets of `status --json`'s output by state, and `total`: the
    /// page's counts for that fleet.
    static func stateCounts(_ result: CLIResult) throws -> [String: Int] {
        let targets = try #require(printed(result)["targets"] as? [[String: Any]])
        var counts: [String: Int] = ["total": targets.count]
        for target in targets { counts[target["state"] as! String, default: 0] += 1 }
        return counts
    }

    /// stdout of a `--json` run, parsed.
    static func printed(_ result: CLIResult) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? NSDictionary)
    }
}
