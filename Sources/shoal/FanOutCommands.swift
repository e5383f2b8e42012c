import ArgumentParser
import Foundation
import ShoalKit

struct UpgradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Bring targets up to a revision (default: head).",
        usage: "shoal upgrade [<revision>] [<options>]",
        discussion: """
        REV: a revision id or unique prefix (4+ characters), head, heads, or +N.
        --phase expand applies what comes before each target's first `-- phase: contract` migration and stops there; \
        --phase contract applies everything, as a plain upgrade does.
        """)

    @Argument(parsing: .allUnrecognized, help: "Revision to upgrade to (default: head).") var revision: [String] = []
    @Option(name: .long, help: "expand: stop each target before its first contract migration; contract: apply everything.")
    var phase: String?
    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectorOptions
    @OptionGroup var fanOut: FanOutOptions
    @OptionGroup var transaction: TransactionOption
    @OptionGroup var retry: RetryOption
    @OptionGroup var html: HTMLOption

    func validate() throws {
        try FanOut.validateRevision(revision, required: false)
        _ = try PhaseArgument.parse(phase)
    }

    func run() async throws {
        try html.checkWritable()
        if let id = retry.retryFailed {
            let fleet = try global.loadFleet()
            let recorded = try RetryOption.run(id, of: "upgrade", in: fleet)
            let phase = try PhaseArgument.parse(phase ?? recorded.header.phase)
            let spec = try RevisionSpec(parsing: revision.first ?? recorded.header.revision ?? "head")
            try await FanOut.run(.upgrade(spec, phase: phase), fleet: fleet, selection: selection, fanOut: fanOut,
                                 json: global.json, retrying: recorded, transaction: transaction, html: html)
            return
        }
        try await FanOut.run(.upgrade(RevisionSpec(parsing: revision.first ?? "head"), phase: PhaseArgument.parse(phase)),
                             global: global, selection: selection, fanOut: fanOut, transaction: transaction, html: html)
    }
}

struct DowngradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "downgrade",
        abstract: "Bring targets down to a revision.",
        usage: "shoal downgrade <revision> [<options>]",
        discussion: "REV: a revision id or unique prefix, base (nothing applied), or -N. Refused before anything runs when a step has no down section.")

    // `.allUnrecognized` so that `downgrade -1` reads -1 as the revision, not as a flag.
    @Argument(parsing: .allUnrecognized, help: "Revision to downgrade to.") var revision: [String] = []
    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectorOptions
    @OptionGroup var fanOut: FanOutOptions
    @OptionGroup var transaction: TransactionOption
    @OptionGroup var retry: RetryOption
    @OptionGroup var html: HTMLOption

    func validate() throws {
        try FanOut.validateRevision(revision, required: retry.retryFailed == nil)
    }

    func run() async throws {
        try html.checkWritable()
        if let id = retry.retryFailed {
            let fleet = try global.loadFleet()
            let recorded = try RetryOption.run(id, of: "downgrade", in: fleet)
            guard let typed = revision.first ?? recorded.header.revision else {
                throw ShoalError(.usage, "run \(recorded.id) recorded no revision: give the one to downgrade to")
            }
            try await FanOut.run(.downgrade(RevisionSpec(parsing: typed)), fleet: fleet, selection: selection, fanOut: fanOut,
                                 json: global.json, retrying: recorded, transaction: transaction, html: html)
            return
        }
        try await FanOut.run(.downgrade(RevisionSpec(parsing: revision[0])), global: global, selection: selection, fanOut: fanOut,
                             transaction: transaction, html: html)
    }
}

struct StampCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stamp",
        abstract: "Set the version table to a revision without running SQL.",
        usage: "shoal stamp <revision> [<options>]",
        discussion: "Adopts an existing database, or records where a dirty target is after you checked it by hand. REV: an id or prefix, head, heads or base.")

    @Argument(parsing: .allUnrecognized, help: "Revision to record.") var revision: [String] = []
    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectorOptions
    @OptionGroup var fanOut: FanOutOptions
    @OptionGroup var html: HTMLOption

    func validate() throws {
        try FanOut.validateRevision(revision, required: true)
    }

    func run() async throws {
        try html.checkWritable()
        try await FanOut.run(.stamp(RevisionSpec(parsing: revision[0])), global: global, selection: selection, fanOut: fanOut,
                             html: html)
    }
}

/// Runs a fan-out command and prints its per-target lines and summary.
enum FanOut {
    /// One revision argument. It is parsed with `.allUnrecognized` so that
    /// `-1` is a revision; anything else that looks like a flag is unknown.
    static func validateRevision(_ values: [String], required: Bool) throws {
        if let flag = values.first(where: { $0.hasPrefix("-") && Int($0) == nil }) {
            throw ValidationError("unknown option '\(flag)'")
        }
        if values.count > 1 {
            throw ValidationError("expected one revision, got \(values.count): \(values.joined(separator: " "))")
        }
        if required && values.isEmpty {
            throw ValidationError("missing the revision argument (an id or prefix, head, heads, base, +N or -N)")
        }
    }

