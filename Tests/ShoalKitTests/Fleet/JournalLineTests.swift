import Foundation
import Testing
@testable import ShoalKit

/// A journal's target line is written by hand for speed; it must be the
/// very object the JSON report encodes, whatever the report holds.
@Suite struct JournalLineTests {
    static let target = Target(id: "app/acme", database: "app", tenant: "acme", driver: .sqlite, location: .sqlite(path: "/x.sqlite"))

    /// Strings a message, a revision or a name may carry.
    static let hostile = ["", "plain", "quote \" and backslash \\", "line\nbreak\r\ttab", "\u{0}\u{1}\u{1f}\u{7f}",
                          "slash / and </script>", "é 漢字 🦭", "\u{2028}\u{2029}", "{\"json\": [1, 2]}"]

    static var reports: [TargetReport] {
        var all: [TargetReport] = []
        for (index, text) in hostile.enumerated() {
            var report = TargetReport(target: target, status: [.ok, .failed, .upToDate, .skipped, .rolledBack, .replicaLag, .planned][index % 7],
                                      from: index % 2 == 0 ? [] : ["aaaa0001", text], to: ["bbbb0002"],
                                      applied: [.init(revision: text, direction: .up, durationMs: index)], durationMs: 17 * index)
            report.target = "app/" + text
            report.tenant = index % 3 == 0 ? nil : text
            report.shard = index % 2 == 0 ? "eu-1" : nil
            report.error = index % 4 == 0 ? nil : .init(message: text, revision: index % 2 == 0 ? nil : "r\(index)",
                                                       failure: index % 3 == 0 ? nil : DatabaseFailure(code: .postgres(SQLState(rawValue: "42P07"))))
            report.replicas = index % 2 == 0 ? [] : [.init(name: "core-replica", status: .lagging, waitedMs: 5000, lagBytes: 1088, message: text),
                                                     .init(name: "r2", status: .caughtUp, waitedMs: 3, lagBytes: 0)]
            if index % 3 == 1 {
                report.planned = [text, "cccc0003", "dddd0004"]
                report.groups = [[text, "cccc0003"], ["dddd0004"]]
            }
            if index % 3 == 2 { report.stoppedAt = text }
            if index % 4 == 3 { report.revisionsKnown = false }
            report.retries = index % 5
            all.append(report)
        }
        return all
    }

    /// `line` is one line holding the object JSONEncoder makes of `value`.
    static func expect(_ line: String, isTheJSONObjectOf value: some Encodable) throws {
        #expect(line.hasSuffix("\n") && line.dropLast().allSatisfy { $0 != "\n" }, "one line: \(line)")
        let written = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? NSDictionary
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? NSDictionary
        #expect(written != nil)
        #expect(written == encoded, "\(line)")
    }

    @Test(arguments: reports)
    func theLineIsTheReportsJSONObject(_ report: TargetReport) throws {
        try Self.expect(report.journalLine, isTheJSONObjectOf: report)
    }

    static var headers: [RunHeader] {
        hostile.enumerated().map { index, text in
            let targets = ["app/acme", "app/" + text, "core"]
            return RunHeader(
                run: RunID(startedAt: .init(timeIntervalSince1970: 1_765_000_000 + Double(index))), command: index % 2 == 0 ? "upgrade" : "rollback",
                arguments: ["upgrade", "--tenant", text], revision: index % 3 == 0 ? nil : text,
                selectors: .init(databases: ["app"], shards: index % 2 == 0 ? [] : [text], tenants: [text], targets: [],
                                 partition: index % 2 == 0 ? nil : "2/3"),
                configSHA256: index % 4 == 0 ? nil : "abc", startedAt: "2026-12-07T00:00:0\(index)Z", user: text, host: "host",
                shoalVersion: "0.1.0", retryOf: index % 3 == 1 ? text : nil, compensates: index % 3 == 2 ? "20261207T000000Z-abcd" : nil,
                targets: targets, phase: index % 2 == 0 ? nil : "expand",
                from: index % 5 == 4 ? nil : ["app/acme": [], "app/" + text: ["aaaa0001", text], "core": ["bbbb0002"],
                                              "not/in/targets": ["cccc0003"]])
        }
    }

    @Test(arguments: headers)
    func theHeaderLineIsTheHeadersJSONObject(_ header: RunHeader) throws {
        try Self.expect(header.journalLine, isTheJSONObjectOf: header)
        #expect(try JSONDecoder().decode(RunHeader.self, from: Data(header.journalLine.utf8)) == header)
    }
}
