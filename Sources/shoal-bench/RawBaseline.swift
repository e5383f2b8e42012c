import Foundation
import ShoalKit

/// A migration as the raw baseline runs it: its SQL and what it records.
struct PreparedMigration: Sendable {
    var revision: String
    var parent: String?
    var up: String
    var verify: String?
    var checksum: String

    init(_ migration: BenchMigration) {
        revision = migration.revision
        parent = migration.parent
        up = migration.up
        verify = migration.verify
        checksum = migration.checksum
    }
}

/// The baseline shoal is measured against: the same work written directly
/// against sqlite3 and libpq. N threads, each with its own connection(s),
/// take targets from one shared queue; no planning pass, no locks beyond the
/// transactions, no reports.
enum RawBaseline {
    /// What a raw run did, printed as one JSON line for the parent to check.
    struct Outcome: Codable, Sendable, Equatable {
        var targets: Int
        /// Migrations applied (apply modes).
        var applied: Int = 0
        /// Targets whose version row is the last migration (read modes).
        var atHead: Int = 0
    }

    /// SQLite: every tenant file in `directory`, `threads` at a time; each
    /// thread opens one file at a time (a connection per target, as SQLite
    /// needs). `transaction`: a commit per migration or per tenant.
    static func applySQLiteFleet(directory: String, tenants: [String], migrations: [BenchMigration],
                                 threads: Int, transaction: TransactionMode = .perStep) throws -> Outcome {
        let prepared = migrations.map(PreparedMigration.init)
        let applied = try WorkQueue.run(count: tenants.count, threads: threads) { queue in
            while let index = queue.take() {
                queue.add(try applySQLite(path: Fleets.sqlitePath(in: directory, tenant: tenants[index]),
                                          migrations: prepared, transaction: transaction))
            }
        }
        return Outcome(targets: tenants.count, applied: applied)
    }

    /// W8's baseline: what `shoal lint` must do before any rule runs, list
    /// the versions folder and read each migration file as UTF-8. `targets`
    /// counts the files read.
    static func readFiles(directory: String) throws -> Outcome {
        let folder = "\(directory)/versions/\(Fleets.database)"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }.sorted()
        var read = 0
        for name in names {
            guard let data = FileManager.default.contents(atPath: "\(folder)/\(name)"), String(data: data, encoding: .utf8) != nil
            else { throw BenchError("cannot read \(folder)/\(name) as UTF-8") }
            read += 1
        }
        return Outcome(targets: read)
    }

    /// SQLite status: each file opened read-only, its version row, dirty
    /// mark and history read, `threads` at a time.
    static func readSQLiteFleet(directory: String, tenants: [String], migrations: [BenchMigration], threads: Int) throws -> Outcome {
        let head = migrations.last?.revision
        let checksums = Dictionary(uniqueKeysWithValues: migrations.map { ($0.revision, $0.checksum) })
        let atHead = try WorkQueue.run(count: tenants.count, threads: threads) { queue in
            while let index = queue.take() {
                let version = try readSQLiteVersion(path: Fleets.sqlitePath(in: directory, tenant: tenants[index]), checksums: checksums)
                if version == head { queue.add(1) }
            }
        }
        return Outcome(targets: tenants.count, atHead: atHead)
    }

    /// PostgreSQL: every tenant schema in one database, `threads` at a time;
    /// each thread keeps one connection for all the targets it takes.
    /// `transaction`: a commit per migration or per schema.
    static func applyPostgresFleet(url: String, tenants: [String], migrations: [BenchMigration],
                                   threads: Int, transaction: TransactionMode = .perStep) throws -> Outcome {
        let prepared = migrations.map(PreparedMigration.init)
        let applied = try WorkQueue.run(count: tenants.count, threads: threads) { queue in
            guard queue.hasWork else { return }
            let pg = try RawPostgres(url: url)
            while let index = queue.take() {
                queue.add(try applyPostgres(pg, schema: Fleets.schema(of: tenants[index]), migrations: prepared,
                                            transaction: transaction))
            }
        }
        return Outcome(targets: tenants.count, applied: applied)
    }

    /// PostgreSQL reads: one connection per shard, the shards in parallel;
    /// see ``readPostgresStates(_:tenants:read:head:checksums:chunk:)``.
    static func readPostgresFleet(urls: [String], tenants: [String], read: RawRead,
                                  migrations: [BenchMigration]) throws -> Outcome {
        let checksums = Dictionary(uniqueKeysWithValues: migrations.map { ($0.revision, $0.checksum) })
        let atHead = try WorkQueue.run(count: urls.count, threads: urls.count) { queue in
            while let shard = queue.take() {
                let pg = try RawPostgres(url: urls[shard])
                queue.add(try readPostgresStates(pg, tenants: Fleets.tenants(tenants, onShard: shard, of: urls.count),
                                                 read: read, head: migrations.last?.revision, checksums: checksums))
            }
        }
        return Outcome(targets: tenants.count, atHead: atHead)
    }
}

/// Indices handed out to worker threads, and a shared counter.
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var next = 0
    private var total = 0
    private var error: (any Error)?

    private init(count: Int) {
        self.count = count
    }

    /// The next index, or nil when none is left or a worker failed.
    func take() -> Int? {
        lock.withLock {
            guard error == nil, next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    /// False once every index is taken (a thread that would find nothing need not connect).
    var hasWork: Bool { lock.withLock { error == nil && next < count } }

    func add(_ amount: Int) {
        lock.withLock { total += amount }
    }

    private func fail(_ error: any Error) {
        lock.withLock { if self.error == nil { self.error = error } }
    }

    /// Runs `worker` on `threads` threads (at most one per index) until the
    /// queue is empty; returns the sum of what they added, or throws the first error.
    static func run(count: Int, threads: Int, _ worker: @escaping @Sendable (WorkQueue) throws -> Void) throws -> Int {
        let queue = WorkQueue(count: count)
        let group = DispatchGroup()
        for _ in 0..<max(1, min(threads, count)) {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do { try worker(queue) } catch { queue.fail(error) }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        if let error = queue.lock.withLock({ queue.error }) { throw error }
        return queue.lock.withLock { queue.total }
    }
}

/// A failure of the bench itself (setup, a raw run, a check).
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
