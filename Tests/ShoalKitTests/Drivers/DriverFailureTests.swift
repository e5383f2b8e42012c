import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// What each driver puts in a ``DatabaseFailure``: its code, the statement
/// and the phase, on a real SQLite file and a real PostgreSQL database; and
/// that the answer to ``DatabaseFailure/leavesSessionUnusable`` is true to
/// the session. (Lock timeouts, busy files and cancellations: the session
/// tests check their failures.)
@Suite struct DriverFailureTests {
    static let context = ApplyContext(appliedBy: "tests", shoalVersion: "9.9.9")

    /// The error the upgrade to `migration` throws on a fresh version store
    /// of `driver` (a SQLite file in a temporary folder, or a scratch
    /// PostgreSQL database), and whether its session then runs a statement.
    static func failure(applying migration: Migration, on driver: DriverKind) async throws -> (error: ShoalError?, sessionWorks: Bool) {
        func attempt(_ store: VersionStore, _ session: any DatabaseSession) async throws -> (error: ShoalError?, sessionWorks: Bool) {
            try await store.ensureTables()
            let error = await #expect(throws: ShoalError.self) {
                try await store.apply(VersionStoreFixture.up(migration), context: context)
            }
            return (error, try await session.query("SELECT 1") == [["1"]])
        }
        switch driver {
        case .sqlite:
            let fixture = try await VersionStoreFixture.make()
            let result = try await attempt(fixture.store, fixture.session)
            await fixture.session.close()
            return result
        case .postgres:
            return try await PostgresTestServer.withScratchSession { session, url throws in
                let target = Target(id: "app", database: "app", driver: .postgres, location: .postgres(url: url, schema: nil))
                return try await attempt(VersionStore(session: session, target: target), session)
            }
        }
    }

    @Test(arguments: DriverKind.allCases)
    func aFailingStepIsInTheStepPhaseWithItsCodeAndStatement(driver: DriverKind) async throws {
        let (error, sessionWorks) = try await Self.failure(applying: VersionStoreFixture.migration(
            "aaaa", up: "CREATE TABLE users (id integer);\nINSERT INTO nowhere VALUES (1);"), on: driver)
        #expect(error?.failure?.phase == .step)
        #expect(error?.failure?.statement?.contains("INSERT INTO nowhere") == true, "\(String(describing: error?.failure))")
        switch driver {
        case .sqlite: #expect(error?.failure?.code?.sqliteResultCode == SQLiteResultCode(rawValue: 1))
        case .postgres: #expect(error?.failure?.code?.sqlState == SQLState(rawValue: "42P01"))
        }
        #expect(error?.sqlState == error?.failure?.code?.description)
        #expect(error?.failure?.leavesSessionUnusable == false)
        #expect(sessionWorks, "the session serves the next statement")
    }

    @Test(arguments: DriverKind.allCases)
    func aFailingVerifyQueryIsInTheVerifyPhase(driver: DriverKind) async throws {
        let (error, _) = try await Self.failure(applying: VersionStoreFixture.migration(
            "aaaa", up: "CREATE TABLE users (id integer);", verify: "SELECT missing FROM users"), on: driver)
        #expect(error?.failure?.phase == .verify)
        #expect(error?.failure?.statement?.contains("SELECT missing FROM users") == true)
        #expect(error?.failure?.code != nil)
    }

    @Test(arguments: DriverKind.allCases)
    func aVerifySectionThatIsFalseIsShoalsRefusalNotTheDatabases(driver: DriverKind) async throws {
        let (error, _) = try await Self.failure(applying: VersionStoreFixture.migration(
            "aaaa", up: "CREATE TABLE users (id integer);", verify: "SELECT 1 = 0"), on: driver)
        #expect(error?.kind == .verification)
        #expect(error?.failure == nil)
    }

    @Test(arguments: DriverKind.allCases)
    func aStepOutsideATransactionKeepsItsPhaseWhenItMarksTheTargetDirty(driver: DriverKind) async throws {
        let (error, _) = try await Self.failure(applying: VersionStoreFixture.migration(
            "aaaa", transactional: false, up: "CREATE TABLE users (id integer);\nINSERT INTO nowhere VALUES (1);"), on: driver)
        #expect(error?.message.contains("is now dirty") == true)
        #expect(error?.failure?.phase == .step)
        #expect(error?.failure?.statement?.contains("INSERT INTO nowhere") == true)
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
