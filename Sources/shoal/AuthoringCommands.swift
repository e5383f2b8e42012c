import ArgumentParser
import Foundation
import ShoalKit

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a demo fleet (config.json, versions/, tenants/) into DIR; never overwrites.")

    @Argument(help: "Folder to write into (default: the current folder).") var directory: String = "."
    @Flag(name: .long, help: "Print the written paths as JSON.") var json = false

    func run() async throws {
        let paths = try DemoInstaller.install(into: directory)
        if json {
            try Console.json(["written": paths])
        } else {
            for path in paths { Console.line("wrote \(path)", json: false) }
            Console.line("next: cd \(directory) && shoal upgrade", json: false)
        }
    }
}

struct RevisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revision",
        abstract: "Create a migration file whose parents are the current head(s); print its path.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("db"), help: "Database (optional when the config has one).") var database: String?
    @Option(name: .shortAndLong, help: "What the migration does.") var message: String
    @Option(name: .customLong("parent"), help: "Parent revision instead of the heads (repeatable).") var parents: [String] = []
    @Flag(name: .customLong("no-transaction"), help: "Run outside a transaction (CREATE INDEX CONCURRENTLY).") var noTransaction = false
    @Option(name: .long, help: "Write a `-- phase:` header: expand or contract.") var phase: String?

    func validate() throws {
        _ = try PhaseArgument.parse(phase)
    }

    func run() async throws {
        let fleet = try global.loadFleet(resolvingConnections: false)
        let db = try fleet.database(database)
        let graph = try RevisionWriter.graphForNewRevision(db)
        let parents = parents.isEmpty ? graph.heads : try parents.map(graph.resolve)
        let path = try RevisionWriter.create(in: db, message: message, parents: parents, transactional: !noTransaction,
                                             phase: PhaseArgument.parse(phase))
        if global.json { try Console.json(["path": path]) } else { Console.line(path, json: false) }
    }
}

struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Create a revision whose parents are the given revisions (default: all heads).")

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("db"), help: "Database (optional when the config has one).") var database: String?
    @Option(name: .shortAndLong, help: "What the merge does.") var message: String
    @Argument(help: "Revisions to merge (default: every head).") var revisions: [String] = []

    func run() async throws {
        let fleet = try global.loadFleet(resolvingConnections: false)
        let db = try fleet.database(database)
        let graph = try fleet.graph(for: db)
        var parents: [String] = []
        for revision in try (revisions.isEmpty ? graph.heads : revisions.map(graph.resolve)) where !parents.contains(revision) {
            parents.append(revision)
        }
        guard parents.count >= 2 else {
            throw ShoalError(.usage, "nothing to merge in \(db.name): \(parents.count == 1 ? "there is one head, \(parents[0])" : "no revisions"); a merge needs two or more")
        }
        let path = try RevisionWriter.create(in: db, message: message, parents: parents, transactional: true)
        if global.json { try Console.json(["path": path]) } else { Console.line(path, json: false) }
    }
}

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the config and every versions directory.",
        discussion: "Parse errors, duplicate ids, unknown parents and cycles exit 2 (the files cannot be used); several heads exit 1 (legal on disk, but `upgrade head` refuses until you merge). An empty down section under a non-empty up is a warning; the exit code stays. Lint errors that nothing allows are counted in a hint line (`shoal lint` lists them); the exit code stays. It never connects: tenant registries are checked, tenant queries are not run, and the URL variables may be unset.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("db"), help: "Only this database (repeatable).") var databases: [String] = []

    struct DatabaseCheck: Encodable {
        var database: String
        var revisions: Int
        var heads: [String]
        var problems: [String]
        var warnings: [Warning]
        /// Lint errors that no comment or header allows (`shoal lint` lists them); they do not fail check.
        var lintErrors: Int

        enum CodingKeys: String, CodingKey {
            case database, revisions, heads, problems, warnings, lintErrors = "lint_errors"
        }
    }

    /// Something legal but rarely meant, in one migration file.
    struct Warning: Encodable {
        var revision: String
        var file: String
        var message: String
    }

    func run() async throws {
        let fleet = try global.loadFleet(resolvingConnections: false)
        let selected = try databases.isEmpty ? fleet.config.databases : databases.map { try fleet.database($0) }
        var checks: [DatabaseCheck] = []
        for db in selected {
            let graph = try fleet.graph(for: db)
            // A registry is a file and is checked; a tenant query is not run: check never connects.
            if case .registry(let path) = db.tenants { _ = try TenantRegistry.load(path: path, database: db) }
            var problems: [String] = []
            if graph.heads.count > 1 {
                problems.append("\(graph.heads.count) heads (\(graph.heads.joined(separator: ", "))): run `shoal merge --db \(db.name) -m \"merge\"` so that `upgrade head` knows where to go")
            }
            let warnings = graph.migrations.filter(\.hasEmptyDown).map { migration in
                Warning(revision: migration.revision, file: migration.path,
                        message: "the down section is empty: a downgrade through \(migration.revision) would only change the version table, not undo its up section; write the SQL that undoes it, or remove the `-- shoal:down` line so that such a downgrade is refused")
            }
            let lint = LintSummary(migrations: graph.count,
                                   findings: Linter.lint(database: db.name, driver: db.driver, migrations: graph.migrations))
            checks.append(DatabaseCheck(database: db.name, revisions: graph.migrations.count, heads: graph.heads,
                                        problems: problems, warnings: warnings, lintErrors: lint.errors))
        }
        let ok = checks.allSatisfy { $0.problems.isEmpty }
        if global.json {
            try Console.json(CheckReport(ok: ok, config: fleet.config.file ?? "", databases: checks))
        }
        for check in checks {
            var line = "\(check.database): \(check.revisions) revision\(check.revisions == 1 ? "" : "s"), head \(check.heads.joined(separator: ", "))"
            for problem in check.problems { line += "\n  " + Console.paint("problem: ", .red) + problem }
            for warning in check.warnings {
                line += "\n  " + Console.paint("warning: ", .yellow) + "\(warning.file) (\(warning.revision)): \(warning.message)"
            }
            if check.lintErrors > 0 {
                line += "\n  hint: \(ReportText.count(check.lintErrors, "lint error")); `shoal lint --db \(check.database)` lists them"
            }
            Console.line(line, json: global.json)
        }
        let warnings = checks.reduce(0) { $0 + $1.warnings.count }
        Console.line((ok ? "ok" : "problems found") + (warnings > 0 ? " (\(ReportText.count(warnings, "warning")))" : ""), json: global.json)
        if !ok { throw ExitCode(1) }
    }

    struct CheckReport: Encodable {
        var ok: Bool
        var config: String
        var databases: [DatabaseCheck]
    }
}

