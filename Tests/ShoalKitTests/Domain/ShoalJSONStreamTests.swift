import Foundation
import Testing
@testable import ShoalKit

/// `--json` of `upgrade` and `status` is written a chunk of targets at a
/// time (issue 16: a whole document of 100,000 targets cost 100 MB more at
/// the peak); what is written must be ShoalJSON.encode's document, byte for
/// byte, whatever the chunk size and whatever the reports hold.
@Suite struct ShoalJSONStreamTests {
    static func streamed(_ write: ((Data) throws -> Void) throws -> Void) rethrows -> (data: Data, pieces: Int) {
        var data = Data()
        var pieces = 0
        try write {
            data.append($0)
            pieces += 1
        }
        return (data, pieces)
    }

    @Test(arguments: [1, 2, 3, 512])
    func aFleetReportIsEncodesDocument(chunk: Int) throws {
        var report = FleetReport(command: "upgrade", durationMs: 1234, targets: JournalLineTests.reports,
                                 lint: [LintFinding(database: "app", revision: "r1", file: "versions/app/r1.sql", line: 3,
                                                    rule: .volatileDefault, message: "\"targets\" : [\n\n  ] in a message",
                                                    statement: "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()")])
        report.run = RunID(startedAt: Date(timeIntervalSince1970: 1_765_000_000))
        let (data, pieces) = try Self.streamed { try report.writeJSON(chunk: chunk, to: $0) }
        let expected = try ShoalJSON.encode(report)
        #expect(String(decoding: data, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(pieces == 2 + (report.targets.count + chunk - 1) / chunk, "the head, each chunk, the tail")
    }

    @Test func aReportWithoutTargetsAndADryRunAreTheirDocuments() throws {
        for report in [FleetReport(command: "downgrade", durationMs: 0, targets: []),
                       FleetReport(command: "upgrade", dryRun: true, durationMs: 5, targets: Array(JournalLineTests.reports.prefix(2)))] {
            let (data, _) = try Self.streamed { try report.writeJSON(chunk: 1, to: $0) }
            #expect(data == (try ShoalJSON.encode(report)))
        }
    }

    @Test func aStatusDocumentIsEncodesDocument() throws {
        let statuses = (0..<7).map { index in
            TargetStatus(target: "app/t\(index)", database: "app", shard: index % 2 == 0 ? nil : "eu", tenant: "t\(index) \"quoted\"",
                         current: index % 3 == 0 ? [] : ["1111aaaa0001"], heads: ["1111aaaa0001"], pending: index % 3 == 0 ? 1 : 0,
                         state: index % 3 == 0 ? .behind : .upToDate, replicas: [])
        }
        let document = StatusDocument(targets: statuses)
        for chunk in [1, 3, 512] {
            let (data, _) = try Self.streamed { try document.writeJSON(chunk: chunk, to: $0) }
            #expect(String(decoding: data, as: UTF8.self) == String(decoding: try ShoalJSON.encode(document), as: UTF8.self))
        }
    }

    @Test func aShellWithoutTheEmptyArrayIsRefusedNotWrittenWithoutIt() {
        var written = Data()
        #expect(throws: EncodingError.self) {
            try ShoalJSON.stream(["other": [String]()], array: "targets", elements: ["a"]) { written.append($0) }
        }
        #expect(written.isEmpty)
    }
}
