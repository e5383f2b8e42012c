import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// Journals read back (SPEC §11): finished, interrupted, torn by a kill.
@Suite struct RecordedRunTests {
    static func header(_ run: String, command: String = "upgrade", targets: [String], retryOf: String? = nil,
                       compensates: String? = nil) -> String {
        func json(_ value: String?) -> String { value.map { "\"\($0)\"" } ?? "null" }
        return """
            {"run":"\(run)","command":"\(command)","arguments":["\(command)","--db","app"],"revision":\(command == "rollback" ? "null" : "\"head\""),\
            "selectors":{"databases":["app"],"shards":[],"tenants":[],"targets":[],"partition":null},"config_sha256":"ab",\
            "started_at":"2026-12-07T08:00:00.000Z","user":"root","host":"vm","shoal_version":"0.1.0",\
            "retry_of":\(json(retryOf)),"compensates":\(json(compensates)),"targets":[\(targets.map { "\"\($0)\"" }.joined(separator: ","))]}
            """
    }

    static func target(_ id: String, status: String = "ok", from: [String] = [], to: [String] = ["r2"],
                       error: String = "null") -> String {
        let tenant = id.split(separator: "/").last.map(String.init) ?? id
        func list(_ values: [String]) -> String { "[" + values.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
        return """
            {"target":"\(id)","database":"app","shard":null,"tenant":"\(tenant)","status":"\(status)","from":\(list(from)),\
            "to":\(list(to)),"applied":[{"revision":"r1","duration_ms":3},{"revision":"r2","duration_ms":4}],"duration_ms":9,\
            "error":\(error),"replicas":[]}
            """
    }

    static let footer = #"{"finished_at":"2026-12-07T08:00:01.500Z","duration_ms":1500,"summary":{"targets":2,"ok":1,"failed":1}}"#

    @Test func aFinishedRunReadsBackItsTargetsAndSummary() throws {
        let directory = try TemporaryDirectory()
        let id = "20261207T080000Z-00aa"
        let failed = #"{"message":"table users already exists","revision":"r1","sql_state":"42P07"}"#
        try (Self.header(id, targets: ["app/a", "app/b"]) + "\n" + Self.target("app/a") + "\n"
             + Self.target("app/b", status: "failed", to: [], error: failed) + "\n" + Self.footer + "\n")
            .write(toFile: directory.file("\(id).jsonl"), atomically: true, encoding: .utf8)

        let run = try RunLog(directory: directory.path).run(id)
        #expect(run.state == .finished)
        #expect(run.header.command == "upgrade" && run.header.revision == "head" && run.header.arguments == ["upgrade", "--db", "app"])
        #expect(run.targets.map(\.target) == ["app/a", "app/b"])
        #expect(run.targets[0].applied.map(\.revision) == ["r1", "r2"] && run.targets[0].applied.allSatisfy { $0.direction == .up })
        #expect(run.targets[1].status == .failed)
        #expect(run.targets[1].error?.sqlState == "42P07" && run.targets[1].error?.revision == "r1")
        #expect(run.summary.ok == 1 && run.summary.failed == 1 && run.summary.targets == 2)
        #expect(run.durationMs == 1500 && run.unreported.isEmpty && run.ignoredLines.isEmpty)
    }

    @Test func aKilledRunIsInterruptedItsTornLineIgnoredAndItsOtherTargetsUnknown() throws {
        let directory = try TemporaryDirectory()
        let id = "20261207T080000Z-00bb"
        let torn = String(Self.target("app/b").prefix(40))
        try (Self.header(id, targets: ["app/a", "app/b", "app/c"]) + "\n" + Self.target("app/a") + "\n" + torn)
            .write(toFile: directory.file("\(id).jsonl"), atomically: true, encoding: .utf8)

        let run = try RunLog(directory: directory.path).run("20261207T080000Z-00b")
        #expect(run.state == .interrupted && run.finishedAt == nil && run.durationMs == nil)
        #expect(run.targets.map(\.target) == ["app/a"])
        #expect(run.unreported == ["app/b", "app/c"])
        #expect(run.ignoredLines == [3])
    }

    @Test func aDowngradeRunsStepsAreDownSteps() throws {
        let directory = try TemporaryDirectory()
        let id = "20261207T080000Z-00cc"
        try (Self.header(id, command: "downgrade", targets: ["app/a"]) + "\n" + Self.target("app/a", from: ["r2"], to: []) + "\n")
            .write(toFile: directory.file("\(id).jsonl"), atomically: true, encoding: .utf8)
        #expect(try RunLog(directory: directory.path).run(id).targets[0].applied.allSatisfy { $0.direction == .down })
    }

    @Test func runsAreListedNewestFirstAndLinkedBothWays() throws {
        let directory = try TemporaryDirectory()
        let first = "20261207T080000Z-0001", retry = "20261207T080100Z-0002", rollback = "20261207T080200Z-0003"
        try (Self.header(first, targets: ["app/a"]) + "\n" + Self.footer + "\n").write(toFile: directory.file("\(first).jsonl"), atomically: true, encoding: .utf8)
        try (Self.header(retry, targets: ["app/a"], retryOf: first) + "\n").write(toFile: directory.file("\(retry).jsonl"), atomically: true, encoding: .utf8)
        try (Self.header(rollback, command: "rollback", targets: ["app/a"], compensates: first) + "\n")
            .write(toFile: directory.file("\(rollback).jsonl"), atomically: true, encoding: .utf8)
        try "not a journal\n".write(toFile: directory.file("20261207T080300Z-0004.jsonl"), atomically: true, encoding: .utf8)
        try "other file\n".write(toFile: directory.file("README"), atomically: true, encoding: .utf8)

        let log = RunLog(directory: directory.path)
        let (runs, unreadable) = try log.runs()
        #expect(runs.map(\.id) == [rollback, retry, first])
        #expect(unreadable.count == 1 && unreadable[0].message.contains("20261207T080300Z-0004.jsonl is not a shoal run journal"))
        #expect(try log.runs(limit: 1).runs.map(\.id) == [rollback])
        let links = try log.links(to: first)
        #expect(links.retriedBy == [retry] && links.compensatedBy == [rollback])
        #expect(try log.run(retry).header.retryOf == first)
        #expect(try log.run("0002").id == retry, "the four random digits name a run too")
    }

    /// Runs of the same second sort by their headers' milliseconds, not by
    /// their ids' random digits, and link to each other all the same.
    @Test func runsOfTheSameSecondSortByTheirStartAndLinkAllTheSame() throws {
        let directory = try TemporaryDirectory()
        let first = "20261207T080000Z-ffff", retry = "20261207T080000Z-0001"
        try (Self.header(first, targets: ["app/a"]).replacingOccurrences(of: "08:00:00.000Z", with: "08:00:00.100Z") + "\n")
            .write(toFile: directory.file("\(first).jsonl"), atomically: true, encoding: .utf8)
        try (Self.header(retry, targets: ["app/a"], retryOf: first).replacingOccurrences(of: "08:00:00.000Z", with: "08:00:00.900Z") + "\n")
            .write(toFile: directory.file("\(retry).jsonl"), atomically: true, encoding: .utf8)
        let log = RunLog(directory: directory.path)
        #expect(try log.runs().runs.map(\.id) == [retry, first])
        #expect(try log.runs(limit: 1).runs.map(\.id) == [retry])
        #expect(try log.links(to: first).retriedBy == [retry])
    }

    @Test func anUnknownOrAmbiguousIdIsAUsageErrorNamingTheFolder() throws {
        let directory = try TemporaryDirectory()
        for id in ["20261207T080000Z-0001", "20261207T080000Z-0002"] {
            try (Self.header(id, targets: []) + "\n").write(toFile: directory.file("\(id).jsonl"), atomically: true, encoding: .utf8)
        }
        let log = RunLog(directory: directory.path)
        let unknown = #expect(throws: ShoalError.self) { try log.run("20261207T090000Z-0001") }
        #expect(unknown?.kind == .usage)
        #expect(unknown?.message.contains("no run `20261207T090000Z-0001` in \(directory.path)") == true, "\(unknown?.message ?? "")")
        let ambiguous = #expect(throws: ShoalError.self) { try log.run("20261207T08") }
        #expect(ambiguous?.message.contains("is ambiguous") == true)
        #expect(try RunLog(directory: directory.file("missing")).ids().isEmpty, "a folder not made yet holds no runs")
    }
}
