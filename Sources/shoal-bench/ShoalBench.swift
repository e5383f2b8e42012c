import ArgumentParser
import Foundation
import ShoalKit

/// `shoal-bench`: measures shoal against a raw sqlite3/libpq baseline doing
/// the same work (issue 5). `scripts/bench` builds it, starts PostgreSQL and
/// runs `shoal-bench run`.
@main
struct ShoalBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shoal-bench",
        abstract: "Measure shoal against a raw sqlite3/libpq baseline doing the same work.",
        subcommands: [RunCommand.self, RawCommand.self, GenerateCommand.self, NeedsPostgresCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// The sizes and selection shared by `run` and `needs-postgres`.
struct WorkloadOptions: ParsableArguments {
    @Option(help: "Workloads to run, comma-separated: W1,W1T,W2,W2T,W3,W4,W5,W6,W7,W8,W9,W11,G1,G2 (default: all; W1' is W1T).")
    var only: String?

    @Option(help: "Tenants of every selected workload (default: W1, W1T, W2 and W2T 200, W3 64, W4, W6, W7 and W9 1000, W5 and W11 10000); for G1 and G2 the largest fleet (default 100000 and 10000), the others each a tenth of the next.")
    var tenants: Int?

    @Option(help: "Migrations of every workload but W3 (which always has one).")
    var migrations: Int = 20

    @Option(help: "shoal's --concurrency and the baseline's threads (default: W3 32, others 8).")
    var concurrency: Int?

    @Option(name: .customLong("repeat"), help: "Runs of each measurement; the median is reported.")
    var repeats: Int = 1

    func validate() throws {
        if let tenants, tenants < 1 { throw ValidationError("--tenants must be at least 1") }
        if migrations < 1 { throw ValidationError("--migrations must be at least 1") }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if repeats < 1 { throw ValidationError("--repeat must be at least 1") }
        do { _ = try workloads() } catch { throw ValidationError("\(error)") }
    }

    func workloads() throws -> [WorkloadID] {
        try only.map(WorkloadID.parseList) ?? WorkloadID.allCases
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the workloads and print workload | concurrency | shoal s | raw s | ratio | peak MB | target | result.")

    @OptionGroup var workload: WorkloadOptions

    @Option(help: "The shoal binary to measure.")
    var shoal = ".build/release/shoal"

    @Option(help: "libpq URL of a throwaway server's maintenance database (W2-W4, W6, W7, W9 create and drop databases on it).")
    var pgURL: String?

    @Option(help: "Also write the results as JSON to this file.")
    var out: String?

    @Option(help: "Scratch directory (default: a new one under /tmp, removed afterwards).")
    var workDir: String?

    @Flag(help: "Keep the scratch directory (fleets and the children's output).")
    var keep = false

    func run() throws {
        let workloads = try workload.workloads()
        let shoal = absolute(shoal)
        guard FileManager.default.isExecutableFile(atPath: shoal) else {
            throw ValidationError("no shoal binary at \(shoal): build it with swift build -c release")
        }
        let created = workDir == nil
        let directory = try workDir ?? makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer {
            if created && !keep { try? FileManager.default.removeItem(atPath: directory) }
        }

        let started = Date()
        let loadBefore = Report.loadAverage()
        let clockStart = ProcessTimer.monotonicSeconds()
        log("workloads \(workloads.map(\.rawValue).joined(separator: ",")), \(workload.repeats) run(s) each, "
            + "scratch \(directory), load \(Report.number(loadBefore))")
        let bench = executablePath()
        let helper = (bench as NSString).deletingLastPathComponent + "/bench-spawn"
        guard FileManager.default.isExecutableFile(atPath: helper) else {
            throw ValidationError("no \(helper): build it with swift build -c release")
        }
        let runner = BenchRunner(settings: .init(
            workloads: workloads, tenants: workload.tenants, migrations: workload.migrations,
            concurrency: workload.concurrency, repeats: workload.repeats, shoal: shoal,
            bench: bench, timer: ProcessTimer(helper: helper), postgres: pgURL.map(PostgresServer.init(maintenanceURL:)), workDirectory: directory,
            keep: keep))
        let results = runner.run()

        let report = BenchReport(
            startedAt: started.formatted(Date.ISO8601FormatStyle()), durationSeconds: ProcessTimer.monotonicSeconds() - clockStart,
            host: ProcessInfo.processInfo.hostName, cores: ProcessInfo.processInfo.activeProcessorCount,
            loadBefore: loadBefore, loadAfter: Report.loadAverage(), repeats: workload.repeats, shoal: shoal,
            results: results, growth: GrowthResult.summarise(results))
        print(Report.table(results))
        if !report.growth.isEmpty { print("\n" + GrowthResult.table(report.growth)) }
        print("\n\(report.cores) cores, load \(Report.number(loadBefore)) before and \(Report.number(report.loadAfter)) after; "
              + "medians of \(workload.repeats) run(s); \(Report.number(report.durationSeconds, digits: 0)) s in all.")
        if let out {
            try Report.write(report, to: out)
            print("JSON: \(out)")
        }
        if results.contains(where: { $0.error != nil }) { throw ExitCode(2) }
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    private func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/shoal-bench.XXXXXX".utf8CString)
        guard let path = mkdtemp(&template) else { throw BenchError("mkdtemp failed") }
        return String(cString: path)
    }

    /// This executable, for spawning the raw baseline.
    private func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? absolute(CommandLine.arguments[0])
    }
}

/// The raw baseline, run by `run` as a child process so that it is timed and
/// measured exactly as shoal is.
struct RawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw",
        abstract: "Run the raw baseline of one workload (run starts it; prints one JSON line).")

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        /// Apply the migrations to every tenant file (W1, W1T).
        case sqliteApply = "sqlite-apply"
        /// Read every tenant file's version (W5).
        case sqliteRead = "sqlite-read"
        /// Apply the migrations to every tenant schema of one database (W2, W2T, W3).
        case pgApply = "pg-apply"
        /// Read every tenant schema's state, history or description, one connection per shard (W4, W6, W7, W9).
        case pgRead = "pg-read"
        /// Read every migration file of a versions folder (W8).
        case readFiles = "read-files"
    }

    @Argument(help: "sqlite-apply, sqlite-read, pg-apply, pg-read or read-files.") var mode: Mode
    @Option(help: "Fleet directory (SQLite).") var dir: String?
    @Option(help: "PostgreSQL URL; one per shard for pg-read, tenant i on shard i mod count.") var url: [String] = []
    @Option var tenants: Int
    @Option var migrations = 20
    @Option(help: "standard or sleep.") var set = MigrationSet.standard
    @Option var concurrency = 8
    @Option(help: "sqlite-apply, pg-apply: a commit per migration (per-step) or per target (per-target).")
    var transaction = TransactionMode.perStep
    @Option(help: "pg-read: status or plan (versions, dirty marks, history checksums), verify (versions, history), history (each newest history row).")
    var read = RawRead.status

    func run() throws {
        let names = Fleets.tenants(tenants)
        let dialect: Dialect = mode == .sqliteApply || mode == .sqliteRead ? .sqlite : .postgres
        let list = set.migrations(count: migrations, dialect: dialect)
        let outcome: RawBaseline.Outcome
        switch mode {
        case .sqliteApply:
            outcome = try RawBaseline.applySQLiteFleet(directory: try directory(), tenants: names, migrations: list, threads: concurrency,
                                                       transaction: transaction)
        case .sqliteRead:
            outcome = try RawBaseline.readSQLiteFleet(directory: try directory(), tenants: names, migrations: list,
                                                      threads: concurrency)
        case .pgApply:
            outcome = try RawBaseline.applyPostgresFleet(url: try singleURL(), tenants: names, migrations: list, threads: concurrency,
                                                         transaction: transaction)
        case .pgRead:
            guard !url.isEmpty else { throw ValidationError("pg-read needs --url (one per shard)") }
            outcome = try RawBaseline.readPostgresFleet(urls: url, tenants: names, read: read, migrations: list)
        case .readFiles:
            outcome = try RawBaseline.readFiles(directory: try directory())
        }
        let data = try JSONEncoder().encode(outcome)
        print(String(decoding: data, as: UTF8.self))
    }

    private func directory() throws -> String {
        guard let dir else { throw ValidationError("\(mode.rawValue) needs --dir") }
        return dir
    }

    private func singleURL() throws -> String {
        guard url.count == 1 else { throw ValidationError("\(mode.rawValue) needs exactly one --url") }
        return url[0]
    }
}

extension MigrationSet: ExpressibleByArgument {}
extension RawRead: ExpressibleByArgument {}
extension TransactionMode: ExpressibleByArgument {}

/// For scripts/bench: prints `yes` when a selected workload needs PostgreSQL.
struct NeedsPostgresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "needs-postgres",
        abstract: "Print yes when the selected workloads need a PostgreSQL server, else no.",
        shouldDisplay: false)

    @OptionGroup var workload: WorkloadOptions
    @Option var pgURL: String?
    @Option var out: String?
    @Option var workDir: String?
    @Option var shoal: String?
    @Flag var keep = false

    func run() throws {
        print(try workload.workloads().contains(where: \.needsPostgres) ? "yes" : "no")
    }
}
