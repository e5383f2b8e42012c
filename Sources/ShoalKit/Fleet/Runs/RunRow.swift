/// One run in `shoal runs --json` and `GET /api/runs` of `shoal serve`.
package struct RunRow: Encodable {
    var run: String
    var command: String
    var revision: String?
    var startedAt: String
    var durationMs: Int?
    var summary: FleetReport.Summary
    var unknown: Int
    var state: RecordedRun.State
    var retryOf: String?
    var compensates: String?

    package init(_ recorded: RecordedRun) {
        run = recorded.id
        command = recorded.header.command
        revision = recorded.header.revision
        startedAt = recorded.header.startedAt
        durationMs = recorded.durationMs
        summary = recorded.summary
        unknown = recorded.unreported.count
        state = recorded.state
        retryOf = recorded.header.retryOf
        compensates = recorded.header.compensates
    }

    enum CodingKeys: String, CodingKey {
        case run, command, revision, startedAt = "started_at", durationMs = "duration_ms", summary, unknown, state
        case retryOf = "retry_of", compensates
    }

    package func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(run, forKey: .run)
        try c.encode(command, forKey: .command)
        try c.encode(revision, forKey: .revision)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(summary, forKey: .summary)
        try c.encode(unknown, forKey: .unknown)
        try c.encode(state, forKey: .state)
        try c.encode(retryOf, forKey: .retryOf)
        try c.encode(compensates, forKey: .compensates)
    }
}
