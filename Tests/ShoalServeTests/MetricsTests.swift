import Foundation
import ShoalKit
import Testing
@testable import ShoalServe

/// `GET /metrics` (SPEC §12): the names, labels and values Prometheus scrapes.
@Suite struct MetricsTests {
    /// The exposition's sample lines (no `# TYPE`), by name and labels.
    static func samples(_ text: String) -> [String: String] {
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return samples
    }

    @Test func metricsNameEveryStateDatabaseRevisionAndRun() async throws {
        let fleet = try await ServedFleet()
        try await fleet.serve { server in
            let reply = try await server.request("/metrics")
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            #expect(reply.header("Cache-Control") == "no-cache")
            let samples = Self.samples(reply.text)
            // Every state, for the database (its own shard label: it has no shards).
            let states = ["up-to-date": 3.0, "behind": 1, "uninitialized": 0, "dirty": 0, "in-progress": 0, "unknown-revision": 0, "unreachable": 0]
            for (state, count) in states {
                let key = #"shoal_targets{database="app",shard="app",state="\#(state)"}"#
                #expect(samples[key].flatMap(Double.init) == count, "\(key) in\n\(reply.text)")
            }
            #expect(samples[#"shoal_pending_migrations{database="app",shard="app"}"#].flatMap(Double.init) == 2)
            #expect(samples[#"shoal_revision_targets{database="app",revision="cccc0003"}"#].flatMap(Double.init) == 3)
            #expect(samples[#"shoal_revision_targets{database="app",revision="aaaa0001"}"#].flatMap(Double.init) == 1)
            #expect(!samples.keys.contains { $0.contains("bbbb0002") }, "no target is at bbbb0002")
            let duration = try #require(samples["shoal_fleet_read_duration_seconds"].flatMap(Double.init))
            #expect(duration > 0 && duration < 60)
            #expect(samples["shoal_fleet_read_ok"].flatMap(Double.init) == 1)
            #expect(samples["shoal_fleet_read_errors_total"].flatMap(Double.init) == 0)
            let age = try #require(samples["shoal_fleet_read_age_seconds"].flatMap(Double.init))
            #expect(age >= 0 && age < 60)
            // The fixture's two upgrades finished without failure; the newest one's start.
            let runs = try RunLog(directory: try #require(fleet.fleet.config.journalDirectory)).runs().runs
            let newest = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(runs[0].header.startedAt)
            let stamp = try #require(samples[#"shoal_last_run_timestamp_seconds{command="upgrade",outcome="ok"}"#].flatMap(Double.init))
            #expect(abs(stamp - newest.timeIntervalSince1970) < 0.001, "\(stamp) vs \(newest)")
            #expect(reply.text.contains("# TYPE shoal_targets gauge"), "\(reply.text)")
            #expect(Set(samples.keys.map { String($0.prefix { $0 != "{" }) }) == [
                "shoal_targets", "shoal_pending_migrations", "shoal_revision_targets", "shoal_fleet_read_duration_seconds",
                "shoal_fleet_read_ok", "shoal_fleet_read_errors_total", "shoal_fleet_read_age_seconds",
                "shoal_fleet_read_timestamp_seconds", "shoal_last_run_timestamp_seconds",
            ], "no replicas here, so no shoal_replica_lag_bytes")
        }
    }

    @Test func seriesThatLeaveTheFleetDoNotLinger() async throws {
        let fleet = try await ServedFleet()
        try await fleet.serve(interval: .milliseconds(100)) { server in
            let before = Self.samples(try await server.request("/metrics").text)
            #expect(before[#"shoal_revision_targets{database="app",revision="aaaa0001"}"#] != nil)
            // umbrella catches up: no target is left at aaaa0001, none behind.
            _ = try await FleetRunner(fleet: fleet.fleet).run(.upgrade(.head), targets: try await fleet.fleet.targets())
            var after = before
            for _ in 0..<500 where after[#"shoal_revision_targets{database="app",revision="aaaa0001"}"#] != nil {
                try await Task.sleep(for: .milliseconds(20))
                after = Self.samples(try await server.request("/metrics").text)
            }
            #expect(after[#"shoal_revision_targets{database="app",revision="aaaa0001"}"#] == nil, "destroyed, not left at 1")
            #expect(after[#"shoal_revision_targets{database="app",revision="cccc0003"}"#].flatMap(Double.init) == 4)
            #expect(after[#"shoal_targets{database="app",shard="app",state="behind"}"#].flatMap(Double.init) == 0)
            #expect(after[#"shoal_targets{database="app",shard="app",state="up-to-date"}"#].flatMap(Double.init) == 4)
            #expect(after[#"shoal_pending_migrations{database="app",shard="app"}"#].flatMap(Double.init) == 0)
        }
    }
}
