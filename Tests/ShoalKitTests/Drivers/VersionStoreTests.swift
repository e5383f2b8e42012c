import Foundation
import Testing
@testable import ShoalKit

@Suite struct VersionStoreTests {
    @Test func newFileIsUninitialized() async throws {
        let f = try await VersionStoreFixture.make()
        #expect(try await f.store.readState() == .uninitialized)
        #expect(try await f.store.history(limit: nil).isEmpty)
        #expect(try await !f.tableExists("shoal_version"), "reading never creates the tables")
    }

    @Test func ensureTablesIsIdempotent() async throws {
        let f = try await VersionStoreFixture.make()
        try await f.store.ensureTables()
        try await f.store.ensureTables()
        #expect(try await f.store.readState() == VersionState(initialized: true, current: []))
        for table in ["shoal_version", "shoal_version_history", "shoal_version_dirty"] {
            #expect(try await f.tableExists(table))
        }
    }

    @Test func applyUpWritesTableVersionAndHistoryTogether() async throws {
        let f = try await VersionStoreFixture.make()
        try await f.store.ensureTables()
        let a = VersionStoreFixture.migration("aaaa", up: "CREATE TABLE users (id integer); INSERT INTO users VALUES (1);",
                                  verify: "SELECT count(*) = 1 FROM users")
        let ms = try await f.store.apply(VersionStoreFixture.up(a), context: f.context)
        #expect(ms >= 0)

        #expect(try await f.session.query("SELECT id FROM users") == [["1"]])
        let state = try await f.store.readState()
        #expect(state.current == ["aaaa"])
        #expect(state.appliedChecksums == ["aaaa": "sum-aaaa"])
        #expect(state.dirty == nil)
        let history = try await f.store.history(limit: nil)
        #expect(history.count == 1)
        let entry = try #require(history.first)
        #expect(entry.revision == "aaaa" && entry.operation == .upgrade && entry.checksum == "sum-aaaa")
        #expect(entry.durationMs == ms)
        #expect(entry.appliedBy == "o'brien@build-host" && entry.shoalVersion == "9.9.9")
        #expect(entry.appliedAt.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(entry.appliedAt)")
    }

    @Test func failingSQLLeavesNoTrace() async throws {
        let f = try await VersionStoreFixture.make()
        try await f.store.ensureTables()
        let a = VersionStoreFixture.migration("aaaa", up: "CREATE TABLE users (id integer);\nINSERT INTO nowhere VALUES (1);")
        let error = await #expect(throws: ShoalError.self) { try await f.store.apply(VersionStoreFixture.up(a), context: f.context) }
        #expect(error?.revision == "aaaa")
        #expect(error?.kind == .database)
        #expect(error?.message.contains("no such table: nowhere") == true)
        #expect(error?.detail?.contains("statement 2") == true)

        #expect(try await !f.tableExists("users"))
        #expect(try await f.store.readState() == VersionState(initialized: true, current: []))
        #expect(try await f.store.history(limit: nil).isEmpty)
        #expect(await !f.session.isInTransaction)
    }

    @Test(arguments: ["SELECT count(*) = 2 FROM users", "SELECT NULL", "SELECT 'f'", "SELECT 1 WHERE 0"])
    func verifyThatIsNotTrueRollsBack(verify: String) async throws {
        let f = try await VersionStoreFixture.make()
        try await f.store.ensureTables()
        let a = VersionStoreFixture.migration("aaaa", up: "CREATE TABLE users (id integer); INSERT INTO users VALUES (1);", verify: verify)
        let error = await #expect(throws: ShoalError.self) { try await f.store.apply(VersionStoreFixture.up(a), context: f.context) }
        #expect(error?.kind == .verification)
        #expect(error?.revision == "aaaa")
        #expect(error?.message.contains("aaaa") == true)
        #expect(try await !f.tableExists("users"))
        #expect(try await f.store.readState().current.isEmpty)
        #expect(try await f.store.history(limit: nil).isEmpty)
    }

    @Test func versionsBeforeMismatchRollsBackAsLocked() async throws {
        let f = try await VersionStoreFixture.make()
        try await f.store.ensureTables()
        let a = VersionStoreFixture.migration("aaaa", up: "CREATE TABLE a (x)")
        let b = VersionStoreFixture.migration("bbbb", parents: ["aaaa"], up: "CREATE TABLE b (x)")
        _ = try await f.store.apply(VersionStoreFixture.up(a), context: f.context)

        // Planned when the target was at base; another run has moved it since.
        let stale = VersionStoreFixture.up(b, before: [])
        let error = await #expect(throws: ShoalError.self) { try await f.store.apply(stale, context: f.context) }
        #expect(error?.kind == .locked)
        #expect(error?.revision == "bbbb")
        #expect(error?.message.contains("changed by another run") == true)
        #expect(try await !f.tableExists("b"))
        #expect(try await f.store.readState().current == ["aaaa"])
        #expect(try await f.store.history(limit: nil).count == 1)
    }

    @Test func twoRunnersApplyingTheSameStepApplyItOnce() async throws {
        let f = try await VersionStoreFixture.make()
        try await f.store.ensureTables()
        let other = try await SQLiteSession.open(path: f.path, mode: .readWrite, busyTimeoutMs: 30_000)
        let stores = [f.store, VersionStore(session: other, target: f.target)]
        let a = VersionStoreFixture.migration("aaaa", up: "CREATE TABLE users (id integer); INSERT INTO users VALUES (1);")
        let step = VersionStoreFixture.up(a)
        let context = f.context

        let results = await withTaskGroup(of: Result<Int, ShoalError>.self) { group in
            for store in stores {
                group.addTask {
                    do { return .success(try await store.apply(step, context: context)) } catch let error as ShoalError {
                        return .failure(error)
                    } catch { return .failure(ShoalError(.database, "\(error)")) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let failures = results.compactMap { if case .failure(let error) = $0 { error } else { nil } }
        #expect(failures.count == 1)
        #expect(failures.first?.kind == .locked)
        #expect(try await f.session.query("SELECT count(*) FROM users") == [["1"]])
        #expect(try await f.store.history(limit: nil).count == 1)
    }

    @Test func downgradeRemovesTheVersionAndRecordsIt() async throws {
        let f = try await VersionStoreFixture.make()
        try await f.store.ensureTables()
        let a = VersionStoreFixture.migration("aaaa", up: "CREATE TABLE a (x)", down: "DROP TABLE a")
        _ = try await f.store.apply(VersionStoreFixture.up(a), context: f.context)
        _ = try await f.store.apply(VersionStoreFixture.down(a), context: f.context)

        #expect(try await !f.tableExists("a"))
        let state = try await f.store.readState()
        #expect(state.current.isEmpty)
        #expect(state.appliedChecksums.isEmpty, "the latest history row of aaaa is a downgrade")
        let history = try await f.store.history(limit: nil)
        #expect(history.map(\.operation) == [.downgrade, .upgrade])
        #expect(history.first?.checksum == "sum-aaaa")
    }

    @Test func mergeStepWithEmptySQLReplacesBothHeads() async throws {
        let f = try await VersionStoreFixture.make()
        try await f.store.stamp(to: ["bbbb", "cccc"], checksums: [:], context: f.context)
        let merge = VersionStoreFixture.migration("mmmm", parents: ["bbbb", "cccc"], up: "-- merge\n")
        _ = try await f.store.apply(VersionStoreFixture.up(merge), context: f.context)
        #expect(try await f.store.readState().current == ["mmmm"])
    }
}
