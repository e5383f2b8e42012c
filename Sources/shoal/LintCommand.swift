import ArgumentParser
import Foundation
import ShoalKit

/// `shoal lint` (SPEC §9.1): dangerous statements in `up` sections, by
/// rule. It reads files only and never connects to a database.
struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Find statements in up sections that would block or break a running application.",
        discussion: """
        Reads the up sections of the migration files (never down) and reports each
        finding as file:line, with the safe pattern. Exit 1 when an error is not
        allowed (with --strict, a warning too), 0 otherwise, 2 for bad input.
        Allow a rule for one statement with a comment directly above it,
        `-- shoal:allow RULE[,RULE] reason`, or for a migration with the header
        `-- allow: RULE ...`. In a `-- phase: contract` migration, rename, drop and
        column-type-change are warnings. Rules (docs/lint.md):
        \(LintRule.allCases.filter { !$0.isObserved }.map { "  \($0.id) [\($0.severity.rawValue)]" }.joined(separator: "\n"))
        """)

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("db"), help: "Only this database (repeatable).") var databases: [String] = []
    @Option(name: .long, help: ArgumentHelp("Only the revisions that are neither REV nor its ancestors: what a branch adds on top of REV.",
                                            valueName: "rev"))
    var since: String?
    @Flag(name: .long, help: "Warnings fail too (exit 1).") var strict = false
    @Flag(name: .long, help: ArgumentHelp(
        "PostgreSQL databases: also apply the migrations to a scratch database and watch each statement's locks, rewrites and scans (docs/lint-observe.md).",
        discussion: "The scratch database (shoal_scratch_<random>) is created on the server of the database's first target, or on its scratch_url, and always dropped."))
    var observe = false

    struct Report: Encodable {
        var findings: [LintFinding]
        var summary: LintSummary
        /// `--observe`: every statement observed, finding or not.
        var statements: [StatementObservation]?
    }

    func run() async throws {
        // Only --observe connects, and needs the connection settings.
        let fleet = try global.loadFleet(resolvingConnections: observe)
        let selected = try databases.isEmpty ? fleet.config.databases : databases.map { try fleet.database($0) }
        if since != nil && selected.count > 1 {
            throw ShoalError(.usage, "--since names a revision of one database: add --db NAME (databases: \(selected.map(\.name).joined(separator: ", ")))")
        }
        // Every file is read and every revision resolved before anything is printed or observed.
        var findings: [LintFinding] = []
        var migrations = 0
        var toObserve: [(DatabaseConfig, RevisionGraph, Set<String>?)] = []
        for db in selected {
            let graph = try fleet.graph(for: db)
            let selection = try since.map { Linter.selection(since: try graph.resolve($0), in: graph) }
            migrations += selection?.count ?? graph.count
            findings += Linter.lint(database: db.name, driver: db.driver, migrations: graph.migrations,
                                    selection: selection, displayPath: { LintText.path($0.path) })
            if observe && db.driver == .postgres { toObserve.append((db, graph, selection)) }
        }
        var statements: [StatementObservation]?
        if observe {
            let observation = try await Self.observe(toObserve, fleet: fleet)
            findings += observation.findings
            statements = observation.statements
        }
        let summary = LintSummary(migrations: migrations, findings: findings)
        if global.json {
            try Console.json(Report(findings: findings, summary: summary, statements: statements))
        }
        Console.lines(findings.map { LintText.finding($0, stderr: global.json) } + [LintText.summary(summary)], json: global.json)
        if findings.contains(where: { $0.fails(strict: strict) }) { throw ExitCode(1) }
    }
}

extension LintCommand {
    /// Observes each database on a scratch database of its own, one after
    /// the other; a SIGINT or SIGTERM cancels at once (the scratch database
    /// is dropped all the same) and exits 130 or 143.
    static func observe(_ databases: [(DatabaseConfig, RevisionGraph, Set<String>?)], fleet: Fleet) async throws -> LintObservation {
        let observer = LintObserver(fleet: fleet)
        return try await SignalTrap.cancellingOnSignal {
            var all = LintObservation(statements: [], findings: [])
            for (database, graph, selection) in databases {
                let observation = try await observer.observe(database, graph: graph, selection: selection,
                                                             displayPath: { LintText.path($0.path) })
                all.statements += observation.statements
                all.findings += observation.findings
            }
            return all
        }
    }
}

/// Lint findings as text: `file:line: severity rule: message` and an
/// indented `help:` line, as `shoal lint` (and `upgrade`'s lint warnings) print them.
enum LintText {
    /// `stderr`: the text goes to stderr (under `--json`), for colouring.
    static func finding(_ finding: LintFinding, stderr: Bool) -> String {
        let severity = finding.severity == .error ? Console.paint("error", .red, stderr: stderr)
            : Console.paint("warning", .yellow, stderr: stderr)
        return "\(finding.file):\(finding.line): \(severity) \(finding.rule.id)\(finding.allowed ? " (allowed)" : ""): "
            + "\(finding.message)\n  help: \(finding.help)"
    }

    /// `3 migrations linted: 1 error, 0 warnings, 1 allowed`.
    static func summary(_ summary: LintSummary) -> String {
        "\(ReportText.count(summary.migrations, "migration")) linted: \(ReportText.count(summary.errors, "error")), "
            + "\(ReportText.count(summary.warnings, "warning")), \(summary.allowed) allowed"
    }

    /// `path` relative to the current directory when it is inside it
    /// (`versions/app/…sql`, what an editor opens from a terminal), else as it is.
    static func path(_ path: String) -> String {
        FilePath.relative(path, to: FileManager.default.currentDirectoryPath)
    }
}
