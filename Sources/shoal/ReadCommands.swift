import ArgumentParser
import Foundation
import ShoalKit

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each target's revision(s), the heads, pending migrations and state.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectorOptions
    @Flag(name: .customLong("exit-code"), help: "Exit 1 when a target is not at head or an applied migration was edited.")
    var exitCode = false
    @Option(name: .long, help: "Targets read at once (default: config's concurrency).") var concurrency: Int?
    @OptionGroup var replica: ReplicaOption
    @OptionGroup var html: HTMLOption

    func validate() throws {
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        try html.checkWritable()
        let fleet = try global.loadFleet()
        let selector = try selection.selector()
        let concurrency = concurrency ?? fleet.config.concurrency
        // Tenant names are checked before any connection opens (SPEC §2);
        // then the primaries connect while the migration files load.
        let targets = try replica.targets(try await fleet.targets(selector))
        let statuses = try await FleetStatus(fleet: fleet, concurrency: concurrency)
            .status(of: targets, onReplica: replica.replica)
        if global.json {
            try Console.json(streaming: { try StatusDocument(targets: statuses).writeJSON(to: $0) })
        } else {
            let width = targets.map { ReportText.width($0.id) }.max() ?? 0
            // One text for the whole table (10,000 lines are one write).
            var table = ""
            table.reserveCapacity(statuses.count * (width + 40))
            let upToDate = "  " + Console.paint("up-to-date", .green)
            for status in statuses {
                ReportText.pad(status.target, to: width, into: &table)
                table += "  "
                table += status.state == .unreachable ? ReportText.unknownRevisions : ReportText.revisions(status.current)
                switch status.state {
                case .upToDate: table += upToDate
                case .behind: table += "  " + Console.paint("behind", .yellow) + Self.pending(status)
                case .uninitialized: table += "  " + Console.paint("uninitialized", .yellow) + Self.pending(status)
                case .inProgress: table += "  " + Console.paint("in-progress", .yellow)
                default: table += "  " + Console.paint(status.state.rawValue, .red)
                }
                if let message = status.message { table += "\n    \(message)" }
                if !status.modified.isEmpty {
                    let list = status.modified.joined(separator: ", ")
                    table += "\n    " + Console.paint("modified", .red) + ": \(list) "
                        + (status.modified.count == 1 ? "was" : "were") + " edited after being applied (`shoal verify` shows the checksums)"
                }
                if !status.replicas.isEmpty { table += ReplicaText.lines(status.replicas) }
                table += "\n"
            }
            var counts: [String: Int] = [:]
            for status in statuses { counts[status.state.rawValue, default: 0] += 1 }
            let parts = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            table += ReportText.count(statuses.count, "target") + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
            let modified = statuses.count { !$0.modified.isEmpty }
            if modified > 0 { table += "; \(modified) with edited migrations" }
            table += "\n"
            Console.write(table, toStderr: false)
        }
        try html.write(StatusDocument(targets: statuses), title: "shoal status")
        if exitCode && statuses.contains(where: { $0.state != .upToDate || !$0.modified.isEmpty }) { throw ExitCode(1) }
    }

    /// ` (3 pending)`, or ` (3 pending, 2 of them contract)` when some are
    /// `contract` migrations (what `upgrade --phase expand` leaves).
    static func pending(_ status: TargetStatus) -> String {
        status.pendingContract == 0 ? " (\(status.pending) pending)"
            : " (\(status.pending) pending, \(status.pendingContract) of them contract)"
    }
}

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the applied history read from each target's database, newest first.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectorOptions
    @Option(name: .long, help: "At most N entries per target.") var limit: Int?
    @OptionGroup var replica: ReplicaOption

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let fleet = try global.loadFleet()
        let selector = try selection.selector()
        // Tenant names are checked before any connection opens (SPEC §2);
        // then the primaries connect while the migration files load.
        let targets = try replica.targets(try await fleet.targets(selector))
        let histories = await FleetHistory(fleet: fleet, concurrency: fleet.config.concurrency)
            .history(of: targets, limit: limit, onReplica: replica.replica)
        if global.json {
            try Console.json(["targets": histories])
        } else {
            // One write for the whole listing (1,000 targets are one system call, not 2,000).
            var lines: [String] = []
            for history in histories {
                lines.append(history.target)
                if let error = history.error {
                    lines.append("  " + Console.paint("error: ", .red) + error)
                } else if history.entries.isEmpty {
                    lines.append("  (no history)")
                }
                for entry in history.entries {
                    let operation = ReportText.padded(entry.operation.rawValue, to: 9)
                    let run = entry.runID.map { "  run \($0)" } ?? ""
                    lines.append("  \(entry.appliedAt)  \(operation)  \(entry.revision)  \(entry.durationMs) ms  \(entry.appliedBy)\(run)")
                }
            }
            Console.lines(lines, json: false)
        }
        if histories.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }
}

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare applied checksums with the files: modified, missing and unknown revisions.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectorOptions

    func run() async throws {
        let fleet = try global.loadFleet()
        let selector = try selection.selector()
        // Tenant names are checked before any connection opens (SPEC §2);
        // then the shards connect while the migration files load.
        let targets = try await fleet.targets(selector)
        let results = try await FleetVerifier(fleet: fleet, concurrency: fleet.config.concurrency).verify(targets)
        let problems = results.filter(\.hasProblems)
        if global.json {
            try Console.json(VerifyReport(ok: problems.isEmpty, targets: results))
        }
        let width = targets.map(\.id.count).max() ?? 0
        // One write for the whole report.
        var lines: [String] = []
        lines.reserveCapacity(results.count + 1)
        for result in results {
            var line = ReportText.padded(result.target, to: width) + "  "
            line += result.hasProblems ? Console.paint(result.status, .red) : Console.paint(result.status, .green)
            for modified in result.modified {
                line += "\n    modified: \(modified.revision) (\(modified.file)): applied \(modified.appliedChecksum.prefix(12)), file now \(modified.fileChecksum.prefix(12))"
            }
            for revision in result.missing { line += "\n    missing: \(revision) was applied but its file is gone" }
            for revision in result.unknown { line += "\n    unknown: the version table holds \(revision), which no file has" }
            if let error = result.error { line += "\n    error: \(error)" }
            lines.append(line)
        }
        lines.append("\(ReportText.count(results.count, "target")): \(results.count - problems.count) ok, \(problems.count) with problems")
        Console.lines(lines, json: global.json)
        if !problems.isEmpty { throw ExitCode(1) }
    }

    struct VerifyReport: Encodable {
        var ok: Bool
        var targets: [TargetVerification]
    }
}
