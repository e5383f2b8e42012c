import Foundation
import ShoalKit
#if canImport(Glibc)
import Glibc
#endif

/// Runs the selected workloads: for each, generates the fleet, runs the shoal
/// binary and the raw baseline (this executable's `raw` subcommand) as child
/// processes the same way, K times, and checks that both did the whole job.
struct BenchRunner {
    struct Settings {
        var workloads: [WorkloadID]
        var tenants: Int?
        var migrations: Int
        var concurrency: Int?
        var repeats: Int
        /// The shoal binary.
        var shoal: String
        /// This executable, for the raw baseline's child processes.
        var bench: String
        /// Spawns and measures both.
        var timer: ProcessTimer
        var postgres: PostgresServer?
        /// Scratch space for fleets and logs.
        var workDirectory: String
        /// Leave every generated fleet in place (`--keep`).
        var keep = false
    }

    let settings: Settings

    func tenants(_ id: WorkloadID) -> Int { settings.tenants ?? id.defaultTenants }
    func concurrency(_ id: WorkloadID) -> Int { settings.concurrency ?? id.defaultConcurrency }

    func run() -> [WorkloadResult] {
        var results: [WorkloadResult] = []
        let onW4Fleet = settings.workloads.filter(\.usesW4Fleet)
        for id in settings.workloads {
            switch id {
            case .w1, .w1t: results.append(measure(id) { try w1(id) })
            case .w2, .w2t, .w3: results.append(measure(id) { try w2or3(id) })
            case .w4, .w6, .w7, .w9: if id == onW4Fleet.first { results.append(contentsOf: w4Fleet(onW4Fleet)) }
            case .w5: results.append(contentsOf: w5())
            case .w8: results.append(measure(id, w8))
            case .w11: results.append(measure(id, w11))
            case .g1, .g2: results.append(contentsOf: growth(id))
            }
        }
        return results
    }

    // MARK: - Workloads

    /// A workload ready to measure: its row, and one repetition.
    private struct Plan {
        var result: WorkloadResult
        var repetition: (Int) throws -> WorkloadResult.Run
        var cleanUp: () -> Void = {}
    }

    private func measure(_ id: WorkloadID, _ makePlan: () throws -> Plan) -> WorkloadResult {
        let plan: Plan
        do {
            plan = try makePlan()
        } catch {
            log("\(id.rawValue) setup: \(error)")
            return WorkloadResult(workload: id.rawValue, description: "setup failed", command: "", tenants: tenants(id),
                                  migrations: settings.migrations, concurrency: concurrency(id), raw: "", goal: Goal(),
                                  error: "setup: \(error)")
        }
        defer { plan.cleanUp() }
        return repeatRuns(plan.result, plan.repetition)
    }

    private func repeatRuns(_ row: WorkloadResult, _ repetition: (Int) throws -> WorkloadResult.Run) -> WorkloadResult {
        var result = row
        do {
            for index in 1...max(1, settings.repeats) {
                let run = try repetition(index)
                log("\(result.workload) \(result.command) \(index)/\(settings.repeats): shoal \(Report.number(run.shoal.seconds)) s "
                    + "(\(Report.number(run.shoal.peakMB, digits: 1)) MB), raw \(Report.number(run.raw.seconds)) s "
                    + "(\(Report.number(run.raw.peakMB, digits: 1)) MB)")
                result.runs.append(run)
            }
        } catch {
            result.error = "\(error)"
            log("\(result.workload): \(error)")
        }
        result.summarise()
        return result
    }

    /// The shoal command of an upgrade workload, and what its row says
    /// about the baseline's transactions.
    private func upgradeCommand(_ id: WorkloadID) -> (command: String, arguments: [String], rawCommits: String) {
        switch id.transactionMode {
        case .perStep: ("upgrade", ["upgrade"], "")
        case .perTarget: ("upgrade --transaction per-target", ["upgrade", "--transaction", "per-target"], ", a commit per target")
        }
    }

