import Foundation
import ShoalKit
import Testing
@testable import ShoalServe

/// Every endpoint of `shoal serve` (SPEC §12) on a known SQLite fleet:
/// three tenants at head, one behind.
@Suite struct EndpointTests {
    @Test func apiStatusIsStatusJSONWithWhenItWasRead() async throws {
        let fleet = try await ServedFleet()
        let expected = try await fleet.statusJSON()
        try await fleet.serve { server in
            let reply = try await server.request("/api/status")
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "application/json; charset=utf-8")
            #expect(reply.body == expected, "exactly status --json's document:\n\(reply.text)")
            let targets = try #require(try reply.json()["targets"] as? [[String: Any]])
            #expect(targets.map { $0["target"] as? String } == ["app/acme", "app/globex", "app/initech", "app/umbrella"])
            #expect(targets.map { $0["state"] as? String } == ["up-to-date", "up-to-date", "up-to-date", "behind"])
            #expect(targets.last?["pending"] as? Int == 2)

            let readAt = try #require(reply.header("Shoal-Read-At"))
            let date = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(readAt)
            #expect(abs(date.timeIntervalSinceNow) < 60, "\(readAt)")
            #expect(readAt.hasSuffix("Z") && readAt.contains("."), "UTC with milliseconds: \(readAt)")
            let lastModified = try #require(reply.header("Last-Modified"))
            #expect(lastModified == ServeResponse.httpDate(date), "\(lastModified)")
            #expect(lastModified.hasSuffix(" GMT") && lastModified.count == 29, "IMF-fixdate: \(lastModified)")
            #expect(reply.header("Shoal-Read-Error") == nil)
            #expect(reply.header("Cache-Control") == "no-cache", "a browser asks again each time")

            let head = try await server.request("/api/status", method: "HEAD")
            #expect(head.status == 200 && head.body.isEmpty && head.header("Shoal-Read-At") == readAt)
        }
    }

    @Test func rootIsTheLivePage() async throws {
        let fleet = try await ServedFleet()
        try await fleet.serve(interval: .seconds(20)) { server in
            let reply = try await server.request("/")
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "text/html; charset=utf-8")
            #expect(reply.header("Cache-Control") == "no-cache")
            let snapshot = try #require(await server.app.cache.peek().snapshot)
            let expected = FleetPage(document: snapshot.json, title: "shoal serve", generatedAt: snapshot.readAt,
                                     live: .init(path: "/api/status", interval: 20)).html()
            #expect(reply.text == expected, "the page of the served document, live every 20 s")
            #expect(await server.reads == 1)
        }
    }

    @Test func healthzSaysWhenTheFleetWasReadWithoutReadingIt() async throws {
        let fleet = try await ServedFleet()
        try await fleet.serve { server in
            let status = try await server.request("/api/status")
            let reads = await server.reads
            let health = try await server.request("/healthz")
            #expect(health.status == 200)
            #expect(health.header("Content-Type") == "application/json; charset=utf-8")
            let body = try health.json()
            #expect(body["status"] as? String == "ok")
            #expect(body["read_at"] as? String == status.header("Shoal-Read-At"))
            #expect(body["read_error"] is NSNull)
            #expect(await server.reads == reads)
        }
    }

    @Test func apiRunsIsTheJournal() async throws {
        let fleet = try await ServedFleet()
        let log = RunLog(directory: try #require(fleet.fleet.config.journalDirectory))
        let runs = try log.runs().runs
        try #require(runs.count == 2, "the fixture's two upgrades")
        try await fleet.serve { server in
            let list = try await server.request("/api/runs")
            #expect(list.status == 200)
            #expect(list.header("Content-Type") == "application/json; charset=utf-8")
            #expect(list.body == (try ShoalJSON.encode(["runs": runs.map(RunRow.init)])), "= shoal runs --json")
            let rows = try #require(try list.json()["runs"] as? [[String: Any]])
            #expect(rows.map { $0["run"] as? String } == runs.map(\.id))
            #expect(rows.allSatisfy { $0["state"] as? String == "finished" && $0["command"] as? String == "upgrade" })

            let newest = runs[0]
            for id in [newest.id, String(newest.id.suffix(4))] {
                let show = try await server.request("/api/runs/\(id)")
                #expect(show.status == 200, "\(id): \(show.text)")
                #expect(show.body == (try ShoalJSON.encode(RunDocument(newest, retriedBy: [], compensatedBy: []))), "= shoal runs show \(id) --json")
            }
            let unknown = try await server.request("/api/runs/20200101T000000Z-0000")
            #expect(unknown.status == 404)
            #expect((try unknown.json()["error"] as? String)?.contains("no run `20200101T000000Z-0000`") == true, "\(unknown.text)")
            let ambiguous = try await server.request("/api/runs/2")
            #expect(ambiguous.status == 404)
            #expect((try ambiguous.json()["error"] as? String)?.contains("is ambiguous") == true, "\(ambiguous.text)")
        }
    }

    @Test func apiRunsIsEmptyWithoutAJournal() async throws {
        let fleet = try await ServedFleet(journal: false)
        try await fleet.serve { server in
            let list = try await server.request("/api/runs")
            #expect(list.status == 200)
            #expect(try list.json()["runs"] as? [Any] != nil && (try list.json()["runs"] as? [Any])?.isEmpty == true, "\(list.text)")
            let show = try await server.request("/api/runs/3f9a")
            #expect(show.status == 404)
            #expect((try show.json()["error"] as? String)?.contains("the journal is off") == true, "\(show.text)")
        }
    }

    @Test func aJournalFolderNotYetMadeHoldsNoRuns() async throws {
        let fleet = try await ServedFleet()
        try FileManager.default.removeItem(atPath: try #require(fleet.fleet.config.journalDirectory))
        try await fleet.serve { server in
            let list = try await server.request("/api/runs")
            #expect(list.status == 200 && list.text.contains(#""runs" : ["#), "\(list.text)")
            #expect((try list.json()["runs"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aJournalThatCannotBeListedIs500WithWhy() async throws {
        let fleet = try await ServedFleet()
        let journal = try #require(fleet.fleet.config.journalDirectory)
        try FileManager.default.removeItem(atPath: journal)
        FileManager.default.createFile(atPath: journal, contents: Data("not a folder".utf8))
        try await fleet.serve { server in
            let list = try await server.request("/api/runs")
            #expect(list.status == 500)
            #expect(list.header("Content-Type") == "application/json; charset=utf-8")
            #expect((try list.json()["error"] as? String)?.hasPrefix("cannot list the journal folder \(journal)") == true, "\(list.text)")
            #expect(try await server.request("/api/status").status == 200, "the fleet is still served")
        }
    }

    @Test(arguments: ["/nope", "/api", "/api/status/x", "/metrics/x", "/index.html"])
    func unknownPathsAre404(_ path: String) async throws {
        let fleet = try await ServedFleet(tenants: ["acme"], behind: [])
        try await fleet.serve { server in
            let reply = try await server.request(path)
            #expect(reply.status == 404)
            #expect(reply.header("Content-Type") == "application/json; charset=utf-8")
            #expect(try reply.json()["error"] as? String == "no such path: \(path)", "\(reply.text)")
        }
    }

    @Test func noMethodButGetAndHeadChangesAnything() async throws {
        let fleet = try await ServedFleet()
        let before = try await fleet.statusJSON()
        let runsBefore = try RunLog(directory: try #require(fleet.fleet.config.journalDirectory)).ids()
        try await fleet.serve { server in
            _ = try await server.request("/api/status")
            for path in ["/", "/api/status", "/api/runs", "/api/runs/\(runsBefore[0])", "/healthz", "/metrics", "/nope"] {
                for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
                    let reply = try await server.request(path, method: method)
                    #expect(reply.status == 405, "\(method) \(path): \(reply.status)")
                    #expect(reply.header("Allow") == "GET, HEAD", "\(method) \(path)")
                    #expect((try reply.json()["error"] as? String)?.contains("read-only") == true, "\(method) \(path): \(reply.text)")
                }
            }
            #expect(await server.reads == 1, "a refused request reads nothing")
        }
        #expect(try await fleet.statusJSON() == before)
        #expect(try RunLog(directory: try #require(fleet.fleet.config.journalDirectory)).ids() == runsBefore)
    }
}
