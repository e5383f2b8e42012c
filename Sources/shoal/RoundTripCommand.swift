import ArgumentParser
import Foundation
import ShoalKit

/// `shoal test` (SPEC §10.2): every step's down undoes its up, and its up
/// redoes it, on a scratch target.
struct RoundTripCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Check that every migration's down undoes its up, and its up redoes it, on a scratch target.",
        discussion: """
        Walks the revisions from base in graph order on a scratch target (PostgreSQL:
        a scratch database shoal_scratch_<random> on the database's scratch_url or its
        first target's server, in a tenant's schema for a schema-per-tenant database;
        SQLite: a temporary file), always removed afterwards. For each revision: up
        (with its verify section), down, which must give back the schema from before
        the up, then up again, which must give back the schema of the first up. The
        walk stops at the first failure. Exit 1 when a step fails, when there are
        several heads, or with --strict when a step has no down; 2 for bad input
        (docs/drift.md).
        """)

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("db"), help: "Database (optional when the config has one).") var database: String?
    @Option(name: .long, help: ArgumentHelp("Only REV and its ancestors (an id or prefix, head or heads).", valueName: "rev"))
    var to: String?
    @Flag(name: .long, help: "A step without a down section fails too (exit 1).") var strict = false

    func run() async throws {
        let fleet = try global.loadFleet()
        let db = try fleet.database(database)
        let graph = try fleet.graph(for: db)
        let spec = try to.map(RevisionSpec.init(parsing:))
        let tester = RoundTripTester(fleet: fleet)
        let report = try await SignalTrap.cancellingOnSignal {
            try await tester.test(db, graph: graph, to: spec)
        }
        if global.json { try Console.json(report) }
        Console.lines(RoundTripText.lines(report, strict: strict, stderr: global.json), json: global.json)
        if report.failed(strict: strict) { throw ExitCode(1) }
    }
}

/// `shoal test` as text: a line per step, a failed step's diff and error
/// indented under it, then the summary and why it failed.
enum RoundTripText {
    static func lines(_ report: RoundTripReport, strict: Bool, stderr: Bool) -> [String] {
        let width = report.steps.map { ReportText.width(title($0)) }.max() ?? 0
        var lines = report.steps.flatMap { step(ReportText.padded(title($0), to: width), $0, stderr: stderr) }
        let s = report.summary
        lines.append("\(ReportText.count(s.steps, "step")): \(s.ok) ok, \(s.failed) failed, \(s.noDown) no-down in "
                     + String(format: "%.1f s", Double(report.durationMs) / 1000))
        if report.notRun > 0 {
            lines.append("\(ReportText.count(report.notRun, "later revision")) not run: the scratch target's state after a failed step is unknown")
        }
        if report.heads.count > 1 {
            lines.append("\(report.database) has \(report.heads.count) heads (\(report.heads.joined(separator: ", "))): "
                         + "run `shoal merge --db \(report.database) -m MESSAGE` to join them, then test again")
        }
        if strict && s.noDown > 0 {
            lines.append("--strict: \(ReportText.count(s.noDown, "step")) without a down section")
        }
        return lines
    }

    /// `5c1e9a0b7f3d add email`.
    private static func title(_ step: RoundTripReport.Step) -> String {
        step.message.map { "\(step.revision) \($0)" } ?? step.revision
    }

    /// `5c1e9a0b7f3d add email  up 12 ms  down 8 ms  ok`, and for a failed
    /// step its diff and error.
    private static func step(_ title: String, _ step: RoundTripReport.Step, stderr: Bool) -> [String] {
        var line = title
        if let up = step.upMs { line += "  up \(up) ms" }
        if let down = step.downMs { line += "  down \(down) ms" }
        switch step.status {
        case .ok: line += "  " + Console.paint("ok", .green, stderr: stderr)
        case .noDown: line += "  " + Console.paint("no-down", .yellow, stderr: stderr)
        case .failed: line += "  " + Console.paint("failed", .red, stderr: stderr)
        }
        var lines = [line]
        lines += step.diff.map { "    " + $0 }
        if let error = step.error {
            lines.append("    error: \(error.message)")
            if let state = error.sqlState { lines.append("    sqlstate: \(state)") }
        }
        return lines
    }
}
