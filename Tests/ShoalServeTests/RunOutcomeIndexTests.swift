import Foundation
import ShoalKit
import ShoalTestSupport
import Testing
@testable import ShoalServe

/// `shoal_last_run_timestamp_seconds` comes from the journal; each read of
/// the fleet must not read every run's journal again (one per deployment,
/// a line per target each): a finished run is read once.
@Suite struct RunOutcomeIndexTests {
    @Test func aFinishedRunIsReadOnceAndARunWithoutItsLastLineWhenItChanges() async throws {
        let served = try await ServedFleet()  // two runs: an upgrade to head, an upgrade of one step
        let directory = try #require(served.fleet.config.journalDirectory)
        let index = RunOutcomeIndex()

        let first = index.lastRuns(in: directory)
        #expect(first.keys.map(\.command) == ["upgrade"] && first.keys.map(\.outcome) == ["ok"], "\(first)")
        #expect(index.filesRead == 2)
        #expect(index.lastRuns(in: directory) == first)
        #expect(index.filesRead == 2, "finished runs are not read again")

        // A run that has not written its last line yet (running, or killed).
        let ids = try RunLog(directory: directory).ids()
        let header = try #require(try String(contentsOfFile: RunLog(directory: directory).path(of: ids[0]), encoding: .utf8)
            .split(separator: "\n").first)
        let unfinished = String(ids[0].dropLast(4)) + (ids[0].hasSuffix("ffff") ? "0000" : "ffff")
        try (header.replacingOccurrences(of: ids[0], with: unfinished) + "\n")
            .write(toFile: RunLog(directory: directory).path(of: unfinished), atomically: true, encoding: .utf8)
        let withIt = index.lastRuns(in: directory)
        #expect(withIt[RunOutcome(command: "upgrade", outcome: "interrupted")] != nil, "\(withIt)")
        #expect(index.filesRead == 3)
        _ = index.lastRuns(in: directory)
        #expect(index.filesRead == 3, "a killed run's journal, unchanged, is not read again")
        // It goes on: a target's line is added (a live run writes one per target).
        let handle = try #require(FileHandle(forWritingAtPath: RunLog(directory: directory).path(of: unfinished)))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"torn\n".utf8))
        try handle.close()
        _ = index.lastRuns(in: directory)
        #expect(index.filesRead == 4, "read again once it changed")

        // A run's journal removed: it no longer counts.
        try FileManager.default.removeItem(atPath: RunLog(directory: directory).path(of: unfinished))
        #expect(index.lastRuns(in: directory) == first)
    }
}
