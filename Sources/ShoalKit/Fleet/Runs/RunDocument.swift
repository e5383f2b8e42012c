/// `shoal runs show ID --json` and `GET /api/runs/ID` of `shoal serve`: the
/// run as a fan-out report, with the targets it never reported as `unknown`
/// and its links to other runs.
package struct RunDocument: Encodable {
    /// A target an interrupted run never reported.
    struct Unknown: Encodable {
        var target: String
        var database: String
        var status = "unknown"
    }

    var row: RunRow
    var finishedAt: String?
    var arguments: [String]
    var targets: [TargetReport]
    var unknown: [Unknown]
    var retriedBy: [String]
    var compensatedBy: [String]
    var ignoredLines: [Int]

    package init(_ run: RecordedRun, retriedBy: [String], compensatedBy: [String]) {
        row = RunRow(run)
        finishedAt = run.finishedAt
        arguments = run.header.arguments
        targets = run.targets
        unknown = run.unreported.map { Unknown(target: $0, database: String($0.prefix { $0 != "/" })) }
        self.retriedBy = retriedBy
        self.compensatedBy = compensatedBy
        ignoredLines = run.ignoredLines
    }

    enum CodingKeys: String, CodingKey {
        case finishedAt = "finished_at", arguments, targets, retriedBy = "retried_by", compensatedBy = "compensated_by"
        case ignoredLines = "ignored_lines"
    }

    package func encode(to encoder: Encoder) throws {
        try row.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(arguments, forKey: .arguments)
        var list = c.nestedUnkeyedContainer(forKey: .targets)
        for target in targets { try list.encode(target) }
        for target in unknown { try list.encode(target) }
        try c.encode(retriedBy, forKey: .retriedBy)
        try c.encode(compensatedBy, forKey: .compensatedBy)
        try c.encode(ignoredLines, forKey: .ignoredLines)
    }
}
