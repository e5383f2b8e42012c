import ArgumentParser
import Foundation
import ShoalKit

/// `shoal drift` (SPEC §10.1): targets whose schema differs from their
/// peers' or from the files.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Find targets whose schema differs from their peers' or from the migration files.",
        discussion: """
        Groups the selected targets by database and current revision(s), reads each \
        schema from the catalog and compares it with the group's reference: the most \
        common schema (--against majority), or the schema the migration files build on a \
        scratch database (--against files). Drifted targets show `+ object` (only on the \
        target) and `- object` (missing on it). Exit 1 when a target is drifted or \
        ambiguous, 0 otherwise, 2 for bad input (docs/drift.md).
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectorOptions
    @Option(name: .long, help: ArgumentHelp("The reference: majority | files.", valueName: "reference"))
    var against = "majority"
    @Option(name: .long, help: "Targets read at once (default: config's concurrency).") var concurrency: Int?

    func validate() throws {
        if DriftReport.Against(rawValue: against) == nil {
            let allowed = DriftReport.Against.allCases.map(\.rawValue)
            let close = Suggestion.closest(to: against, in: allowed).map { " Did you mean `\($0)`?" } ?? ""
            throw ValidationError("--against must be `majority` or `files`, not `\(against)`.\(close)")
        }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let fleet = try global.loadFleet()
        let selector = try selection.selector()
        let reference = DriftReport.Against(rawValue: against) ?? .majority
        // Tenant names are checked before any connection opens (SPEC §2).
        let targets = try await fleet.targets(selector)
        let drift = FleetDrift(fleet: fleet, concurrency: concurrency ?? fleet.config.concurrency)
        // A SIGINT or SIGTERM cancels at once: the scratch databases of
        // `--against files` are dropped all the same (exit 130 or 143).
        let report = try await SignalTrap.cancellingOnSignal { try await drift.drift(of: targets, against: reference) }
        if global.json {
            try Console.json(report)
        }
        Console.write(DriftText.report(report, stderr: global.json), toStderr: global.json)
        if report.hasDrift { throw ExitCode(1) }
    }
}

/// `shoal drift`'s text: per group a line, then its targets that are not
/// `same` with their differences; the unreadable targets; a summary line.
enum DriftText {
    /// `stderr`: the text goes to stderr (under `--json`), for colouring.
    static func report(_ report: DriftReport, stderr: Bool) -> String {
        var text = ""
        var byGroup: [GroupKey: [TargetDrift]] = [:]
        var unread: [TargetDrift] = []
        for target in report.targets {
            switch target.state {
            case .uninitialized, .unreachable: unread.append(target)
            default: byGroup[GroupKey(database: target.database, revisions: target.revisions), default: []].append(target)
            }
        }
        for group in report.groups {
            let reference = group.fingerprint ?? "none"
            text += "\(group.database) at \(ReportText.revisions(group.revisions))  reference \(reference)  "
                + ReportText.count(group.targets, "target") + "\n"
            if let message = group.message { text += "  " + message + "\n" }
            for target in byGroup[GroupKey(database: group.database, revisions: group.revisions)] ?? [] where target.state != .same {
                text += line(target, stderr: stderr)
                for change in target.diff { text += "      " + change + "\n" }
            }
        }
        for target in unread {
            text += line(target, stderr: stderr)
            if let message = target.message { text += "      " + message + "\n" }
        }
        let summary = report.summary
        text += ReportText.count(summary.targets, "target") + ": \(summary.same) same, \(summary.drifted) drifted, "
            + "\(summary.ambiguous) ambiguous, \(summary.uninitialized) uninitialized, \(summary.unreachable) unreachable\n"
        return text
    }

    /// `  app/acme  drifted  3f9c0a1b2c3d`.
    private static func line(_ target: TargetDrift, stderr: Bool) -> String {
        let color: Console.Color = target.state == .drifted || target.state == .unreachable ? .red : .yellow
        return "  \(target.target)  " + Console.paint(target.state.rawValue, color, stderr: stderr)
            + (target.fingerprint.map { "  \($0)" } ?? "") + "\n"
    }

    private struct GroupKey: Hashable {
        var database: String
        var revisions: [String]
    }
}