    /// W1 (200 SQLite tenants × 20 migrations) and W1T, the same with one
    /// transaction per tenant on both sides.
    private func w1(_ id: WorkloadID) throws -> Plan {
        let (n, m, c) = (tenants(id), settings.migrations, concurrency(id))
        let migrations = MigrationSet.standard.migrations(count: m, dialect: .sqlite)
        let upgrade = upgradeCommand(id)
        let row = WorkloadResult(workload: id.rawValue, description: "\(n) SQLite tenants × \(m) migrations",
                                 command: upgrade.command, tenants: n, migrations: m, concurrency: c,
                                 raw: "\(c) threads, sqlite3" + upgrade.rawCommits, goal: Goal())
        let label = id.rawValue
        return Plan(result: row) { index in
            try pair(index, shoal: {
                let directory = scratch("\(label)-\(index)-shoal")
                defer { remove(directory) }
                let config = try Fleets.write(to: directory, storage: .sqlite, tenantCount: n, migrations: migrations, concurrency: c)
                return try runShoal("\(label)-\(index)", upgrade.arguments + ["--config", config], expect: .applied(targets: n, each: m))
            }, raw: {
                let directory = scratch("\(label)-\(index)-raw")
                defer { remove(directory) }
                try Fleets.write(to: directory, storage: .sqlite, tenantCount: n, migrations: migrations, concurrency: c)
                return try runRaw("\(label)-\(index)", ["sqlite-apply", "--dir", directory, "--tenants", "\(n)",
                                                        "--migrations", "\(m)", "--concurrency", "\(c)",
                                                        "--transaction", id.transactionMode.rawValue],
                                  expect: .init(targets: n, applied: n * m))
            })
        }
    }

    /// W2 (20 realistic migrations on 200 schemas), W2T (the same with one
    /// transaction per schema on both sides) and W3 (one pg_sleep(0.2) on
    /// 64 schemas at 32).
    private func w2or3(_ id: WorkloadID) throws -> Plan {
        let postgres = try requirePostgres(id)
        let (n, c) = (tenants(id), concurrency(id))
        let set: MigrationSet = id == .w3 ? .sleep : .standard
        let m = id == .w3 ? 1 : settings.migrations
        let migrations = set.migrations(count: m, dialect: .postgres)
        let description = id == .w3
            ? "\(n) schemas × SELECT pg_sleep(0.2)"
            : "\(n) PostgreSQL schemas × \(m) migrations"
        let upgrade = upgradeCommand(id)
        let row = WorkloadResult(workload: id.rawValue, description: description, command: upgrade.command, tenants: n,
                                 migrations: m, concurrency: c, raw: "\(c) threads, a libpq connection each" + upgrade.rawCommits,
                                 goal: Goal())
        let label = id.rawValue.lowercased()
        return Plan(result: row) { index in
            try pair(index, shoal: {
                let database = "bench_\(label)_\(index)_shoal"
                try postgres.recreate(database)
                defer { try? postgres.drop(database) }
                let config = try Fleets.write(to: scratch("\(id.rawValue)-\(index)-shoal"),
                                              storage: .postgres(url: postgres.url(database: database)),
                                              tenantCount: n, migrations: migrations, concurrency: c)
                return try runShoal("\(id.rawValue)-\(index)", upgrade.arguments + ["--config", config],
                                    expect: .applied(targets: n, each: m))
            }, raw: {
                let database = "bench_\(label)_\(index)_raw"
                try postgres.recreate(database)
                defer { try? postgres.drop(database) }
                return try runRaw("\(id.rawValue)-\(index)", [
                    "pg-apply", "--url", postgres.url(database: database), "--tenants", "\(n)",
                    "--migrations", "\(m)", "--set", set.rawValue, "--concurrency", "\(c)",
                    "--transaction", id.transactionMode.rawValue,
                ], expect: .init(targets: n, applied: n * m))
            })
        }
    }

