import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// The `--html` page loaded in headless Chromium: what a person sees (the
/// counts, the rows, the failures, the chart), what they do (filter, sort,
/// page), and what must never happen (markup from data, a dialog, a console
/// error, a request).
@Suite("the fleet page in a real browser", .serialized, .timeLimit(.minutes(3)),
       .enabled(if: HeadlessBrowser.shouldRun, "chromium is not installed (scripts/test installs it)"))
struct FleetPageBrowserTests {
    /// Texts of each row's cells, keyed by target.
    struct Row: Decodable, Equatable {
        var target: String
        var cells: [String: String]
    }

    static let rows = """
        Array.from(document.querySelectorAll('#targets tbody tr')).map(function (tr) {
          var cells = {};
          tr.querySelectorAll('td').forEach(function (td) { cells[td.getAttribute('data-column')] = td.textContent; });
          return { target: tr.getAttribute('data-target'), cells: cells };
        })
        """
    static let counts = """
        Object.fromEntries(Array.from(document.querySelectorAll('#counts [data-state]')).map(function (e) {
          return [e.getAttribute('data-state'), Number(e.querySelector('.number').textContent.replace(/,/g, ''))];
        }))
        """
    static let chart = """
        Object.fromEntries(Array.from(document.querySelectorAll('#charts svg[data-database="app"] g')).map(function (g) {
          return [g.getAttribute('data-revision'), Number(g.querySelector('.bar-count').textContent.replace(/,/g, ''))];
        }))
        """