    static func run(_ command: FleetCommand, global: GlobalOptions, selection: SelectorOptions, fanOut: FanOutOptions,
                    transaction: TransactionOption? = nil, html: HTMLOption) async throws {
        try await run(command, fleet: try global.loadFleet(), selection: selection, fanOut: fanOut, json: global.json,
                      transaction: transaction, html: html)
    }

    /// Runs `command` on the selected targets; `retrying`: only those of
    /// them that run `--retry-failed` names (``RecordedRun/retryTargets``).
    /// `transaction`: `--transaction`, for the commands that take it.
    /// With `html`, the report is also written as a page (a dry run's plan too).
    static func run(_ command: FleetCommand, fleet: Fleet, selection: SelectorOptions, fanOut: FanOutOptions, json: Bool,
                    retrying: RecordedRun? = nil, only: Set<String>? = nil, transaction: TransactionOption? = nil,
                    html: HTMLOption) async throws {
        let selector = try selection.selector()
        var options = fanOut.options(config: fleet.config)
        options.transactionMode = try transaction?.mode(retrying: retrying)
        options.arguments = Array(CommandLine.arguments.dropFirst())
        options.selector = selector
        options.retryOf = try retrying.map { try RunID(parsing: $0.id) }
        if case .rollback(let compensation) = command { options.compensates = try RunID(parsing: compensation.run) }
        // Tenant names are checked before any connection opens (SPEC §2);
        // then the shards connect while the migration files load.
        var targets = try await fleet.targets(selector)
        if let wanted = retrying?.retryTargets ?? only {
            targets = targets.filter { wanted.contains($0.id) }
        }
        let report = try await run(command, fleet: fleet, targets: targets, options: options, json: json, html: html)
        if !report.succeeded { throw ExitCode(1) }
    }

    /// Runs and prints the report; with `html`, also writes it as a page,
    /// also when a signal stopped the run.
    static func run(_ command: FleetCommand, fleet: Fleet, targets: [Target], options: FleetRunner.Options, json: Bool,
                    html: HTMLOption? = nil) async throws -> FleetReport {
        let width = targets.map { ReportText.width($0.id) }.max() ?? 0
        let replicaNames = Dictionary(targets.filter { !$0.replicas.isEmpty }.map { ($0.id, $0.replicas.map(\.name)) },
                                      uniquingKeysWith: { first, _ in first })
        let control = RunControl()
        let runner = FleetRunner(fleet: fleet, options: options, control: control)
        let progress = ProgressLine(enabled: Console.stderrIsTerminal && !json && !options.dryRun)
        if targets.isEmpty {
            Console.line("no targets selected", json: true)
        }
        let printed = PrintedTargets()
        let run = Task {
            try await runner.run(command, targets: targets) { event in
                progress.handle(event)
                if case .runStarted(let id, _) = event {
                    progress.print("run \(id)", toStderr: json)
                }
                if case .linted(let findings) = event {
                    // Once per migration, before any target's line; on stderr, also with --json.
                    let text = findings.map { LintText.finding($0, stderr: true) }
                        + ["lint: \(ReportText.count(findings.count, "error")) that nothing allows (\"lint\": \"warn\"); `shoal lint` lists them"]
                    progress.print(text.joined(separator: "\n"), toStderr: true)
                }
                if case .targetCommitted(let report) = event {
                    let line = ReplicaText.committed(report, waitingFor: replicaNames[report.target] ?? [], width: width)
                    progress.print(line, toStderr: json)
                }
                if case .targetFinished(let report) = event {
                    printed.insert(report.target)
                    progress.print(ReportText.line(report, width: width, command: command), toStderr: json)
                } else if case .rollingBack(let count) = event {
                    progress.print("a target failed: rolling back \(ReportText.count(count, "target")) this run changed", toStderr: true)
                }
            }
        }
        let trap = SignalTrap(control: control) { run.cancel() }
        defer { trap.remove() }
        let outcome = await run.result
        progress.finish()  // also writes any lines still held back
        let report = try outcome.get()
        // Targets that never started (after a signal, `--on-error stop`, a
        // failed database they run after) are skipped without an event.
        Console.lines(printed.missing(from: report.targets).map { ReportText.line($0, width: width, command: command) }, json: json)
        if json {
            try Console.json(streaming: { try report.writeJSON(to: $0) })
        }
        Console.line(ReportText.summary(report), json: json)
        try html?.write(report, title: HTMLOption.title(of: command))
        if let signal = trap.signal {
            throw ExitCode(SignalTrap.exitStatus(for: signal))
        }
        return report
    }
}