    /// The workloads on one fleet of schemas at head on two shards
    /// (databases of one server), set up once by the raw baseline: W4's two
    /// rows, `status` and a no-op `upgrade`; W6, `verify`; W7, `history --limit 1`;
    /// W9, `drift` (its schemas then also get a few tables each).
    private func w4Fleet(_ ids: [WorkloadID]) -> [WorkloadResult] {
        let (n, m, c) = (tenants(.w4), settings.migrations, concurrency(.w4))
        let raw = "1 connection per shard, UNION ALL per 25 tenants"
        func row(_ id: WorkloadID, _ command: String, _ description: String, _ goal: Goal) -> WorkloadResult {
            WorkloadResult(workload: id.rawValue, description: description, command: command, tenants: n, migrations: m,
                           concurrency: c, raw: raw, goal: goal)
        }
        var rows: [WorkloadResult] = []
        if ids.contains(.w4) {
            rows.append(row(.w4, "status", "\(n) schemas at head on 2 shards", Goal(maxSeconds: 0.5)))
            rows.append(row(.w4, "upgrade", "no-op, \(n) schemas at head on 2 shards", Goal(maxSeconds: 0.5)))
        }
        if ids.contains(.w6) { rows.append(row(.w6, "verify", "\(n) schemas at head on 2 shards", Goal())) }
        if ids.contains(.w7) { rows.append(row(.w7, "history --limit 1", "\(n) schemas at head on 2 shards", Goal())) }
        if ids.contains(.w9) {
            var drift = row(.w9, "drift", "\(n) schemas at head on 2 shards, 2 tables, 4 indexes and a view each", Goal(maxSeconds: 1))
            drift.raw = "1 connection per shard: version rows per 25 tenants, then shoal's catalog query for all schemas"
            rows.append(drift)
        }

        let config: String
        let urls: [String]
        let migrations = MigrationSet.standard.migrations(count: m, dialect: .postgres)
        let head = migrations.last?.revision ?? ""
        let databases = Fleets.shardNames.map { "bench_w4_\($0)" }
        do {
            let postgres = try requirePostgres(.w4)
            urls = databases.map { postgres.url(database: $0) }
            let started = ProcessTimer.monotonicSeconds()
            for database in databases { try postgres.recreate(database) }
            config = try FleetSetup.postgresFleet(in: scratch("W4"), shards: urls, tenants: n, migrations: migrations, concurrency: c,
                                                  threads: 4, tables: ids.contains(.w9))
            log("W4 setup: \(n) schemas at head, vacuumed, in \(Report.number(ProcessTimer.monotonicSeconds() - started)) s (not measured)")
        } catch {
            return failedSetup(rows, error)
        }
        defer {
            if !settings.keep { for database in databases { try? settings.postgres?.drop(database) } }
        }
        func rawRead(_ label: String, _ read: RawRead) throws -> ProcessMeasurement {
            try runRaw(label, ["pg-read"] + urls.flatMap { ["--url", $0] }
                       + ["--tenants", "\(n)", "--migrations", "\(m)", "--read", read.rawValue],
                       expect: .init(targets: n, atHead: n))
        }
        return rows.map { row in
            // What shoal runs, what it must show, and what the baseline reads.
            let (label, arguments, expectation, read): (String, [String], ShoalExpectation, RawRead) = switch row.command {
            case "status": ("W4-status", ["status"], .status(targets: n), .status)
            case "upgrade": ("W4-upgrade", ["upgrade"], .applied(targets: n, each: 0), .plan)
            case "verify": ("W6-verify", ["verify"], .verified(targets: n), .verify)
            case "drift": ("W9-drift", ["drift"], .drift(targets: n), .drift)
            default: ("W7-history", ["history", "--limit", "1"], .history(targets: n, head: head), .history)
            }
            return repeatRuns(row) { index in
                try pair(index, shoal: {
                    try runShoal("\(label)-\(index)", arguments + ["--config", config], expect: expectation)
                }, raw: { try rawRead("\(label)-\(index)", read) })
            }
        }
    }

