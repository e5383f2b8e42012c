import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// `shoal test` (SPEC §10.2) on both drivers: the stairway up, down, up
/// again on a scratch target, what a failing step reports, and the scratch
/// database gone afterwards on every path.
@Suite struct RoundTripTesterTests {
    static let users = MigrationFile(revision: "aaaa0001", message: "users",
                                     up: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
                                     down: "DROP TABLE users;")
    static let email = MigrationFile(revision: "bbbb0002", message: "add email",
                                     up: "ALTER TABLE users ADD COLUMN email TEXT;",
                                     down: "ALTER TABLE users DROP COLUMN email;",
                                     verify: "SELECT count(*) = 0 FROM users WHERE email LIKE '% %';")
    static let index = MigrationFile(revision: "cccc0003", message: "index names",
                                     up: "CREATE INDEX users_name ON users (name);",
                                     down: "DROP INDEX users_name;")

    /// `files` (each the child of the one before, unless it names its
    /// parents) as the migrations of a database `app` of `driver`.
    struct Setup {
        let directory: TemporaryDirectory
        let fleet: Fleet
        let database: DatabaseConfig
        let graph: RevisionGraph
        let scratchName = LintObserverTests.newScratchName()

        init(_ driver: DriverKind, _ files: [MigrationFile], schemaPerTenant: Bool = false) throws {
            directory = try TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: directory.file("versions/app"), withIntermediateDirectories: true)
            var parent: String?
            for var file in files {
                if file.parents.isEmpty, let parent { file.parents = [parent] }
                try file.write(in: directory, as: "versions/app/\(file.revision).sql")
                parent = file.revision
            }
            var database = switch driver {
            case .sqlite: DatabaseConfig(name: "app", driver: .sqlite, path: directory.file("app.sqlite"),
                                         versionsDirectory: directory.file("versions/app"))
            case .postgres: DatabaseConfig(name: "app", driver: .postgres, url: try PostgresTestServer.url(),
                                           versionsDirectory: directory.file("versions/app"))
            }
            if schemaPerTenant {
                database.tenants = .registry(path: "/nonexistent/tenants.json")
                database.scratchURL = database.url
            }
            self.database = database
            fleet = Fleet(config: FleetConfig(directory: directory.path, databases: [database]))
            graph = try fleet.graph(for: database)
        }

        /// Tests the migrations and checks that the scratch target is gone
        /// (and that the database's own file was never made).
        func test(to: RevisionSpec? = nil) async throws -> RoundTripReport {
            do {
                let report = try await RoundTripTester(fleet: fleet).test(database, graph: graph, to: to, scratchName: scratchName)
                try await expectScratchGone()
                return report
            } catch {
                if !Task.isCancelled { try await expectScratchGone() }
                throw error
            }
        }