struct RevisionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revisions",
        abstract: "Show the revision graph, newest first, marking heads, merges, branch points and roots.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("db"), help: "Database (optional when the config has one).") var database: String?

    struct Entry: Encodable {
        var revision: String
        var parents: [String]
        var children: [String]
        var message: String?
        var head: Bool
        var merge: Bool
        var branchPoint: Bool
        var root: Bool
        var transactional: Bool
        var path: String
        enum CodingKeys: String, CodingKey {
            case revision, parents, children, message, head, merge, branchPoint = "branch_point", root, transactional, path
        }
    }

    func run() async throws {
        let fleet = try global.loadFleet(resolvingConnections: false)
        let db = try fleet.database(database)
        let graph = try fleet.graph(for: db)
        let heads = Set(graph.heads)
        let entries = graph.migrations.reversed().map { m in
            Entry(revision: m.revision, parents: m.parents, children: graph.children(of: m.revision), message: m.message,
                  head: heads.contains(m.revision), merge: m.isMerge, branchPoint: graph.isBranchPoint(m.revision),
                  root: m.parents.isEmpty, transactional: m.transactional, path: m.path)
        }
        if global.json {
            struct Document: Encodable { var database: String; var revisions: [Entry] }
            try Console.json(Document(database: db.name, revisions: entries))
            return
        }
        for entry in entries {
            var marks: [String] = []
            if entry.head { marks.append("head") }
            if entry.merge { marks.append("merge") }
            if entry.branchPoint { marks.append("branch point") }
            if entry.root { marks.append("root") }
            if !entry.transactional { marks.append("no transaction") }
            var line = entry.revision
            if !entry.parents.isEmpty { line += " <- " + entry.parents.joined(separator: ", ") }
            if !marks.isEmpty { line += " (" + marks.joined(separator: ", ") + ")" }
            if let message = entry.message { line += "  " + message }
            Console.line(line, json: false)
        }
    }
}

struct HeadsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "heads", abstract: "Show the current heads of a database's revision graph.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("db"), help: "Database (optional when the config has one).") var database: String?

    func run() async throws {
        let fleet = try global.loadFleet(resolvingConnections: false)
        let db = try fleet.database(database)
        let graph = try fleet.graph(for: db)
        if global.json {
            struct Head: Encodable { var revision: String; var message: String?; var path: String }
            struct Document: Encodable { var database: String; var heads: [Head] }
            try Console.json(Document(database: db.name, heads: graph.heads.map { h in
                let m = graph.migration(h)!
                return Head(revision: h, message: m.message, path: m.path)
            }))
            return
        }
        for head in graph.heads {
            Console.line("\(head) (head)  \(graph.migration(head)?.message ?? "")", json: false)
        }
    }
}
