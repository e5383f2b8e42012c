import ArgumentParser
import Foundation
import ShoalKit

/// `shoal runs` and `shoal runs show ID` (SPEC §11): the journal of runs,
/// read long after the processes that ran them ended.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "The journal of runs: what each upgrade, downgrade, stamp and rollback did.",
        discussion: """
        Every run that is not a dry run writes .shoal/runs/<id>.jsonl beside config.json (config keys journal_dir, \
        "journal": false). A run killed before its end is `interrupted`; `runs show` lists the targets it never \
        reported as `unknown`.
        """,
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Runs, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Show at most N runs.") var limit: Int?

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        }

        func run() async throws {
            let log = try RunsCommand.log(global)
            let (runs, unreadable) = try log.runs(limit: limit)
            for error in unreadable { Console.write("warning: \(error.message); skipped\n", toStderr: true) }
            if global.json {
                try Console.json(["runs": runs.map(RunRow.init)])
            } else if runs.isEmpty {
                Console.line("no runs in \(log.directory)", json: false)
            } else {
                Console.lines(runs.map(RunsCommand.line), json: false)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "One run's targets, as its report said them.",
            discussion: "ID: a run id, a prefix of one, or its last four digits (3f9a), that no other run shares.")
        @Argument(help: "The run's id (or a unique prefix, or its last four digits).") var id: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let log = try RunsCommand.log(global)
            let run = try log.run(id)
            let links = try log.links(to: run.id)
            if global.json {
                try Console.json(RunDocument(run, retriedBy: links.retriedBy, compensatedBy: links.compensatedBy))
            } else {
                Console.lines(RunsCommand.report(run, retriedBy: links.retriedBy, compensatedBy: links.compensatedBy), json: false)
            }
        }
    }

    /// The journal folder of the fleet `global` names.
    static func log(_ global: GlobalOptions) throws -> RunLog {
        try log(try global.loadFleet(resolvingConnections: false))
    }

    /// The journal folder of `fleet` (`journal_dir`); with `"journal":
    /// false` there is none to read, which says so.
    static func log(_ fleet: Fleet) throws -> RunLog {
        guard let directory = fleet.config.journalDirectory else {
            throw ShoalError(.config, "the journal is off (\"journal\": false in config.json): shoal keeps no record of runs to read",
                             hint: "remove \"journal\": false (or set `journal_dir`) so that later runs are recorded")
        }
        return RunLog(directory: directory)
    }

    /// `upgrade head`, `downgrade -1`, `rollback of ID`.
    static func what(_ header: RunHeader) -> String {
        var text = header.command
        if let revision = header.revision { text += " \(revision)" }
        if let compensated = header.compensates { text += " of \(compensated)" }
        if let retried = header.retryOf { text += " (retry of \(retried))" }
        return text
    }

    /// One run of `shoal runs`.
    static func line(_ run: RecordedRun) -> String {
        var parts = [run.id, what(run.header), run.header.startedAt]
        parts.append(run.durationMs.map { String(format: "%.1f s", Double($0) / 1000) } ?? "?")
        parts.append(counts(run))
        parts.append(run.state == .finished ? "finished" : Console.paint("interrupted", .yellow))
        return parts.joined(separator: "  ")
    }

    /// `200 targets: 198 ok, 1 failed, 1 skipped`, and for an interrupted
    /// run how many it never reported.
    static func counts(_ run: RecordedRun) -> String {
        let s = run.summary
        var text = "\(ReportText.count(run.header.targets.isEmpty ? s.targets : run.header.targets.count, "target")): "
            + "\(s.ok) ok, \(s.failed) failed, \(s.skipped) skipped"
        if s.rolledBack > 0 { text += ", \(s.rolledBack) rolled back" }
        if s.replicaLag > 0 { text += ", \(s.replicaLag) replica-lag" }
        let unknown = run.unreported.count
        if unknown > 0 { text += ", \(unknown) unknown" }
        return text
    }

    /// `shoal runs show`: the header, each target's line, then the summary.
    static func report(_ run: RecordedRun, retriedBy: [String], compensatedBy: [String]) -> [String] {
        var lines = ["run \(run.id)  \(what(run.header))  started \(run.header.startedAt)"
                     + (run.header.user.isEmpty ? "" : " by \(run.header.user)" + (run.header.host.isEmpty ? "" : "@\(run.header.host)"))
                     + "  " + (run.state == .finished ? "finished \(run.finishedAt ?? "")" : Console.paint("interrupted", .yellow))]
        for other in retriedBy { lines.append("  retried by \(other)") }
        for other in compensatedBy { lines.append("  compensated by \(other)") }
        let width = (run.targets.map(\.target) + run.unreported).map(ReportText.width).max() ?? 0
        lines += run.targets.map { ReportText.line($0, width: width) }
        lines += run.unreported.map { ReportText.padded($0, to: width) + "  " + Console.paint("unknown", .yellow)
            + "  never reported: the run ended before this target's outcome was written" }
        if run.state == .interrupted {
            lines.append("interrupted: " + counts(run)
                         + " (the run was killed, or is still running; `shoal status` shows where each target is now)")
        } else {
            lines.append(counts(run) + (run.durationMs.map { " in " + String(format: "%.1f s", Double($0) / 1000) } ?? ""))
        }
        if !run.ignoredLines.isEmpty {
            lines.append("note: ignored line \(run.ignoredLines.map(String.init).joined(separator: ", ")) of \(run.path): "
                         + "cut short when the run was killed, or not a journal line")
        }
        return lines
    }
}
