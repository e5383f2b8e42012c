import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// What each driver puts in a ``DatabaseFailure``: its code, the statement
/// and the phase, on a real SQLite file and a real PostgreSQL database; and
/// that the answer to ``DatabaseFailure/leavesSessionUnusable`` is true to
/// the session.
@Suite struct DriverFailureTests {
    /// A version store with its tables, on a SQLite file in a temporary
    /// folder or on a scratch PostgreSQL database.
    static func withStore(_ driver: DriverKind, _ body: (VersionStore, any DatabaseSession) async throws -> Void) async throws {
        switch driver {
        case .sqlite:
            let fixture = try await VersionStoreFixture.make()
            try await fixture.store.ensureTables()
            try await body(fixture.store, fixture.session)
            await fixture.session.close()
        case .postgres:
            try await PostgresTestServer.withScratchSession { session, url throws in
                let target = Target(id: "app", database: "app", driver: .postgres, location: .postgres(url: url, schema: nil))
                let store = VersionStore(session: session, target: target)
                try await store.ensureTables()
                try await body(store, session)
            }
        }
    }

    static let context = ApplyContext(appliedBy: "tests", shoalVersion: "9.9.9")

    @Test(arguments: DriverKind.allCases)
    func aFailingStepIsInTheStepPhaseWithItsCodeAndStatement(driver: DriverKind) async throws {
        try await Self.withStore(driver) { store, session throws in
            let step = VersionStoreFixture.up(VersionStoreFixture.migration(
                "aaaa", up: "CREATE TABLE users (id integer);\nINSERT INTO nowhere VALUES (1);"))
            let error = await #expect(throws: ShoalError.self) { try await store.apply(step, context: Self.context) }
            #expect(error?.failure?.phase == .step)
            #expect(error?.failure?.statement?.contains("INSERT INTO nowhere") == true, "\(String(describing: error?.failure))")
            switch driver {
            case .sqlite: #expect(error?.failure?.code?.sqliteResultCode == SQLiteResultCode(rawValue: 1))
            case .postgres: #expect(error?.failure?.code?.sqlState == SQLState(rawValue: "42P01"))
            }
            #expect(error?.sqlState == error?.failure?.code?.description)
            #expect(error?.failure?.leavesSessionUnusable == false)
            #expect(try await session.query("SELECT 1") == [["1"]], "the session serves the next statement")
        }
    }

    @Test(arguments: DriverKind.allCases)
    func aFailingVerifyQueryIsInTheVerifyPhase(driver: DriverKind) async throws {
        try await Self.withStore(driver) { store, _ throws in
            let step = VersionStoreFixture.up(VersionStoreFixture.migration(
                "aaaa", up: "CREATE TABLE users (id integer);", verify: "SELECT missing FROM users"))
            let error = await #expect(throws: ShoalError.self) { try await store.apply(step, context: Self.context) }
            #expect(error?.failure?.phase == .verify)
            #expect(error?.failure?.statement == "SELECT missing FROM users")
            #expect(error?.failure?.code != nil)
        }
    }

    @Test(arguments: DriverKind.allCases)
    func aVerifySectionThatIsFalseIsShoalsRefusalNotTheDatabases(driver: DriverKind) async throws {
        try await Self.withStore(driver) { store, _ throws in
            let step = VersionStoreFixture.up(VersionStoreFixture.migration(
                "aaaa", up: "CREATE TABLE users (id integer);", verify: "SELECT 1 = 0"))
            let error = await #expect(throws: ShoalError.self) { try await store.apply(step, context: Self.context) }
            #expect(error?.kind == .verification)
            #expect(error?.failure == nil)
        }
    }

    @Test(arguments: DriverKind.allCases)
    func aStepOutsideATransactionKeepsItsPhaseWhenItMarksTheTargetDirty(driver: DriverKind) async throws {
        try await Self.withStore(driver) { store, _ throws in
            let step = VersionStoreFixture.up(VersionStoreFixture.migration(
                "aaaa", transactional: false, up: "CREATE TABLE users (id integer);\nINSERT INTO nowhere VALUES (1);"))
            let error = await #expect(throws: ShoalError.self) { try await store.apply(step, context: Self.context) }
            #expect(error?.message.contains("is now dirty") == true)
            #expect(error?.failure?.phase == .step)
            #expect(error?.failure?.statement?.contains("INSERT INTO nowhere") == true)
        }
    }

    @Test func aPostgresLockTimeoutIsLockNotAvailableAndLeavesTheSessionUsable() async throws {
        try await PostgresTestServer.withScratchSession { holder, url throws in
            try await holder.execute("CREATE TABLE t (x int)")
            try await holder.begin()
            try await holder.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
            let migrator = try await PostgresSession.connect(url, settings: SessionSettings(lockTimeoutMs: 100))
            let error = await #expect(throws: ShoalError.self) { try await migrator.execute("ALTER TABLE t ADD COLUMN y int") }
            #expect(error?.failure?.isLockNotAvailable == true)
            #expect(error?.failure?.leavesSessionUnusable == false)
            #expect(error?.failure?.statement == "ALTER TABLE t ADD COLUMN y int")
            await holder.rollback()
            try await migrator.execute("ALTER TABLE t ADD COLUMN y int")
            await migrator.close()
        }
    }

    @Test func aPostgresCancellationLeavesTheSessionUnusable() async throws {
        try await PostgresTestServer.withScratchSession(settings: SessionSettings(statementTimeoutMs: 100)) { session, _ throws in
            let error = await #expect(throws: ShoalError.self) { try await session.execute("SELECT pg_sleep(5)") }
            #expect(error?.failure?.code?.sqlState == .queryCanceled)
            #expect(error?.failure?.leavesSessionUnusable == true)
        }
    }

    @Test func aSQLiteBusyDatabaseIsNotRetriedAsALockTimeout() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("db.sqlite")
        let first = try await SQLiteSession.open(path: path, mode: .readWrite)
        let second = try await SQLiteSession.open(path: path, mode: .readWrite, busyTimeoutMs: 50)
        try await first.begin()
        let error = await #expect(throws: ShoalError.self) { try await second.begin() }
        #expect(error?.failure?.code?.sqliteResultCode?.primary == .busy)
        #expect(error?.failure?.isLockNotAvailable == false)
        #expect(error?.failure?.leavesSessionUnusable == false)
        await first.rollback()
        try await second.begin()
        await second.rollback()
    }

    @Test func connectionFailuresAreInTheConnectPhase() async throws {
        let postgres = await #expect(throws: ShoalError.self) {
            _ = try await PostgresSession.connect("postgres://shoal:Secr3tPw@127.0.0.1:1/app?connect_timeout=2")
        }
        #expect(postgres?.failure?.phase == .connect)
        #expect(postgres?.failure?.code == nil)
        #expect(postgres?.failure?.leavesSessionUnusable == true)
        #expect(postgres?.description.contains("Secr3tPw") == false)

        let dir = try TemporaryDirectory()
        let sqlite = await #expect(throws: ShoalError.self) { _ = try await SQLiteSession.open(path: dir.path, mode: .readWrite) }
        #expect(sqlite?.failure?.phase == .connect)
        #expect(sqlite?.failure?.code?.sqliteResultCode?.primary == .cantOpen, "\(String(describing: sqlite))")
    }
}