    /// W5: `status` of 10,000 SQLite tenants at head, and the same with
    /// `--html` (the page of SPEC §12 written after the report), against the
    /// same raw read: the second row is what the page costs.
    private func w5() -> [WorkloadResult] {
        let (n, m, c) = (tenants(.w5), settings.migrations, concurrency(.w5))
        let migrations = MigrationSet.standard.migrations(count: m, dialect: .sqlite)
        func row(_ command: String, _ description: String) -> WorkloadResult {
            WorkloadResult(workload: "W5", description: description, command: command, tenants: n, migrations: m,
                           concurrency: c, raw: "\(c) threads, each file opened read-only, one query",
                           goal: Goal(maxSeconds: 3, maxPeakMB: 150))
        }
        let rows = [row("status", "\(n) SQLite tenants at head"), row("status --html", "\(n) SQLite tenants at head, the page written too")]
        let directory = scratch("W5")
        defer { remove(directory) }
        let config: String
        do {
            let started = ProcessTimer.monotonicSeconds()
            let fleet = try FleetSetup.sqliteFleet(in: directory, tenants: n, migrations: migrations, concurrency: c)
            config = fleet.config
            log("W5 setup: \(n) SQLite files of \(fleet.fileSize / 1024) KiB at head in "
                + "\(Report.number(ProcessTimer.monotonicSeconds() - started)) s (not measured)")
        } catch {
            log("W5 setup: \(error)")
            return failedSetup(rows, error)
        }
        let page = (directory as NSString).appendingPathComponent("status.html")
        return rows.map { row in
            let html = row.command == "status --html" ? ["--html", page] : []
            let label = html.isEmpty ? "W5" : "W5-html"
            var result = repeatRuns(row) { index in
                try pair(index, shoal: {
                    try runShoal("\(label)-\(index)", ["status", "--config", config] + html, expect: .status(targets: n))
                }, raw: {
                    try runRaw("\(label)-\(index)", ["sqlite-read", "--dir", directory, "--tenants", "\(n)",
                                               "--migrations", "\(m)", "--concurrency", "\(c)"],
                               expect: .init(targets: n, atHead: n))
                })
            }
            if !html.isEmpty, let bytes = (try? FileManager.default.attributesOfItem(atPath: page))?[.size] as? Int {
                result.description += " (\(Report.number(Double(bytes) / 1_048_576, digits: 1)) MB)"
                log("W5 page: \(bytes) bytes")
            } else if !html.isEmpty, result.error == nil {
                result.error = "status --html wrote no page at \(page)"
            }
            return result
        }
    }

