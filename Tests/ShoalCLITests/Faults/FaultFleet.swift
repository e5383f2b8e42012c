import Foundation
@testable import ShoalKit
import ShoalTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts of what the fault tests did, printed by each test so that a run's
/// log gives the figures (faults injected, targets checked, anything lost).
/// "nothing lost" is printed only when every consistency check of the
/// test (``check(_:_:sourceLocation:)``) held.
enum FaultLedger {
    static func note(_ test: String, faults: Int, targets: Int) {
        let problems = store.problems(of: Test.current?.id)
        let verdict = problems == 0 ? "nothing lost" : "\(problems) consistency check(s) FAILED"
        print("faults: \(test): \(faults) fault(s) injected, \(targets) target(s) checked, \(verdict)")
    }

    /// `#expect(condition)`, and a failure counted against the current test's note.
    static func check(_ condition: Bool, _ comment: @autoclosure () -> String, sourceLocation: SourceLocation) {
        #expect(condition, Comment(rawValue: comment()), sourceLocation: sourceLocation)
        if !condition { store.count(Test.current?.id) }
    }

    private final class Store: @unchecked Sendable {
        private let lock = NSLock()
        private var failures: [Test.ID?: Int] = [:]
        func count(_ test: Test.ID?) { lock.withLock { failures[test, default: 0] += 1 } }
        func problems(of test: Test.ID?) -> Int { lock.withLock { failures[test] ?? 0 } }
    }
    private static let store = Store()
}

extension RunningShoal {
    var isRunning: Bool { process.isRunning }

    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// What it wrote to stderr so far.
    var stderrSoFar: String { (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? "" }

    /// ``finish()``, SIGKILLing the process (and failing the test) if it
    /// has not exited after `timeout`.
    func finish(within timeout: Duration) async throws -> CLIResult {
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            if process.isRunning {
                Issue.record("shoal \(process.arguments ?? []) did not exit within \(timeout)")
                send(SIGKILL)
            }
        }
        defer { watchdog.cancel() }
        return try await finish()
    }
}

/// Polls `condition` until it holds, failing after `timeout` (generous: the
/// machine may be loaded). Errors from `condition` count as "not yet".
struct FinishedEarly: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

func waitUntil(_ what: String, timeout: Duration = .seconds(90), every: Duration = .milliseconds(25),
               _ condition: () async throws -> Bool) async throws {
    // On an executor of its own: other tests in this process may keep the two
    // cooperative threads busy, and a starved poller misses the moment to
    // inject its fault.
    try await withTaskExecutorPreference(DedicatedTaskExecutor(label: "shoal.test.fault-poller")) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            do {
                if try await condition() { return }
            } catch let error as FinishedEarly {
                throw error
            } catch {}
            try await Task.sleep(for: every)
        }
        throw ShoalError(.usage, "timed out waiting until \(what)")
    }
}

/// What one target holds after a fault: its migration tables, version rows,
/// history and dirty mark.
struct TargetContents: Equatable {
    var tables: Set<String> = []
    var versions: [String] = []
    var upgrades: [String] = []
    var dirty: Bool = false
}

/// A fleet of one database `app` whose migrations `m01…mNN` each create a
/// table `t_NN` slowly, on SQLite (a file per tenant) or PostgreSQL (a
/// schema per tenant, optionally on two shards).
struct FaultFleet {
    let sandbox: Sandbox
    let backend: Backend
    let tenants: [String]
    let migrations: Int
    /// PostgreSQL: the scratch database's URL.
    let url: String?
    /// How slow each migration is (see `init`).
    let slowness: Double
    var environment: [String: String] = [:]

    static func revision(_ n: Int) -> String { String(format: "m%02d", n) }
    static func table(_ n: Int) -> String { String(format: "t_%02d", n) }
    var revisions: [String] { (1...migrations).map(Self.revision) }
    var head: String { Self.revision(migrations) }

