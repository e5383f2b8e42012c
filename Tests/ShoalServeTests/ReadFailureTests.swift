import Foundation
import ShoalKit
import Testing
@testable import ShoalServe

/// A read that fails keeps serving the last good data and says so; a first
/// read that fails serves 503 until one succeeds.
@Suite struct ReadFailureTests {
    /// Breaks the fleet's migration files: the next read fails before any target is read.
    static func breakMigrations(_ fleet: ServedFleet) throws {
        _ = try fleet.directory.write("-- revision: dddd0004\n-- parents: zzzz9999\n\n-- shoal:up\nSELECT 1;\n",
                                      to: "versions/app/dddd0004.sql")
    }

    @Test func aFailedReadKeepsServingTheLastGoodData() async throws {
        let fleet = try await ServedFleet()
        try await fleet.serve(interval: .milliseconds(100)) { server in
            var good = try await server.request("/api/status")
            try Self.breakMigrations(fleet)
            // A read that started before the break may still end well and be
            // served: the last good read is the newest one served without an error.
            var reply = good
            for _ in 0..<500 where reply.header("Shoal-Read-Error") == nil {
                good = reply
                try await Task.sleep(for: .milliseconds(20))
                reply = try await server.request("/api/status")
            }
            #expect(reply.status == 200)
            #expect(reply.body == good.body, "the last good read")
            #expect(reply.header("Shoal-Read-At") == good.header("Shoal-Read-At"), "when that good read was")
            #expect(reply.header("Last-Modified") == good.header("Last-Modified"))
            let error = try #require(reply.header("Shoal-Read-Error"))
            #expect(error.contains("zzzz9999"), "says why: \(error)")
            #expect(!error.contains("\n"))

            let health = try await server.request("/healthz")
            #expect(health.status == 200)
            #expect(try health.json()["read_error"] as? String == error)
            #expect(try health.json()["read_at"] as? String == good.header("Shoal-Read-At"))

            let page = try await server.request("/")
            #expect(page.status == 200 && page.header("Shoal-Read-Error") == error)

            let metrics = MetricsTests.samples(try await server.request("/metrics").text)
            #expect(metrics["shoal_fleet_read_ok"].flatMap(Double.init) == 0)
            #expect((metrics["shoal_fleet_read_errors_total"].flatMap(Double.init) ?? 0) >= 1)
            #expect(metrics[#"shoal_targets{database="app",shard="app",state="behind"}"#].flatMap(Double.init) == 1,
                    "the last good read's gauges")

            // Repaired: the next read clears the error.
            try FileManager.default.removeItem(atPath: fleet.directory.file("versions/app/dddd0004.sql"))
            for _ in 0..<500 where reply.header("Shoal-Read-Error") != nil {
                try await Task.sleep(for: .milliseconds(20))
                reply = try await server.request("/api/status")
            }
            #expect(reply.header("Shoal-Read-Error") == nil)
            #expect(reply.header("Shoal-Read-At") != good.header("Shoal-Read-At"))
        }
    }

    @Test func aFirstReadThatFailsServes503() async throws {
        let fleet = try await ServedFleet()
        try Self.breakMigrations(fleet)
        try await fleet.serve { server in
            let reply = try await server.request("/api/status")
            #expect(reply.status == 503)
            #expect(reply.header("Content-Type") == "application/json; charset=utf-8")
            let error = try #require(try reply.json()["error"] as? String)
            #expect(error.hasPrefix("the fleet has not been read yet: ") && error.contains("zzzz9999"), "\(error)")
            #expect(reply.header("Shoal-Read-Error").map { error.hasSuffix($0) } == true)
            #expect(reply.header("Shoal-Read-At") == nil && reply.header("Last-Modified") == nil, "nothing was read")

            let page = try await server.request("/")
            #expect(page.status == 200, "the page, whose fetch of /api/status shows the error")
            let health = try await server.request("/healthz")
            #expect(health.status == 200)
            #expect(try health.json()["read_at"] is NSNull)
            let metrics = MetricsTests.samples(try await server.request("/metrics").text)
            #expect(metrics["shoal_fleet_read_ok"].flatMap(Double.init) == 0)
            #expect(!metrics.keys.contains { $0.hasPrefix("shoal_targets") })
        }
    }

    @Test func aHostileRevisionComesBackAsJSONText() async throws {
        let fleet = try await ServedFleet()
        let hostile = #"</script><img src=x onerror="alert(1)">\u0000'"#
        let session = try await SQLiteSession.open(path: fleet.directory.file("tenants/umbrella.sqlite"), mode: .readWrite)
        _ = try await session.query("UPDATE shoal_version SET revision = $1", [hostile])
        await session.close()
        try await fleet.serve { server in
            let reply = try await server.request("/api/status")
            #expect(reply.status == 200 && reply.header("Content-Type") == "application/json; charset=utf-8")
            let targets = try #require(try reply.json()["targets"] as? [[String: Any]])
            let umbrella = try #require(targets.first { $0["target"] as? String == "app/umbrella" })
            #expect(umbrella["state"] as? String == "unknown-revision")
            #expect(umbrella["current"] as? [String] == [hostile], "the same string, escaped as JSON: \(reply.text)")
            #expect(!reply.text.contains(#"onerror="alert"#), "its quotes are escaped")
        }
    }
}
