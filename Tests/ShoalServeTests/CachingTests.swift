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

    /// The fleet changes: requests get the cached read until one, an
    /// interval after the last read started, starts a new one; then the new
    /// data comes. Reads never start closer together than the interval.
    @Test func aRequestAfterTheIntervalReadsAgain() async throws {
        let fleet = try await ServedFleet()
        let interval = 0.5
        try await fleet.serve(interval: .milliseconds(500)) { server in
            let readAt = { (reply: Server.Reply) in
                try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(reply.header("Shoal-Read-At") ?? "")
            }
            let first = try await server.request("/api/status")
            let readsBefore = await server.reads
            _ = try await FleetRunner(fleet: fleet.fleet).run(.upgrade(.head), targets: try await fleet.fleet.targets())
            let upgraded = Date()
            var reply = first
            var stamps = [try readAt(first)]
            for _ in 0..<1000 where try readAt(reply) <= upgraded {
                try await Task.sleep(for: .milliseconds(20))
                reply = try await server.request("/api/status")
                let at = try readAt(reply)
                if at == stamps[0] { #expect(reply.body == first.body, "the cached read, until a new one ended") }
                if at != stamps.last { stamps.append(at) }
            }
            #expect(try readAt(reply) > upgraded, "a read that started after the change was served")
            #expect(await server.reads > readsBefore)
            let states = (try reply.json()["targets"] as? [[String: Any]])?.map { $0["state"] as? String }
            #expect(states == Array(repeating: "up-to-date", count: 4), "the new read: \(reply.text)")
            // Each read stamps its own start, a moment after the cache started
            // it: allow that moment, not a second read within the interval.
            for (earlier, later) in zip(stamps, stamps.dropFirst()) {
                #expect(later.timeIntervalSince(earlier) >= interval - 0.05, "\(stamps)")
            }
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
