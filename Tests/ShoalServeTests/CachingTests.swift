import Foundation
import ShoalKit
import Testing
@testable import ShoalServe

/// However many clients ask, the fleet is read at most once per interval
/// (SPEC §12).
@Suite struct CachingTests {
    @Test func concurrentClientsShareOneRead() async throws {
        let fleet = try await ServedFleet()
        try await fleet.serve { server in
            let paths = ["/", "/api/status", "/metrics"]
            let replies = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<30 { group.addTask { try await server.request(paths[index % 3]).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(replies.count == 30 && replies.allSatisfy { $0 == 200 })
            #expect(await server.reads == 1, "30 clients within one interval: one read (the one at start-up)")
        }
    }

    @Test func aRequestAfterTheIntervalReadsAgain() async throws {
        let fleet = try await ServedFleet()
        try await fleet.serve(interval: .milliseconds(300)) { server in
            let first = try await server.request("/api/status")
            #expect(await server.reads == 1)
            // The fleet changes; within the interval the old read is served.
            _ = try await FleetRunner(fleet: fleet.fleet).run(.upgrade(.head), targets: try await fleet.fleet.targets())
            var reply = first
            for _ in 0..<500 where reply.header("Shoal-Read-At") == first.header("Shoal-Read-At") {
                reply = try await server.request("/api/status")
                if reply.header("Shoal-Read-At") == first.header("Shoal-Read-At") {
                    #expect(reply.body == first.body, "the cached read, until the interval has passed")
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            #expect(await server.reads == 2)
            let states = (try reply.json()["targets"] as? [[String: Any]])?.map { $0["state"] as? String }
            #expect(states == Array(repeating: "up-to-date", count: 4), "the new read: \(reply.text)")
            let readAt = { (reply: Server.Reply) in
                try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(reply.header("Shoal-Read-At") ?? "")
            }
            // Each read stamps its own start, a moment after the cache started
            // it: allow that moment, not a second read within the interval.
            #expect(try readAt(reply).timeIntervalSince(try readAt(first)) >= 0.25, "not before the interval")
        }
    }

    @Test func healthzNeverReads() async throws {
        let fleet = try await ServedFleet()
        try await fleet.serve(interval: .milliseconds(50)) { server in
            _ = try await server.request("/api/status")
            let reads = await server.reads
            try await Task.sleep(for: .milliseconds(100))
            for _ in 0..<10 { #expect(try await server.request("/healthz").status == 200) }
            #expect(await server.reads == reads, "the interval passed, but /healthz does not read")
        }
    }
}