    /// G1 and G2 (issue 16's growth rows): `status` and a no-op `upgrade`
    /// over fleets at head of growing size (``WorkloadID/growthSizes(largest:)``),
    /// each against the raw read of the same fleet: G1 SQLite tenants copied
    /// from one template (as W5's), G2 schemas on 2 shards stamped by bulk
    /// SQL 250 per script (as W4's). Each size's fleet is made, measured and
    /// removed before the next (100,000 SQLite tenants take 11 GB). Only the
    /// largest size's rows have targets of their own (the ratio and 250 MB);
    /// ``GrowthResult`` sums up how time and memory grow.
    private func growth(_ id: WorkloadID) -> [WorkloadResult] {
        let sizes = id.growthSizes(largest: settings.tenants) ?? []
        let (m, c) = (settings.migrations, concurrency(id))
        var rows: [WorkloadResult] = []
        for n in sizes {
            let goal = n == sizes.last ? Goal(maxPeakMB: 250) : Goal(maxRatio: nil)
            let fleet = id == .g1 ? "\(n) SQLite tenants at head" : "\(n) schemas at head on 2 shards"
            let raw = id == .g1 ? "\(c) threads, each file opened read-only, one query"
                                : "1 connection per shard, UNION ALL per 25 tenants"
            let sized = ["status", "upgrade"].map { command in
                WorkloadResult(workload: id.rawValue, description: (command == "upgrade" ? "no-op, " : "") + fleet, command: command,
                               tenants: n, migrations: m, concurrency: c, raw: raw, goal: goal)
            }
            let label = "\(id.rawValue)-\(n)"
            var cleanUp: () -> Void = {}
            let read: (String, String) throws -> ProcessMeasurement
            let config: String
            do {
                let started = ProcessTimer.monotonicSeconds()
                if id == .g1 {
                    let migrations = MigrationSet.standard.migrations(count: m, dialect: .sqlite)
                    let directory = scratch(label)
                    cleanUp = { remove(directory) }
                    config = try FleetSetup.sqliteFleet(in: directory, tenants: n, migrations: migrations, concurrency: c).config
                    // 100,000 files are 11 GB of dirty pages: flushed during the
                    // first measured run, they slowed it by a third.
                    sync()
                    read = { run, _ in
                        try runRaw(run, ["sqlite-read", "--dir", directory, "--tenants", "\(n)", "--migrations", "\(m)",
                                         "--concurrency", "\(c)"], expect: .init(targets: n, atHead: n))
                    }
                } else {
                    let postgres = try requirePostgres(id)
                    let migrations = MigrationSet.standard.migrations(count: m, dialect: .postgres)
                    let databases = Fleets.shardNames.map { "bench_g2_\($0)" }
                    let urls = databases.map { postgres.url(database: $0) }
                    cleanUp = { if !settings.keep { for database in databases { try? postgres.drop(database) } } }
                    for database in databases { try postgres.recreate(database) }
                    config = try FleetSetup.postgresFleet(in: scratch(label), shards: urls, tenants: n, migrations: migrations,
                                                          concurrency: c, threads: 4, batch: 250)
                    read = { run, command in
                        try runRaw(run, ["pg-read"] + urls.flatMap { ["--url", $0] }
                                   + ["--tenants", "\(n)", "--migrations", "\(m)",
                                      "--read", (command == "upgrade" ? RawRead.plan : .status).rawValue],
                                   expect: .init(targets: n, atHead: n))
                    }
                }
                log("\(label) setup: \(fleet) in \(Report.number(ProcessTimer.monotonicSeconds() - started)) s (not measured)")
            } catch {
                log("\(label) setup: \(error)")
                cleanUp()
                rows += failedSetup(sized, error)
                continue
            }
            for row in sized {
                let expectation: ShoalExpectation = row.command == "status" ? .status(targets: n) : .applied(targets: n, each: 0)
                rows.append(repeatRuns(row) { index in
                    try pair(index, shoal: {
                        try runShoal("\(label)-\(row.command)-\(index)", [row.command, "--config", config], expect: expectation)
                    }, raw: { try read("\(label)-\(row.command)-\(index)", row.command) })
                })
            }
            cleanUp()
        }
        return rows
    }

    /// W11: `shoal serve` over W5's fleet: the first `/api/status` (start-up
    /// and one fleet read) against `shoal status --json` of the same fleet
    /// (the document it serves), then
    /// `/metrics` from the cached read (``ServeMeasurement``).
    private func w11() throws -> Plan {
        let (n, m, c) = (tenants(.w11), settings.migrations, concurrency(.w11))
        let migrations = MigrationSet.standard.migrations(count: m, dialect: .sqlite)
        let row = WorkloadResult(workload: "W11", description: "first /api/status of \(n) SQLite tenants at head", command: "serve",
                                 tenants: n, migrations: m, concurrency: c,
                                 raw: "shoal status --json of the same fleet", goal: Goal())
        let directory = scratch("W11")
        let config = try FleetSetup.sqliteFleet(in: directory, tenants: n, migrations: migrations, concurrency: c).config
        return Plan(result: row, repetition: { index in
            var metricsMs: Double?
            var run = try pair(index, shoal: {
                let (stdout, stderr) = logs("W11-\(index)-serve")
                let served = try ServeMeasurement.run(shoal: settings.shoal, config: config, targets: n, stdout: stdout, stderr: stderr)
                metricsMs = served.metricsMs
                return served.firstStatus
            }, raw: {
                try runShoal("W11-\(index)", ["status", "--json", "--config", config], expect: .statusDocument(targets: n))
            })
            run.metricsMs = metricsMs
            return run
        }, cleanUp: { remove(directory) })
    }

