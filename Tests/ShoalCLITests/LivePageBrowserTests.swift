import Foundation
import ShoalTestSupport
import Testing

/// `shoal serve`'s page in headless Chromium (SPEC §12): it shows the fleet
/// the server read, fetches `/api/status` again every interval and renders
/// the new data in place, keeping what the person typed, asks nothing of
/// any other host, and when the server goes away keeps its data and says
/// how old it is.
@Suite("the live page in a real browser", .serialized,
       .enabled(if: HeadlessBrowser.shouldRun, "chromium is not installed (scripts/test installs it)"))
struct LivePageBrowserTests {
    typealias Page = FleetPageBrowserTests

    /// Counts by state of `status --json`'s document.
    static func counts(_ sandbox: Sandbox) async throws -> [String: Int] {
        try PageFleet.stateCounts(try await sandbox.shoal("status", "--json"))
    }

    /// A browser showing the page `served` serves at `/`, once its script
    /// has rendered it. The caller closes the browser.
    static func open(_ served: ServeCommandTests.Served) async throws -> (HeadlessBrowser, BrowserPage) {
        let browser = try HeadlessBrowser()
        do {
            let page = try await browser.openPage(width: 1200, height: 800)
            try await page.navigate(to: served.base)
            try await page.waitUntil("document.body.getAttribute('data-rendered') === 'true'")
            return (browser, page)
        } catch {
            browser.close()
            throw error
        }
    }

    @Test func theLivePageFollowsTheFleet() async throws {
        let sandbox = try await PageFleet.make()
        #expect(try await sandbox.shoal("upgrade").status == 1, "evil fails; the rest reach r4")
        let served = try await ServeCommandTests.Served.start(sandbox, "--listen", "127.0.0.1:0", "--interval", "0.5")
        let (browser, page) = try await Self.open(served)
        defer { browser.close() }

        let before = try await Self.counts(sandbox)
        #expect(before == ["total": 7, "behind": 1, "up-to-date": 5, "unreachable": 1], "the fleet PageFleet makes")
        #expect(try await page.evaluate(Page.counts, as: [String: Int].self) == before)
        #expect(Set(try await page.evaluate(Page.rows, as: [Page.Row].self).map(\.target)) == Set(PageFleet.tenants.map { "app/\($0)" }))
        #expect(try await page.evaluate("document.getElementById('read-at').textContent", as: String.self).hasPrefix("read "))

        // What the person typed stays while the data changes under it.
        try await page.type("acme", into: "#filter")
        try await page.waitUntil("document.querySelectorAll('#targets tbody tr').length === 1")
        #expect(try await sandbox.shoal("downgrade", "-1", "--tenant", "acme").status == 0)
        let after = try await Self.counts(sandbox)
        #expect(after == ["total": 7, "behind": 2, "up-to-date": 4, "unreachable": 1])
        try await page.waitUntil("document.querySelector('#counts [data-state=behind] .number').textContent === '2'", timeout: .seconds(20))
        #expect(try await page.evaluate(Page.counts, as: [String: Int].self) == after)
        let rows = try await page.evaluate(Page.rows, as: [Page.Row].self)
        #expect(rows.map(\.target) == ["app/acme"], "the filter still applies")
        #expect(rows.first?.cells["state"] == "behind")
        #expect(try await page.evaluate("document.getElementById('filter').value", as: String.self) == "acme")

        #expect(page.errors.isEmpty, "console errors: \(page.errors)")
        #expect(page.dialogs.isEmpty)
        let origin = served.base.absoluteString.hasSuffix("/") ? served.base.absoluteString : served.base.absoluteString + "/"
        #expect(page.requests.filter { !$0.hasPrefix(origin) } == [], "every request goes to the server the page came from")
        #expect(page.requests.contains { $0.hasPrefix(origin + "api/status") }, "the page fetched /api/status: \(page.requests)")

        // A read that fails (a migration file naming an unknown parent):
        // the page keeps the last good data and says why; it recovers.
        try sandbox.write("versions/app/dddd0004_orphan.sql", "-- revision: dddd0004\n-- parents: zzzz9999\n\n-- shoal:up\nSELECT 1;\n")
        try await page.waitUntil("document.getElementById('notice').textContent.indexOf('last read failed: ') === 0", timeout: .seconds(20))
        #expect(try await page.evaluate("document.getElementById('notice').textContent", as: String.self).contains("zzzz9999"))
        #expect(try await page.evaluate(Page.counts, as: [String: Int].self) == after)
        try FileManager.default.removeItem(atPath: sandbox.path("versions/app/dddd0004_orphan.sql"))
        try await page.waitUntil("document.getElementById('notice').hidden === true", timeout: .seconds(20))

        // The server stops: the page keeps its data and says so.
        let stopped = try await served.stop(SIGTERM)
        #expect(stopped.status == 0)
        try await page.waitUntil("document.getElementById('notice').textContent.indexOf('server unreachable, showing data read ') === 0",
                                 timeout: .seconds(20))
        #expect(try await page.evaluate(Page.counts, as: [String: Int].self) == after)
    }

    /// A server whose first read fails: the page says why, from its first
    /// render and after each refresh (a 503 that names the error).
    @Test func aFleetNeverReadSaysWhy() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        try sandbox.write("versions/app/dddd0004_orphan.sql", "-- revision: dddd0004\n-- parents: zzzz9999\n\n-- shoal:up\nSELECT 1;\n")
        let served = try await ServeCommandTests.Served.start(sandbox, "--listen", "127.0.0.1:0", "--interval", "0.5")
        let (browser, page) = try await Self.open(served)
        defer { browser.close() }
        try await page.waitUntil("document.getElementById('notice').textContent.indexOf('last read failed: ') === 0")
        try await page.waitUntil("performance.getEntriesByType('resource').length >= 2", timeout: .seconds(20))
        let notice = try await page.evaluate("document.getElementById('notice').textContent", as: String.self)
        #expect(notice.hasPrefix("last read failed: ") && notice.contains("zzzz9999"), "\(notice)")
        #expect(try await page.evaluate(Page.counts, as: [String: Int].self) == ["total": 0])
        #expect(try await served.stop(SIGTERM).status == 0)
    }

    /// README's screenshot of the live page, `docs/img/serve-page.png`: the
    /// demo fleet of `shoal init`, upgraded, one tenant a step behind, as
    /// `shoal serve` shows it. Written when `SHOAL_SCREENSHOTS` names the
    /// folder (`SHOAL_SCREENSHOTS=docs/img scripts/test --filter Screenshot`).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SHOAL_SCREENSHOTS"] != nil, "SHOAL_SCREENSHOTS is not set"))
    func writesTheServePageScreenshot() async throws {
        let folder = try #require(ProcessInfo.processInfo.environment["SHOAL_SCREENSHOTS"])
        let sandbox = try Sandbox()
        for step in [["init", "."], ["upgrade"], ["downgrade", "-1", "--tenant", "globex"]] {
            let result = try await sandbox.run(step)
            #expect(result.status == 0, "\(step): \(result.stderr)")
        }
        let served = try await ServeCommandTests.Served.start(sandbox, "--listen", "127.0.0.1:0")
        let (browser, page) = try await Self.open(served)
        defer { browser.close() }
        #expect(try await page.evaluate(Page.counts, as: [String: Int].self) == ["total": 6, "up-to-date": 5, "behind": 1])
        try await page.screenshot(to: URL(fileURLWithPath: folder).appending(path: "serve-page.png").path)
        #expect(page.errors.isEmpty, "\(page.errors)")
        #expect(try await served.stop(SIGTERM).status == 0)
    }
}