/// The targets whose line was printed while the run went.
private final class PrintedTargets: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: Set<String> = []

    func insert(_ id: String) { lock.withLock { _ = ids.insert(id) } }
    /// The reports whose line was not printed, in order.
    func missing(from reports: [TargetReport]) -> [TargetReport] {
        lock.withLock { reports.filter { !ids.contains($0.target) } }
    }
}

/// The text form of reports.
enum ReportText {
    /// `text` with spaces added up to `width` characters (never cut).
    static func padded(_ text: String, to width: Int) -> String {
        let count = self.width(text)
        return count >= width ? text : text + String(repeating: " ", count: width - count)
    }

    /// `text` padded with spaces to `width` columns, appended to `output`.
    static func pad(_ text: String, to width: Int, into output: inout String) {
        output += text
        let count = self.width(text)
        if count < width { output += String(repeating: " ", count: width - count) }
    }

    /// Columns `text` takes: its characters, counted byte by byte when it
    /// is ASCII, as every target id is (names are `[A-Za-z0-9_-]`).
    static func width(_ text: String) -> Int {
        text.utf8.allSatisfy { $0 < 0x80 } ? text.utf8.count : text.count
    }

    static func revisions(_ rows: [String]) -> String {
        rows.isEmpty ? "base" : rows.joined(separator: "+")
    }

    /// What stands for revisions that could not be read (an unreachable
    /// target): not `base`, which would say nothing is applied.
    static let unknownRevisions = "?"

    /// `from -> to` of a target's report.
    static func fromTo(_ report: TargetReport) -> String {
        guard report.revisionsKnown else { return "\(unknownRevisions) -> \(unknownRevisions)" }
        return "\(revisions(report.from)) -> \(revisions(report.to))"
    }

    /// `1 target`, `2 targets`.
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    static func line(_ report: TargetReport, width: Int, command: FleetCommand? = nil) -> String {
        let id = padded(report.target, to: width)
        var parts = [id]
        switch report.status {
        case .planned:
            let steps = report.planned ?? []
            parts.append(fromTo(report))
            if case .stamp = command {
                // No SQL runs: only the version table changes.
                parts.append("would set the version table to \(revisions(report.to)), running no SQL")
            } else {
                parts.append("would apply \(steps.count): \(steps.joined(separator: ", "))" + (stop(report).map { ", then stop \($0)" } ?? ""))
            }
            parts.append("dry run")
            return parts.joined(separator: "  ") + transactions(report)
        case .skipped:
            parts.append(Console.paint("skipped", .yellow))
            if let message = report.error?.message { parts.append(message) }
            return parts.joined(separator: "  ")
        default:
            parts.append(fromTo(report))
            parts.append("\(report.applied.count) applied")
            parts.append("\(report.durationMs) ms")
            let status = report.status.rawValue
            parts.append(report.succeeded ? Console.paint(status, .green) : Console.paint(status, .red))
            if let stop = stop(report) { parts.append("stopped \(stop)") }
        }
        var text = parts.joined(separator: "  ")
        if let error = report.error, report.status != .skipped {
            text += "\n    error: \(error.message)"
            if let revision = error.revision { text += "\n    revision: \(revision)" }
            if let state = error.sqlState { text += "\n    sqlstate: \(state)" }
        }
        return text + ReplicaText.lines(report.replicas)
    }

    /// A planned target's transactions, one line each, when one of them
    /// holds more than one step (`--transaction per-target`); else "", as
    /// each step would commit on its own.
    static func transactions(_ report: TargetReport) -> String {
        guard let groups = report.groups, groups.contains(where: { $0.count > 1 }) else { return "" }
        return groups.enumerated().map { "\n    transaction \($0 + 1): \($1.joined(separator: ", "))" }.joined()
    }

    /// `before contract <revision>` for a target that `--phase expand`
    /// stops before a contract migration.
    static func stop(_ report: TargetReport) -> String? {
        report.stoppedAt.map { "before contract \($0)" }
    }

    static func summary(_ report: FleetReport) -> String {
        let s = report.summary
        var text = "\(count(s.targets, "target")): \(s.ok) ok, \(s.failed) failed, \(s.skipped) skipped"
        if s.rolledBack > 0 { text += ", \(s.rolledBack) rolled back" }
        if s.replicaLag > 0 { text += ", \(s.replicaLag) replica-lag" }
        text += " in " + String(format: "%.1f s", Double(report.durationMs) / 1000)
        if report.dryRun { text += " (dry run: nothing changed)" }
        return text
    }
}