    /// W8: `shoal lint` over 1,000 migration files of a `postgres` database
    /// (every static rule applies; lint never connects), against reading the
    /// same files.
    private func w8() throws -> Plan {
        let count = WorkloadID.lintedFiles
        let migrations = MigrationSet.standard.migrations(count: count, dialect: .postgres)
        let row = WorkloadResult(workload: "W8", description: "\(count) migration files", command: "lint",
                                 tenants: 0, migrations: count, concurrency: 1,
                                 raw: "list the folder, read each file as UTF-8", goal: Goal(maxRatio: 10, maxSeconds: 0.5))
        let directory = scratch("W8")
        let config = try Fleets.write(to: directory, storage: .postgres(url: "postgres://nobody@127.0.0.1:1/never_connected"),
                                      tenantCount: 1, migrations: migrations, concurrency: 1)
        return Plan(result: row, repetition: { index in
            try pair(index, shoal: {
                try runShoal("W8-\(index)", ["lint", "--config", config], expect: .linted(migrations: count))
            }, raw: {
                try runRaw("W8-\(index)", ["read-files", "--dir", directory, "--tenants", "1"], expect: .init(targets: count))
            })
        }, cleanUp: { remove(directory) })
    }

    // MARK: - Running and checking the child processes

    /// Runs both measurements of repetition `index`: shoal first on odd
    /// repetitions, the baseline first on even ones, so that a machine
    /// warming up or getting busier does not favour one of them.
    private func pair(_ index: Int, shoal: () throws -> ProcessMeasurement,
                      raw: () throws -> ProcessMeasurement) throws -> WorkloadResult.Run {
        if index % 2 == 1 {
            let first = try shoal()
            return .init(shoal: first, raw: try raw())
        }
        let first = try raw()
        return .init(shoal: try shoal(), raw: first)
    }

    /// What shoal's text output must show for the run to count.
    enum ShoalExpectation {
        /// `upgrade`: every target ok with `each` migrations applied.
        case applied(targets: Int, each: Int)
        /// `status`: every target up-to-date.
        case status(targets: Int)
        /// `status --json`: the document lists every target up-to-date.
        case statusDocument(targets: Int)
        /// `verify`: every target ok.
        case verified(targets: Int)
        /// `history --limit 1`: every target's one entry the upgrade to `head`.
        case history(targets: Int, head: String)
        /// `drift`: every target the same as its peers.
        case drift(targets: Int)
        /// `lint`: every migration linted; exit 1 (findings) counts as done.
        case linted(migrations: Int)
    }

    private func runShoal(_ label: String, _ arguments: [String], expect: ShoalExpectation) throws -> ProcessMeasurement {
        let (stdout, stderr) = logs("\(label)-shoal")
        let measurement = try settings.timer.run([settings.shoal] + arguments, stdout: stdout, stderr: stderr)
        let output = (try? String(contentsOfFile: stdout, encoding: .utf8)) ?? ""
        func fail(_ why: String) -> BenchError {
            BenchError("shoal \(arguments.first ?? "") (\(label)) \(why); see \(stdout) and \(stderr)\n"
                       + tail(stderr) + tail(stdout))
        }
        let lintFound: Bool = if case .linted = expect { measurement.exitCode == 1 } else { false }
        guard measurement.exitCode == 0 || lintFound else {
            throw fail(measurement.exitCode.map { "exited with \($0)" } ?? "was killed by signal \(measurement.signal ?? 0)")
        }
        let lines = output.split(separator: "\n", omittingEmptySubsequences: true)
        let summary = lines.last.map(String.init) ?? ""
        switch expect {
        case .applied(let targets, let each):
            let plural = targets == 1 ? "target" : "targets"
            guard summary.hasPrefix("\(targets) \(plural): \(targets) ok, 0 failed, 0 skipped") else {
                throw fail("did not report \(targets) ok targets: \(summary)")
            }
            let done = lines.filter { $0.contains("  \(each) applied  ") }.count
            guard done == targets else { throw fail("reported \(done) targets with \(each) applied, not \(targets)") }
        case .status(let targets):
            let plural = targets == 1 ? "target" : "targets"
            guard summary == "\(targets) \(plural): \(targets) up-to-date" else {
                throw fail("did not report \(targets) up-to-date targets: \(summary)")
            }
        case .statusDocument(let targets):
            let document = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            let states = (document?["targets"] as? [[String: Any]])?.compactMap { $0["state"] as? String } ?? []
            guard states.count == targets, states.allSatisfy({ $0 == "up-to-date" }) else {
                throw fail("did not list \(targets) up-to-date targets (\(states.count) listed)")
            }
        case .verified(let targets):
            guard summary == "\(targets) targets: \(targets) ok, 0 with problems" else {
                throw fail("did not report \(targets) ok targets: \(summary)")
            }
        case .drift(let targets):
            guard summary == "\(targets) targets: \(targets) same, 0 drifted, 0 ambiguous, 0 uninitialized, 0 unreachable" else {
                throw fail("did not report \(targets) targets the same: \(summary)")
            }
        case .linted(let migrations):
            guard summary.hasPrefix("\(migrations) migrations linted: ") else {
                throw fail("did not report \(migrations) migrations linted: \(summary)")
            }
        case .history(let targets, let head):
            let entries = lines.filter { $0.hasPrefix("  ") && $0.contains("  upgrade    \(head)  ") }.count
            guard entries == targets, lines.count == 2 * targets else {
                throw fail("did not list one upgrade to \(head) for each of \(targets) targets (\(entries) of \(lines.count) lines)")
            }
        }
        return measurement
    }