    /// Writes config, registry and migrations. `slowness` scales each
    /// migration: seconds of pg_sleep, or 100k-row units of a recursive CTE
    /// (10 units take about 0.25 s on a quiet machine, longer under load).
    init(_ sandbox: Sandbox, backend: Backend, tenants: Int, migrations: Int, url: String? = nil,
         slowness: Double = 0.3, concurrency: Int = 4, shards: [String: String]? = nil,
         shardOf: (String) -> String? = { _ in nil }) throws {
        self.sandbox = sandbox
        self.backend = backend
        self.tenants = (1...tenants).map { String(format: "tenant%02d", $0) }
        self.migrations = migrations
        self.url = url
        self.slowness = slowness
        let database: String
        switch backend {
        case .sqlite:
            database = #""driver": "sqlite", "path": "tenants/app/{tenant}.sqlite", "tenants": "tenants/app.json""#
        case .postgres:
            if let shards {
                let list = shards.keys.sorted().map { "\"\($0)\": { \"url\": \"${\(shards[$0]!)}\" }" }.joined(separator: ", ")
                database = #""driver": "postgres", "layout": "schema", "shards": {"# + list + #"}, "tenants": "tenants/app.json""#
            } else {
                database = #""driver": "postgres", "layout": "schema", "url": "${FAULT_PG_URL}", "tenants": "tenants/app.json""#
            }
            environment["FAULT_PG_URL"] = url
        }
        try sandbox.write("config.json", """
        { "concurrency": \(concurrency), "databases": { "app": { \(database) } } }
        """)
        let entries = self.tenants.map { name in
            shardOf(name).map { "{\"name\": \"\(name)\", \"shard\": \"\($0)\"}" } ?? "\"\(name)\""
        }
        try sandbox.write("tenants/app.json", "[" + entries.joined(separator: ", ") + "]")
        for n in 1...migrations {
            try write(n, up: Self.slowUp(n, backend: backend, slowness: slowness))
        }
    }

    /// The up section of migration `n`: creates `t_NN`, taking `slowness` (see `init`).
    /// A `held` one also runs until the test kills shoal wherever the
    /// tenant carries the hold mark (see ``holdLastStep(of:)``).
    static func slowUp(_ n: Int, backend: Backend, slowness: Double, held: Bool = false) -> String {
        let t = table(n)
        switch backend {
        case .sqlite:
            let rows = max(1, Int(slowness * 100_000))
            let hold = held ? " OR (SELECT user_version FROM pragma_user_version) = \(holdMark)" : ""
            return "CREATE TABLE \(t) AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < \(rows)\(hold)) SELECT count(*) AS n FROM c;"
        case .postgres:
            let hold = held ? "\nSELECT pg_sleep(3600) FROM pg_class WHERE oid = to_regclass('\(holdTable)');" : ""
            return "CREATE TABLE \(t) (n int);\nSELECT pg_sleep(\(slowness));\(hold)\nINSERT INTO \(t) VALUES (\(n));"
        }
    }

    /// SQLite: the `user_version` that marks a held tenant file.
    static let holdMark = 4242
    /// PostgreSQL: the table that marks a held tenant schema.
    static let holdTable = "shoal_test_hold"

    /// Makes the last migration of `tenant` run until shoal is killed, so a
    /// run cannot finish before the test injects its fault, however loaded
    /// the machine. The other tenants migrate as usual. Call before the run;
    /// ``releaseHold(of:)`` after the fault, before a rerun.
    func holdLastStep(of tenant: String) async throws {
        try write(migrations, up: Self.slowUp(migrations, backend: backend, slowness: slowness, held: true))
        switch backend {
        case .sqlite:
            try FileManager.default.createDirectory(atPath: sandbox.path("tenants/app"), withIntermediateDirectories: true)
            try await SQLiteWriter.execute(sandbox.path(Fixture.tenantFile(tenant)), "PRAGMA user_version = \(Self.holdMark)")
        case .postgres:
            _ = try await column("CREATE SCHEMA IF NOT EXISTS \(schema(tenant))")
            _ = try await column("CREATE TABLE \(schema(tenant)).\(Self.holdTable) ()")
        }
    }

    /// Lifts the hold of ``holdLastStep(of:)`` once shoal is dead: the mark
    /// goes, and on PostgreSQL the backend still sleeping in the held step
    /// is terminated (it would sleep on after its client died).
    func releaseHold(of tenant: String) async throws {
        switch backend {
        case .sqlite:
            try await SQLiteWriter.execute(sandbox.path(Fixture.tenantFile(tenant)), "PRAGMA user_version = 0")
            // A tenant killed in the middle of its COMMIT keeps a hot journal
            // that only a writer may roll back; the test's read-only reads
            // would fail on it ("attempt to write a readonly database"). Do
            // what the next run's first write does, before reading.
            for other in tenants where other != tenant && sandbox.exists(Fixture.tenantFile(other)) {
                try await SQLiteWriter.execute(sandbox.path(Fixture.tenantFile(other)), "SELECT count(*) FROM sqlite_master")
            }
        case .postgres:
            // A backend of the dead client may reach the held statement
            // only after the kill: terminate it whenever it gets there.
            try await settle(terminating: "%\(Self.holdTable)%")
            _ = try await column("DROP TABLE \(schema(tenant)).\(Self.holdTable)")
        }
    }