    /// Opens `file` in a fresh browser, waits for the page's script to
    /// have rendered, runs `body`, then checks nothing went wrong on the way.
    static func open(_ file: String, fragment: String = "", expectingQuiet: Bool = true,
                     _ body: (BrowserPage) async throws -> Void) async throws {
        let browser = try HeadlessBrowser()
        defer { browser.close() }
        let page = try await browser.openPage()
        let url = try #require(URL(string: URL(fileURLWithPath: file).absoluteString + fragment))
        try await page.navigate(to: url)
        try await page.waitUntil("document.body.getAttribute('data-rendered') === 'true'")
        try await body(page)
        if expectingQuiet {
            #expect(page.errors.isEmpty, "console errors: \(page.errors)")
            #expect(page.dialogs.isEmpty, "dialogs opened: \(page.dialogs)")
            #expect(page.requests.filter { !$0.hasPrefix(URL(fileURLWithPath: file).absoluteString) } == [],
                    "the page made requests")
            #expect(try await page.evaluate("performance.getEntriesByType('resource').length", as: Int.self) == 0)
        }
    }

    @Test func statusPageShowsTheFleet() async throws {
        let sandbox = try await PageFleet.make()
        try await sandbox.shoal("upgrade")
        #expect(try await sandbox.shoal("downgrade", Fixture.r2, "--tenant", "hooli").status == 0)
        let result = try await sandbox.shoal("status", "--json", "--html", "status.html")
        let expected = try PageFleet.stateCounts(result)
        #expect(expected == ["total": 7, "up-to-date": 4, "behind": 2, "unreachable": 1])

        try await Self.open(sandbox.path("status.html")) { page async throws in
            #expect(try await page.evaluate(Self.counts, as: [String: Int].self) == expected)
            let rows = try await page.evaluate(Self.rows, as: [Row].self)
            #expect(Set(rows.map(\.target)) == Set(PageFleet.tenants.map { "app/\($0)" }))
            #expect(rows.count == 7)
            #expect(rows.first?.target == "app/broken", "the failing target first")
            let acme = try #require(rows.first { $0.target == "app/acme" })
            #expect(acme.cells["state"] == "up-to-date")
            #expect(acme.cells["revisions"] == PageFleet.r4)
            #expect(acme.cells["pending"] == "0")
            let hooli = try #require(rows.first { $0.target == "app/hooli" })
            #expect(hooli.cells["state"] == "behind")
            #expect(hooli.cells["revisions"] == Fixture.r2)
            #expect(hooli.cells["pending"] == "2")
            #expect(acme.cells["tenant"] == "acme")
            #expect(acme.cells["database"] == "app")
            #expect(acme.cells["shard"] == nil, "no Shard column: no target has a shard")
            #expect(acme.cells["duration"] == nil && acme.cells["replicas"] == nil, "nor a duration or a replica")
            let broken = try #require(rows.first { $0.target == "app/broken" })
            #expect(broken.cells["state"] == "unreachable")
            #expect(broken.cells["revisions"] == "?")
            #expect(broken.cells["error"]?.contains("not a database") == true, "\(broken.cells)")
            #expect(try await page.evaluate(Self.chart, as: [String: Int].self) == [PageFleet.r4: 4, Fixture.r3: 1, Fixture.r2: 1, "unknown": 1])
            #expect(try await page.evaluate("Array.from(document.querySelectorAll('#failures li')).map(function (li) { return li.getAttribute('data-target'); })",
                                            as: [String].self) == ["app/broken"])

            // The filter narrows the table to matching rows; clearing it restores them.
            try await page.type("hoo", into: "#filter")
            try await page.waitUntil("document.querySelectorAll('#targets tbody tr').length === 1")
            #expect(try await page.evaluate(Self.rows, as: [Row].self).map(\.target) == ["app/hooli"])
            #expect(try await page.evaluate("location.hash", as: String.self) == "#filter=hoo")
            #expect(try await page.evaluate("document.querySelector('#pager .range').textContent", as: String.self)
                    == "1\u{2013}1 of 1 (filtered from 7)")
            try await page.clear("#filter")
            try await page.waitUntil("document.querySelectorAll('#targets tbody tr').length === 7")

            // A click on a header sorts by it; a second click reverses.
            try await page.click("#targets th[data-key=target] button")
            let sorted = PageFleet.tenants.map { "app/\($0)" }.sorted()
            #expect(try await page.evaluate(Self.rows, as: [Row].self).map(\.target) == sorted)
            #expect(try await page.evaluate("document.querySelector('#targets th[data-key=target]').getAttribute('aria-sort')", as: String.self) == "ascending")
            try await page.click("#targets th[data-key=target] button")
            #expect(try await page.evaluate(Self.rows, as: [Row].self).map(\.target) == sorted.reversed())
            #expect(try await page.evaluate("document.querySelector('#targets th[data-key=target]').getAttribute('aria-sort')", as: String.self) == "descending")
        }
    }

    /// The upgrade's report, with a failure whose message is markup: it
    /// shows as text, and no element, dialog or error comes of it.
    @Test func upgradePageShowsTheHostileErrorAsText() async throws {
        let sandbox = try await PageFleet.make()
        let result = try await sandbox.shoal("upgrade", "--json", "--html", "upgrade.html")
        #expect(result.status == 1)
        try await Self.open(sandbox.path("upgrade.html")) { page async throws in
            #expect(try await page.evaluate(Self.counts, as: [String: Int].self) == ["total": 7, "ok": 5, "failed": 2])
            let failures = try await page.evaluate("Array.from(document.querySelectorAll('#failures li')).map(function (li) { return li.getAttribute('data-target'); })",
                                                   as: [String].self)
            #expect(Set(failures) == ["app/evil", "app/broken"])
            let rows = try await page.evaluate(Self.rows, as: [Row].self)
            #expect(Set(rows.prefix(2).map(\.target)) == ["app/evil", "app/broken"], "failures sort first")
            let evil = try #require(rows.first { $0.target == "app/evil" })
            #expect(evil.cells["state"] == "failed")
            #expect(evil.cells["revisions"] == "\(Fixture.r3) \u{2192} \(Fixture.r3)")
            #expect(evil.cells["error"]?.contains(PageFleet.hostileName) == true, "\(evil.cells)")
            #expect(evil.cells["error"]?.contains("revision \(PageFleet.r4)") == true, "\(evil.cells)")
            let acme = try #require(rows.first { $0.target == "app/acme" })
            #expect(acme.cells["revisions"] == "\(Fixture.r3) \u{2192} \(PageFleet.r4)")
            #expect(acme.cells["duration"]?.hasSuffix(" ms") == true)
            let message = try await page.evaluate("document.querySelector('#failures li[data-target=\"app/evil\"] .failure-message').textContent", as: String.self)
            #expect(message.contains(PageFleet.hostileName))
            #expect(try await page.evaluate("document.querySelectorAll('img, [onerror]').length", as: Int.self) == 0)
            #expect(try await page.evaluate("document.scripts.length", as: Int.self) == 2)
            #expect(try await page.evaluate("document.querySelector('#meta').textContent", as: String.self).hasPrefix("upgrade \u{b7} took "))

            try await page.type("onerror", into: "#filter")
            try await page.waitUntil("document.querySelectorAll('#targets tbody tr').length === 1")
            #expect(try await page.evaluate(Self.rows, as: [Row].self).map(\.target) == ["app/evil"])
        }
    }

    /// A link can carry the filter: `#filter=…` applies on load.
    @Test func theFilterComesFromTheLink() async throws {
        let sandbox = try await PageFleet.make()
        try await sandbox.shoal("status", "--html", "status.html")
        try await Self.open(sandbox.path("status.html"), fragment: "#filter=glob") { page async throws in
            #expect(try await page.evaluate("document.getElementById('filter').value", as: String.self) == "glob")
            #expect(try await page.evaluate(Self.rows, as: [Row].self).map(\.target) == ["app/globex"])
        }
    }

    /// Every string of a document is markup here (names, messages, replica
    /// names, revisions): each shows as text.
    @Test func markupInEveryFieldIsText() async throws {
        let directory = try TemporaryDirectory()
        let hostile = PageFleet.hostileName + "<!-- \u{2028} ]]> &amp; \"'"
        let document: [String: Any] = ["targets": [[
            "target": "app/" + hostile, "database": hostile, "shard": hostile, "tenant": hostile,
            "current": [hostile], "heads": [hostile], "pending": 2, "pending_contract": 0, "state": hostile,
            "message": hostile, "modified": [hostile],
            "replicas": [["name": hostile, "current": [hostile], "lag_bytes": 2048, "lag_seconds": 1.5, "status": hostile, "message": hostile]],
        ]]]
        let page = FleetPage(document: try JSONSerialization.data(withJSONObject: document), title: hostile,
                             readError: hostile).html()
        let file = try directory.write(page, to: "hostile.html")
        try await Self.open(file) { page async throws in
            #expect(try await page.evaluate("document.querySelectorAll('img, [onerror]').length", as: Int.self) == 0)
            #expect(try await page.evaluate("document.scripts.length", as: Int.self) == 2)
            #expect(try await page.evaluate("document.title", as: String.self) == hostile)
            let row = try #require(try await page.evaluate(Self.rows, as: [Row].self).first)
            #expect(row.target == "app/" + hostile)
            for column in ["database", "shard", "tenant", "state", "revisions"] {
                #expect(row.cells[column] == hostile, "\(column): \(row.cells[column] ?? "")")
            }
            #expect(row.cells["error"]?.contains(hostile) == true)
            #expect(row.cells["replicas"]?.hasPrefix(hostile + ": " + hostile + ", 2.0 kB behind, 1.5 s") == true, "\(row.cells)")
            #expect(try await page.evaluate("document.querySelector('#charts svg g').getAttribute('data-revision')", as: String.self) == hostile)
        }
    }

    /// 10,000 targets: one page of rows in the DOM, the right total, a
    /// filter over all of them, and rendered well under a second.
    @Test func tenThousandTargets() async throws {
        let directory = try TemporaryDirectory()
        let targets: [[String: Any]] = (0..<10_000).map { index in
            let behind = index % 10 == 3
            return ["target": "app/tenant_\(String(format: "%05d", index))", "database": "app", "shard": NSNull(),
                    "tenant": "tenant_\(String(format: "%05d", index))", "current": [behind ? Fixture.r2 : Fixture.r3],
                    "heads": [Fixture.r3], "pending": behind ? 1 : 0, "pending_contract": 0,
                    "state": behind ? "behind" : "up-to-date", "replicas": [], "modified": []]
        }
        let html = FleetPage(document: try JSONSerialization.data(withJSONObject: ["targets": targets]), title: "shoal status").html()
        #expect(html.utf8.count < 3_000_000, "\(html.utf8.count) bytes")
        let file = try directory.write(html, to: "big.html")
        try await Self.open(file) { page async throws in
            #expect(try await page.evaluate("document.querySelectorAll('#targets tbody tr').length", as: Int.self) == 200)
            #expect(try await page.evaluate("document.querySelector('#pager .range').textContent", as: String.self) == "1\u{2013}200 of 10,000")
            #expect(try await page.evaluate(Self.counts, as: [String: Int].self) == ["total": 10_000, "up-to-date": 9_000, "behind": 1_000])
            #expect(try await page.evaluate(Self.chart, as: [String: Int].self) == [Fixture.r3: 9_000, Fixture.r2: 1_000])

            try await page.type("tenant_09993", into: "#filter")
            try await page.waitUntil("document.querySelectorAll('#targets tbody tr').length === 1")
            #expect(try await page.evaluate(Self.rows, as: [Row].self).first?.cells["state"] == "behind")
            try await page.clear("#filter")
            try await page.type("behind", into: "#filter")
            try await page.waitUntil("document.querySelector('#pager .range').textContent === '1\u{2013}200 of 1,000 (filtered from 10,000)'")
            try await page.click("#pager [data-page=next]")
            try await page.waitUntil("document.querySelector('#pager .range').textContent.indexOf('201\u{2013}400 of 1,000') === 0")
            #expect(try await page.evaluate(Self.rows, as: [Row].self).allSatisfy { $0.cells["state"] == "behind" })
        }
    }

    /// One chart per database; a target at two revisions (a branched
    /// graph) counts under their joined label, an unreachable one under
    /// `unknown`, one with nothing applied under `base`. Numbers sort as numbers.
    @Test func chartsPerDatabaseAndNumericSort() async throws {
        let directory = try TemporaryDirectory()
        func target(_ id: String, _ database: String, _ current: [String], _ pending: Int, _ state: String) -> [String: Any] {
            ["target": id, "database": database, "shard": NSNull(), "tenant": NSNull(), "current": current, "heads": ["c"],
             "pending": pending, "pending_contract": 0, "state": state, "replicas": [], "modified": []]
        }
        let document = ["targets": [
            target("app/t1", "app", ["a", "b"], 10, "behind"), target("app/t2", "app", ["a", "b"], 2, "behind"),
            target("app/t3", "app", ["a"], 9, "behind"), target("app/t4", "app", [], 0, "unreachable"),
            target("catalog", "catalog", [], 3, "uninitialized"),
        ]]
        let html = FleetPage(document: try JSONSerialization.data(withJSONObject: document), title: "shoal status").html()
        try await Self.open(try directory.write(html, to: "charts.html")) { page async throws in
            #expect(try await page.evaluate("Array.from(document.querySelectorAll('#charts svg')).map(function (s) { return s.getAttribute('data-database'); })",
                                            as: [String].self) == ["app", "catalog"])
            #expect(try await page.evaluate(Self.chart, as: [String: Int].self) == ["a+b": 2, "a": 1, "unknown": 1])
            #expect(try await page.evaluate("document.querySelector('#charts svg[data-database=\"catalog\"] g').getAttribute('data-revision')",
                                            as: String.self) == "base")
            try await page.click("#targets th[data-key=pending] button")
            #expect(try await page.evaluate(Self.rows, as: [Row].self).map { $0.cells["pending"] ?? "" } == ["0", "2", "3", "9", "10"])
        }
    }

    @Test func anEmptyFleetSaysSo() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(FleetPage(document: Data(#"{"targets": []}"#.utf8), title: "shoal status").html(), to: "empty.html")
        try await Self.open(file) { page async throws in
            #expect(try await page.evaluate("document.getElementById('empty').textContent", as: String.self) == "no targets")
            #expect(try await page.evaluate("document.getElementById('empty').hidden", as: Bool.self) == false)
            #expect(try await page.evaluate(Self.counts, as: [String: Int].self) == ["total": 0])
            #expect(try await page.evaluate("document.querySelector('#pager .range').textContent", as: String.self) == "0 of 0")
        }
    }

    /// A live page whose server cannot be reached keeps its data and says
    /// how old it is (opened from disk, its fetch cannot succeed).
    @Test func aLivePageWithoutItsServerKeepsItsData() async throws {
        let directory = try TemporaryDirectory()
        let document = #"{"targets": [{"target": "app/acme", "database": "app", "shard": null, "tenant": "acme", "current": [], "heads": [], "pending": 0, "pending_contract": 0, "state": "up-to-date", "replicas": [], "modified": []}]}"#
        let html = FleetPage(document: Data(document.utf8), title: "shoal serve", live: .init(interval: 0.2)).html()
        let file = try directory.write(html, to: "live.html")
        try await Self.open(file, expectingQuiet: false) { page async throws in
            try await page.waitUntil("document.getElementById('notice').textContent.indexOf('server unreachable, showing data read ') === 0")
            #expect(try await page.evaluate("document.getElementById('notice').hidden", as: Bool.self) == false)
            #expect(try await page.evaluate(Self.rows, as: [Row].self).map(\.target) == ["app/acme"])
        }
    }

    /// The harness itself: closing the browser ends chromium and every
    /// process it started (renderers, zygotes, GPU), not just the first.
    @Test func closingTheBrowserLeavesNoProcess() async throws {
        let browser = try HeadlessBrowser()
        let page = try await browser.openPage()
        try await page.navigate(to: try #require(URL(string: "data:text/html,<p>x</p>")))
        let group = browser.processGroup
        #expect(Self.livingProcesses(inGroup: group).count > 1, "chromium and its children")
        browser.close()
        let deadline = ContinuousClock.now + .seconds(10)
        while !Self.livingProcesses(inGroup: group).isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(Self.livingProcesses(inGroup: group).isEmpty)
    }

    /// Pids of the processes of `group` that are not zombies (/proc/PID/stat).
    static func livingProcesses(inGroup group: pid_t) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            // After "(comm)": state, ppid, pgrp, ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && fields[2] == "\(group)"
        }
    }

    /// README's screenshot, `docs/img/status-page.png`: the demo fleet of
    /// `shoal init`, upgraded, with one tenant a step behind. Written when
    /// `SHOAL_SCREENSHOTS` names the folder (`SHOAL_SCREENSHOTS=docs/img
    /// scripts/test --filter writesTheStatusPageScreenshot`).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SHOAL_SCREENSHOTS"] != nil, "SHOAL_SCREENSHOTS is not set"))
    func writesTheStatusPageScreenshot() async throws {
        let folder = try #require(ProcessInfo.processInfo.environment["SHOAL_SCREENSHOTS"])
        let sandbox = try Sandbox()
        for step in [["init", "."], ["upgrade"], ["downgrade", "-1", "--tenant", "globex"], ["status", "--html", "status.html"]] {
            let result = try await sandbox.run(step)
            #expect(result.status == 0, "\(step): \(result.stderr)")
        }
        let browser = try HeadlessBrowser()
        defer { browser.close() }
        let page = try await browser.openPage(width: 1200, height: 800)
        try await page.navigate(to: URL(fileURLWithPath: sandbox.path("status.html")))
        try await page.waitUntil("document.body.getAttribute('data-rendered') === 'true'")
        #expect(try await page.evaluate(Self.counts, as: [String: Int].self) == ["total": 6, "up-to-date": 5, "behind": 1])
        let path = URL(fileURLWithPath: folder).appendingPathComponent("status-page.png").path
        try await page.screenshot(to: path)
        #expect(page.errors.isEmpty, "\(page.errors)")
    }
}