    private func runRaw(_ label: String, _ arguments: [String], expect: RawBaseline.Outcome) throws -> ProcessMeasurement {
        let (stdout, stderr) = logs("\(label)-raw")
        let measurement = try settings.timer.run([settings.bench, "raw"] + arguments, stdout: stdout, stderr: stderr)
        let output = (try? Data(contentsOf: URL(fileURLWithPath: stdout))) ?? Data()
        guard measurement.exitCode == 0, let outcome = try? JSONDecoder().decode(RawBaseline.Outcome.self, from: output) else {
            throw BenchError("raw baseline (\(label)) failed; see \(stderr)\n" + tail(stderr))
        }
        guard outcome == expect else {
            throw BenchError("raw baseline (\(label)) did \(outcome), expected \(expect)")
        }
        return measurement
    }

    // MARK: - Helpers

    /// `rows`, each saying its fleet could not be set up.
    private func failedSetup(_ rows: [WorkloadResult], _ error: Error) -> [WorkloadResult] {
        rows.map { row in
            var row = row
            row.error = "setup: \(error)"
            return row
        }
    }

    private func requirePostgres(_ id: WorkloadID) throws -> PostgresServer {
        guard let postgres = settings.postgres else {
            throw BenchError("\(id.rawValue) needs PostgreSQL: pass --pg-url (scripts/bench starts a server)")
        }
        return postgres
    }

    /// A fresh directory under the work directory.
    private func scratch(_ name: String) -> String {
        let path = "\(settings.workDirectory)/\(name)"
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    private func remove(_ path: String) {
        guard !settings.keep else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    private func logs(_ name: String) -> (String, String) {
        let directory = "\(settings.workDirectory)/logs"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return ("\(directory)/\(name).out", "\(directory)/\(name).err")
    }

    private func tail(_ path: String, lines: Int = 8) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), !text.isEmpty else { return "" }
        return text.split(separator: "\n").suffix(lines).map { "    " + $0 }.joined(separator: "\n") + "\n"
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data("shoal-bench: \(message)\n".utf8))
}

/// The throwaway server scripts/bench starts: databases are created and
/// dropped through its maintenance database.
struct PostgresServer: Sendable {
    /// A libpq URL whose database is the maintenance database (`postgres`).
    let maintenanceURL: String

    /// The maintenance URL with its database name replaced.
    func url(database: String) -> String {
        var base = maintenanceURL
        var query = ""
        if let mark = base.firstIndex(of: "?") {
            query = String(base[mark...])
            base = String(base[..<mark])
        }
        let schemeEnd = base.range(of: "://")?.upperBound ?? base.startIndex
        if let slash = base[schemeEnd...].firstIndex(of: "/") {
            base = String(base[..<slash])
        }
        return base + "/" + database + query
    }

    func recreate(_ database: String) throws {
        try drop(database)
        try RawPostgres(url: maintenanceURL).exec("CREATE DATABASE \(quote(database))")
    }

    func drop(_ database: String) throws {
        try RawPostgres(url: maintenanceURL).exec("DROP DATABASE IF EXISTS \(quote(database)) WITH (FORCE)")
    }
}