    func write(_ n: Int, up: String, transaction: Bool = true) throws {
        let parents = n == 1 ? [] : [Self.revision(n - 1)]
        try sandbox.write("versions/app/\(Self.revision(n))_step.sql",
                          MigrationFile(revision: Self.revision(n), parents: parents, message: "step \(n)", up: up,
                                                  down: "DROP TABLE \(Self.table(n));", transactional: transaction).text)
    }

    func targetID(_ tenant: String) -> String { "app/\(tenant)" }
    func schema(_ tenant: String) -> String { "tenant_\(tenant)" }

    // MARK: running shoal

    @discardableResult
    func shoal(_ args: String...) async throws -> CLIResult {
        try await sandbox.run(args, environment: environment)
    }

    // MARK: reading targets behind shoal's back

    /// The contents of every tenant, keyed by tenant.
    func contents() async throws -> [String: TargetContents] {
        var all: [String: TargetContents] = [:]
        for tenant in tenants { all[tenant] = try await contents(tenant) }
        return all
    }

    func contents(_ tenant: String) async throws -> TargetContents {
        var result = TargetContents()
        switch backend {
        case .sqlite:
            let file = Fixture.tenantFile(tenant)
            guard sandbox.exists(file) else { return result }
            let names = Set(try await sandbox.column(file, "SELECT name FROM sqlite_master WHERE type = 'table'"))
            result.tables = names.filter { $0.hasPrefix("t_") }
            if names.contains("shoal_version") {
                result.versions = try await sandbox.column(file, "SELECT revision FROM shoal_version").sorted()
                result.upgrades = try await sandbox.column(file, "SELECT revision FROM shoal_version_history WHERE operation = 'upgrade'").sorted()
                result.dirty = try await !sandbox.column(file, "SELECT 1 FROM shoal_version_dirty").isEmpty
            }
        case .postgres:
            let schema = schema(tenant)
            let names = Set(try await column("SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1", [schema]))
            result.tables = names.filter { $0.hasPrefix("t_") }
            if names.contains("shoal_version") {
                result.versions = try await column("SELECT revision FROM \(schema).shoal_version").sorted()
                result.upgrades = try await column("SELECT revision FROM \(schema).shoal_version_history WHERE operation = 'upgrade'").sorted()
                result.dirty = try await !column("SELECT 1 FROM \(schema).shoal_version_dirty").isEmpty
            }
        }
        return result
    }

    /// Upgrade history rows over the whole fleet (0 while nothing committed).
    func committedSteps() async throws -> Int {
        switch backend {
        case .sqlite:
            var total = 0
            for tenant in tenants {
                let file = Fixture.tenantFile(tenant)
                guard sandbox.exists(file) else { continue }
                let has = try await sandbox.tableExists(file, "shoal_version_history")
                if has { total += try await Int(sandbox.column(file, "SELECT count(*) FROM shoal_version_history")[0]) ?? 0 }
            }
            return total
        case .postgres:
            let union = tenants.map { "SELECT count(*) AS n FROM \(schema($0)).shoal_version_history" }.joined(separator: " UNION ALL ")
            let existing = try await column("SELECT count(*) FROM information_schema.tables WHERE table_name = 'shoal_version_history'")
            guard Int(existing[0]) == tenants.count else {
                // Some tenants have no tables yet: count the ones that do.
                var total = 0
                for tenant in tenants {
                    let rows = try await column("SELECT to_regclass($1)::text", ["\(schema(tenant)).shoal_version_history"])
                    if rows.first != "NULL" {
                        total += Int(try await column("SELECT count(*) FROM \(schema(tenant)).shoal_version_history")[0]) ?? 0
                    }
                }
                return total
            }
            return Int(try await column("SELECT sum(n)::text FROM (\(union)) s")[0]) ?? 0
        }
    }

    /// Waits until some but not all migrations have committed over the fleet.
    func waitUntilMidRun(_ run: RunningShoal) async throws {
        let total = tenants.count * migrations
        try await waitUntil("some but not all of \(total) steps committed") {
            let done = try await committedSteps()
            if !run.isRunning {
                let out = (try? String(contentsOfFile: run.stdout, encoding: .utf8)) ?? ""
                throw FinishedEarly(message: "shoal finished before the fault could be injected (\(done) of \(total) steps committed): \(out)\n\(run.stderrSoFar)")
            }
            return done > 0 && done < total
        }
    }