        func expectScratchGone(sourceLocation: SourceLocation = #_sourceLocation) async throws {
            if database.driver == .postgres {
                #expect(try await LintObserverTests.databaseExists(scratchName) == false, "scratch database left behind",
                        sourceLocation: sourceLocation)
            }
            #expect(!FileManager.default.fileExists(atPath: directory.file("app.sqlite")), sourceLocation: sourceLocation)
        }
    }

    // MARK: The stairway

    @Test(arguments: DriverKind.allCases)
    func aCleanStairwayIsAllOkWithTimings(driver: DriverKind) async throws {
        let setup = try Setup(driver, [Self.users, Self.email, Self.index])
        let report = try await setup.test()
        #expect(report.steps.map(\.revision) == ["aaaa0001", "bbbb0002", "cccc0003"])
        #expect(report.steps.map(\.status) == [.ok, .ok, .ok], "\(report.steps)")
        #expect(report.steps.map(\.message) == ["users", "add email", "index names"])
        #expect(report.steps.allSatisfy { $0.upMs != nil && $0.downMs != nil && $0.diff.isEmpty && $0.error == nil })
        #expect(report.summary == RoundTripReport.Summary(steps: 3, ok: 3, failed: 0, noDown: 0))
        #expect(report.heads == ["cccc0003"])
        #expect(report.notRun == 0)
        #expect(!report.failed(strict: true))
    }

    @Test(arguments: DriverKind.allCases)
    func aDownThatLeavesAnIndexBehindFailsNamingIt(driver: DriverKind) async throws {
        let setup = try Setup(driver, [Self.users, MigrationFile(revision: "bbbb0002", up: "CREATE INDEX users_name ON users (name);",
                                                                 down: "SELECT 1;"),
                                       MigrationFile(revision: "cccc0003", up: "ALTER TABLE users ADD COLUMN email TEXT;")])
        let report = try await setup.test()
        #expect(report.steps.map(\.status) == [.ok, .failed])
        let step = try #require(report.steps.last)
        let index = driver == .sqlite ? "+ index users.users_name CREATE INDEX users_name ON users (name)"
            : "+ index public.users_name CREATE INDEX users_name ON public.users USING btree (name)"
        #expect(step.diff == [index])
        #expect(step.error?.message.contains("the down of bbbb0002 does not undo its up") == true, "\(String(describing: step.error))")
        #expect(step.error?.revision == "bbbb0002")
        #expect(step.downMs != nil)
        #expect(report.notRun == 1, "the walk stops at the first failure")
        #expect(report.failed(strict: false))
    }

    @Test(arguments: DriverKind.allCases)
    func aDownThatDropsTooMuchFailsNamingWhatIsGone(driver: DriverKind) async throws {
        let setup = try Setup(driver, [Self.users, MigrationFile(revision: "bbbb0002", up: "ALTER TABLE users ADD COLUMN email TEXT;",
                                                                 down: "DROP TABLE users;")])
        let report = try await setup.test()
        let step = try #require(report.steps.last)
        #expect(step.status == .failed)
        let table = driver == .sqlite ? "- table users" : "- table public.users"
        #expect(step.diff.contains(table), "\(step.diff)")
        #expect(step.diff.allSatisfy { $0.hasPrefix("- ") }, "\(step.diff)")
    }

    /// The schema the second up gives must be the first up's: here the up
    /// depends on data its down leaves, and makes another table the second time.
    @Test func anUpThatDoesNotRedoTheSameSchemaFails() async throws {
        let setup = try Setup(.postgres, [
            MigrationFile(revision: "aaaa0001", up: "CREATE TABLE runs (n int);", down: "DROP TABLE runs;"),
            MigrationFile(revision: "bbbb0002", up: """
                INSERT INTO runs VALUES (1);
                DO $$ BEGIN IF (SELECT count(*) FROM runs) > 1 THEN CREATE TABLE second_time (id int); END IF; END $$;
                """, down: "SELECT 1;"),
        ])
        let report = try await setup.test()
        let step = try #require(report.steps.last)
        #expect(step.status == .failed)
        #expect(step.diff == ["+ column public.second_time.id integer", "+ table public.second_time"])
        #expect(step.error?.message.contains("run again after its down, does not give the schema of its first run") == true)
    }

    @Test(arguments: DriverKind.allCases)
    func anUpThatFailsNamesItsRevisionAndError(driver: DriverKind) async throws {
        let setup = try Setup(driver, [Self.users, MigrationFile(revision: "bbbb0002", up: "ALTER TABLE nowhere ADD COLUMN x int;",
                                                                 down: "SELECT 1;"), Self.index])
        let report = try await setup.test()
        let step = try #require(report.steps.last)
        #expect(step.status == .failed)
        #expect(step.upMs == nil && step.downMs == nil)
        #expect(step.error?.revision == "bbbb0002")
        #expect(step.error?.message.contains("nowhere") == true, "\(String(describing: step.error))")
        #expect(step.error?.sqlState == (driver == .postgres ? "42P01" : "SQLITE_ERROR"))
        #expect(report.notRun == 1)
    }

    @Test(arguments: DriverKind.allCases)
    func aFailingVerifySectionFailsTheStep(driver: DriverKind) async throws {
        let setup = try Setup(driver, [Self.users, MigrationFile(revision: "bbbb0002", up: "ALTER TABLE users ADD COLUMN email TEXT;",
                                                                 down: "ALTER TABLE users DROP COLUMN email;",
                                                                 verify: "SELECT count(*) = 1 FROM users;")])
        let report = try await setup.test()
        let step = try #require(report.steps.last)
        #expect(step.status == .failed)
        #expect(step.error?.revision == "bbbb0002")
        #expect(step.error?.message.contains("verify") == true, "\(String(describing: step.error))")
    }

    @Test(arguments: DriverKind.allCases)
    func aStepWithoutDownIsNoDownAndTheWalkGoesOn(driver: DriverKind) async throws {
        let setup = try Setup(driver, [Self.users, MigrationFile(revision: "bbbb0002", up: "ALTER TABLE users ADD COLUMN email TEXT;"),
                                       Self.index])
        let report = try await setup.test()
        #expect(report.steps.map(\.status) == [.ok, .noDown, .ok])
        #expect(report.steps[1].upMs != nil && report.steps[1].downMs == nil)
        #expect(report.summary.noDown == 1)
        #expect(!report.failed(strict: false))
        #expect(report.failed(strict: true))
    }

    /// A merge revision's empty up needs no down, as for `downgrade`: it round-trips.
    @Test(arguments: DriverKind.allCases)
    func severalHeadsAreAllWalkedAndFailAMergeRoundTrips(driver: DriverKind) async throws {
        let left = MigrationFile(revision: "bbbb0002", parents: ["aaaa0001"], up: "CREATE TABLE a (id int);", down: "DROP TABLE a;")
        let right = MigrationFile(revision: "cccc0003", parents: ["aaaa0001"], up: "CREATE TABLE b (id int);", down: "DROP TABLE b;")
        let branches = try Setup(driver, [Self.users, left, right])
        let report = try await branches.test()
        #expect(report.steps.map(\.status) == [.ok, .ok, .ok])
        #expect(report.heads == ["bbbb0002", "cccc0003"])
        #expect(report.failed(strict: false))

        let merge = MigrationFile(revision: "dddd0004", parents: ["bbbb0002", "cccc0003"], up: "")
        let merged = try await Setup(driver, [Self.users, left, right, merge]).test()
        #expect(merged.steps.map(\.status) == [.ok, .ok, .ok, .ok], "\(merged.steps)")
        #expect(merged.heads == ["dddd0004"])
        #expect(!merged.failed(strict: true))
    }

    @Test func toWalksOnlyTheRevisionAndItsAncestors() async throws {
        let left = MigrationFile(revision: "bbbb0002", parents: ["aaaa0001"], up: "CREATE TABLE a (id int);", down: "DROP TABLE a;")
        let right = MigrationFile(revision: "cccc0003", parents: ["aaaa0001"], up: "CREATE TABLE b (id int);", down: "DROP TABLE b;")
        let setup = try Setup(.sqlite, [Self.users, left, right])
        let report = try await setup.test(to: .revision("bbbb"))
        #expect(report.steps.map(\.revision) == ["aaaa0001", "bbbb0002"])
        #expect(report.to == "bbbb0002")
        #expect(report.heads == ["bbbb0002"], "one branch named: its other heads are not in question")
        #expect(!report.failed(strict: true))
    }

    // MARK: Bad input, refused before anything is created

    @Test func anUnknownToIsARevisionErrorNamingIt() async throws {
        let setup = try Setup(.postgres, [Self.users])
        let error = await #expect(throws: ShoalError.self) { try await setup.test(to: .revision("ffff9999")) }
        #expect(error?.kind == .revision)
        #expect(error?.message.contains("unknown revision `ffff9999`") == true, "\(String(describing: error))")
        let base = await #expect(throws: ShoalError.self) { try await setup.test(to: .base) }
        #expect(base?.kind == .usage)
        #expect(base?.message.contains("--to takes a revision") == true)
    }

    @Test func aDatabaseWithoutMigrationsIsAUsageError() async throws {
        let setup = try Setup(.sqlite, [])
        let error = await #expect(throws: ShoalError.self) { try await setup.test() }
        #expect(error?.kind == .usage)
        #expect(error?.message.contains("app has no migrations") == true, "\(String(describing: error))")
    }

    // MARK: A schema-per-tenant database

    /// The objects go in the schema a tenant would have; one written to
    /// `public.` would be shared by every tenant, and fails its step.
    @Test func aMigrationHardCodingPublicIsCaughtInASchemaPerTenantDatabase() async throws {
        let setup = try Setup(.postgres, [Self.users, Self.email,
                                          MigrationFile(revision: "cccc0003", up: "CREATE TABLE public.audit (id int);",
                                                        down: "DROP TABLE public.audit;")], schemaPerTenant: true)
        let report = try await setup.test()
        #expect(report.steps.map(\.status) == [.ok, .ok, .failed])
        let step = try #require(report.steps.last)
        #expect(step.diff == ["+ column public.audit.id integer", "+ table public.audit"])
        #expect(step.error?.message.contains("outside the tenant's schema") == true, "\(String(describing: step.error))")
    }

    // MARK: The scratch database dropped on every path

    @Test func cancellingTheTaskDropsTheScratchDatabase() async throws {
        let marker = "shoal-test-cancel-" + String(UInt64.random(in: .min ... .max), radix: 16)
        let setup = try Setup(.postgres, [Self.users, MigrationFile(revision: "bbbb0002", up: "SELECT pg_sleep(60) AS \"\(marker)\";")])
        let task = Task { try await setup.test() }
        try await LintObserverTests.waitUntilRunning(marker, in: setup.scratchName)
        task.cancel()
        let error = await #expect(throws: ShoalError.self) { try await task.value }
        #expect(error?.kind == .interrupted)
        #expect(error?.message.contains(setup.scratchName) == true, "\(String(describing: error))")
        try await setup.expectScratchGone()
    }
}