    func column(_ sql: String, _ parameters: [String?] = []) async throws -> [String] {
        let session = try await PostgresSession.connect(url!)
        defer { Task { await session.close() } }
        let rows = try await session.query(sql, parameters)
        return rows.map { $0.first.flatMap { $0 } ?? "NULL" }
    }

    /// Terminates the sessions shoal left on the scratch database (a SIGKILLed
    /// client's backend lives on until it next talks to it), and returns how many.
    @discardableResult
    func terminateShoalBackends(matching pattern: String = "%") async throws -> Int {
        try await column("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'shoal' AND datname = current_database()
              AND pid <> pg_backend_pid() AND query LIKE $1
            """, [pattern]).count
    }

    /// PostgreSQL: waits until no session of shoal's is left on the scratch
    /// database (a killed client's backend ends when it next talks to it),
    /// terminating those whose statement matches `pattern` meanwhile.
    func settle(terminating pattern: String? = nil) async throws {
        guard backend == .postgres else { return }
        try await waitUntil("shoal's backends are gone") {
            if let pattern { try await terminateShoalBackends(matching: pattern) }
            return try await column("""
                SELECT count(*) FROM pg_stat_activity
                WHERE application_name = 'shoal' AND datname = current_database() AND pid <> pg_backend_pid()
                """) == ["0"]
        }
    }

    // MARK: the consistency check

    /// Every target's `t_NN` tables are exactly the migrations its version
    /// row says are applied (a linear chain: m01 up to the row), each applied
    /// once by history, nothing dirty; and `status --json` says the same.
    /// Returns the number of targets checked.
    @discardableResult
    func checkConsistent(allowDirty: Set<String> = [], sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int {
        try await settle()
        let all = try await contents()
        for tenant in tenants {
            let c = all[tenant]!
            FaultLedger.check(c.versions.count <= 1, "\(tenant): \(c.versions)", sourceLocation: sourceLocation)
            let at = c.versions.first.flatMap { revisions.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
            let applied = Set((0..<at).map { Self.table($0 + 1) })
            FaultLedger.check(c.tables == applied, "\(tenant): tables \(c.tables.sorted()) but version row \(c.versions)", sourceLocation: sourceLocation)
            FaultLedger.check(c.upgrades == Array(revisions.prefix(at)), "\(tenant): history \(c.upgrades) but version row \(c.versions)", sourceLocation: sourceLocation)
            if !allowDirty.contains(tenant) {
                FaultLedger.check(!c.dirty, "\(tenant) is dirty", sourceLocation: sourceLocation)
            }
        }
        let status = try await shoal("status", "--json")
        let reported = try status.targets()
        for tenant in tenants {
            let c = all[tenant]!
            let row = try #require(reported[targetID(tenant)], "status --json has no \(tenant): \(status.stdout) \(status.stderr)")
            FaultLedger.check(row["current"] as? [String] == c.versions, "\(tenant): status says \(row["current"] ?? "nil")", sourceLocation: sourceLocation)
            let expected: String
            if c.dirty { expected = "dirty" }
            else if c.versions == [head] { expected = "up-to-date" }
            else if c.versions.isEmpty { expected = "uninitialized" }
            else { expected = "behind" }
            let state = row["state"] as? String ?? ""
            if expected == "uninitialized" { // no version row: with or without the tables
                FaultLedger.check(state == "uninitialized" || state == "behind", "\(tenant): status \(state)", sourceLocation: sourceLocation)
            } else {
                FaultLedger.check(state == expected, "\(tenant): status \(state), expected \(expected)", sourceLocation: sourceLocation)
            }
        }
        return tenants.count
    }

    /// Reruns `shoal upgrade`: exit 0, every target at head, consistent.
    func rerunFinishes(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let rerun = try await shoal("upgrade", "--json")
        FaultLedger.check(rerun.status == 0, "rerun: \(rerun.stdout)\n\(rerun.stderr)", sourceLocation: sourceLocation)
        let all = try await contents()
        for tenant in tenants {
            FaultLedger.check(all[tenant]?.versions == [head], "\(tenant) after rerun: \(all[tenant]?.versions ?? [])", sourceLocation: sourceLocation)
        }
        try await checkConsistent(sourceLocation: sourceLocation)
    }
}

/// A loopback port nothing listens on: bound, read and closed.
func closedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            guard bind(fd, pointer, length) == 0 else { return -1 }
            return getsockname(fd, pointer, &length)
        }
    }
    guard bound == 0 else { throw ShoalError(.usage, "could not find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
