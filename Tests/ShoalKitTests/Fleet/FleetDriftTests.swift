import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// `shoal drift` in process (SPEC §10.1) on both drivers: a tenant changed
/// by hand drifts from its group's majority or from the files; missing
/// tenants are uninitialized, unreachable shards unreachable.
@Suite("FleetDrift")
struct FleetDriftTests {
    static let r1 = "aaaa0001"
    static let r2 = "bbbb0002"

    /// A multi-tenant database `app` (SQLite files, or schemas `app_{tenant}`
    /// of a scratch PostgreSQL database) with two migrations.
    struct Setup {
        let driver: DriverKind
        let directory: TemporaryDirectory
        let url: String?
        let fleet: Fleet

        init(_ driver: DriverKind, url: String?, tenants: [String]) throws {
            self.driver = driver
            self.url = url
            directory = try TemporaryDirectory()
            try MigrationFile(revision: r1, message: "users", up: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
                              down: "DROP TABLE users;").write(in: directory, as: "versions/app/\(r1).sql")
            try MigrationFile(revision: r2, parents: [r1], message: "email",
                              up: "ALTER TABLE users ADD COLUMN email TEXT;\nCREATE INDEX users_name ON users (name);",
                              down: "DROP INDEX users_name;\nALTER TABLE users DROP COLUMN email;")
                .write(in: directory, as: "versions/app/\(r2).sql")
            let database = try DatabaseConfig.app(driver, url: url, in: directory, tenants: tenants)
            fleet = Fleet(config: FleetConfig(directory: directory.path, databases: [database]))
        }

        /// Runs `body` on a setup whose PostgreSQL tenants live in a scratch database.
        static func with(_ driver: DriverKind, tenants: [String], _ body: (Setup) async throws -> Void) async throws {
            switch driver {
            case .sqlite: try await body(Setup(driver, url: nil, tenants: tenants))
            case .postgres: try await PostgresTestServer.withScratchDatabase { url in try await body(Setup(driver, url: url, tenants: tenants)) }
            }
        }

        func upgrade(_ tenants: [String], to revision: RevisionSpec = .head) async throws {
            let targets = try await fleet.targets(TargetSelector(tenants: tenants))
            let report = try await FleetRunner(fleet: fleet).run(.upgrade(revision), targets: targets)
            #expect(report.targets.allSatisfy { $0.status == .ok }, "\(report.targets)")
        }

        /// Runs `sql` in a tenant behind shoal's back (its schema first in the search path).
        func byHand(_ tenant: String, _ sql: String) async throws {
            switch driver {
            case .sqlite:
                let session = try await SQLiteSession.open(path: directory.file("tenants/\(tenant).sqlite"), mode: .readWrite)
                try await session.closing { try await session.execute(sql) }
            case .postgres:
                let session = try await PostgresSession.connect(url!)
                try await session.closing {
                    try await session.setSearchPath("app_\(tenant)", local: false)
                    try await session.execute(sql)
                }
            }
        }

        func drift(against: DriftReport.Against = .majority, scratchName: String = newScratchName()) async throws -> DriftReport {
            var drift = FleetDrift(fleet: fleet, concurrency: 4)
            drift.scratchName = { scratchName + "_" + String(UInt32.random(in: .min ... .max), radix: 16) }
            let report = try await drift.drift(of: try await fleet.targets(), against: against)
            if driver == .postgres { #expect(try await scratchDatabases(scratchName).isEmpty, "scratch databases dropped") }
            return report
        }

        func state(_ report: DriftReport, _ tenant: String) -> TargetDrift? {
            report.targets.first { $0.tenant == tenant }
        }
    }

    static func newScratchName() -> String {
        "shoal_scratch_drift" + String(UInt32.random(in: .min ... .max), radix: 16)
    }

    static func scratchDatabases(_ prefix: String) async throws -> [String] {
        let session = try await PostgresSession.connect(try PostgresTestServer.url())
        return try await session.closing {
            try await session.query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]).compactMap { $0[0] }
        }
    }

    @Test(arguments: DriverKind.allCases)
    func allTheSameIsSameAndNoDrift(_ driver: DriverKind) async throws {
        try await Setup.with(driver, tenants: ["a", "b", "c"]) { setup in
            try await setup.upgrade(["*"])
            let report = try await setup.drift()
            #expect(report.targets.map(\.state) == [.same, .same, .same])
            #expect(report.groups.count == 1 && report.groups[0].revisions == [Self.r2] && report.groups[0].targets == 3)
            #expect(report.groups[0].fingerprint == report.targets[0].fingerprint)
            #expect(!report.hasDrift)
        }
    }

    /// Two tenants drifted two ways in a group of four: the other two are
    /// still the most common schema, and the reference.
    @Test(arguments: DriverKind.allCases)
    func aHandAddedIndexAndADroppedColumnDriftFromTheMajority(_ driver: DriverKind) async throws {
        try await Setup.with(driver, tenants: ["a", "b", "c", "d"]) { setup in
            try await setup.upgrade(["*"])
            try await setup.byHand("b", "CREATE INDEX users_email ON users (email)")
            try await setup.byHand("c", "ALTER TABLE users DROP COLUMN email")
            let report = try await setup.drift()
            #expect(report.targets.map(\.state) == [.same, .drifted, .drifted, .same])
            let index = driver == .postgres
                ? "+ index {schema}.users_email CREATE INDEX users_email ON {schema}.users USING btree (email)"
                : "+ index users.users_email CREATE INDEX users_email ON users (email)"
            #expect(setup.state(report, "b")?.diff == [index])
            let column = driver == .postgres ? "- column {schema}.users.email text" : "- column users.email TEXT"
            #expect(setup.state(report, "c")?.diff == [column])
            #expect(report.groups[0].fingerprint == setup.state(report, "a")?.fingerprint)
            #expect(report.hasDrift)
        }
    }

    @Test(arguments: DriverKind.allCases)
    func twoAgainstTwoIsAmbiguous(_ driver: DriverKind) async throws {
        try await Setup.with(driver, tenants: ["a", "b", "c", "d"]) { setup in
            try await setup.upgrade(["*"])
            try await setup.byHand("a", "CREATE TABLE notes (id INTEGER)")
            try await setup.byHand("b", "CREATE TABLE notes (id INTEGER)")
            let report = try await setup.drift()
            #expect(report.targets.map(\.state) == [.ambiguous, .ambiguous, .ambiguous, .ambiguous])
            #expect(report.groups[0].fingerprint == nil)
            #expect(report.groups[0].message?.contains("no single most common schema") == true)
            #expect(report.hasDrift)
        }
    }

    /// Tenants at an older revision are their own group; a tenant whose
    /// schema or file does not exist is uninitialized, not an error.
    @Test(arguments: DriverKind.allCases)
    func olderRevisionsAreTheirOwnGroupAndMissingTenantsUninitialized(_ driver: DriverKind) async throws {
        try await Setup.with(driver, tenants: ["a", "b", "old", "new"]) { setup in
            try await setup.upgrade(["a", "b"])
            try await setup.upgrade(["old"], to: .revision(Self.r1))
            let report = try await setup.drift()
            #expect(report.targets.map(\.state) == [.same, .same, .uninitialized, .same])  // a, b, new, old
            #expect(report.groups.map(\.revisions) == [[Self.r2], [Self.r1]])
            #expect(report.groups.map(\.targets) == [2, 1])
            let missing = try #require(setup.state(report, "new"))
            #expect(missing.fingerprint == nil && missing.revisions.isEmpty)
            #expect(missing.message?.contains(driver == .postgres ? "schema app_new does not exist" : "new.sqlite does not exist") == true,
                    "\(missing.message ?? "")")
            #expect(!report.hasDrift)
        }
    }

    /// Every tenant changed the same way by hand is the majority, but not
    /// what the files build; one reference per group (two revisions here).
    @Test(arguments: DriverKind.allCases)
    func againstFilesFindsEveryTenantDriftedWithOneReferencePerGroup(_ driver: DriverKind) async throws {
        try await Setup.with(driver, tenants: ["a", "b", "old"]) { setup in
            try await setup.upgrade(["a", "b"])
            try await setup.upgrade(["old"], to: .revision(Self.r1))
            for tenant in ["a", "b"] { try await setup.byHand(tenant, "CREATE TABLE notes (id INTEGER)") }
            #expect(try await setup.drift().targets.map(\.state) == [.same, .same, .same])
            let report = try await setup.drift(against: .files)
            #expect(report.against == .files)
            #expect(report.targets.map(\.state) == [.drifted, .drifted, .same])
            let table = driver == .postgres ? "+ table {schema}.notes" : "+ table notes"
            #expect(setup.state(report, "a")?.diff.contains(table) == true, "\(setup.state(report, "a")?.diff ?? [])")
            #expect(report.groups.count == 2)
            #expect(report.groups[1].fingerprint == setup.state(report, "old")?.fingerprint)
            #expect(report.groups[0].fingerprint != nil && report.groups[0].fingerprint != setup.state(report, "a")?.fingerprint)
        }
    }

    @Test(arguments: DriverKind.allCases)
    func againstFilesAGroupAtRevisionsTheFilesLackIsAmbiguous(_ driver: DriverKind) async throws {
        try await Setup.with(driver, tenants: ["a", "b"]) { setup in
            try await setup.upgrade(["*"])
            try await setup.byHand("b", "UPDATE shoal_version SET revision = 'ffff9999'")
            let report = try await setup.drift(against: .files)
            #expect(report.targets.map(\.state) == [.same, .ambiguous])
            #expect(setup.state(report, "b")?.message?.contains("ffff9999 is not in") == true, "\(report.targets)")
            #expect(report.groups.map(\.revisions) == [[Self.r2], ["ffff9999"]])
        }
    }

    /// A SQLite file that is not a database cannot be read: that tenant is
    /// unreachable, with SQLite's reason; the others are compared.
    @Test func aSQLiteFileThatIsNotADatabaseIsUnreachable() async throws {
        try await Setup.with(.sqlite, tenants: ["a", "b", "broken"]) { setup in
            try await setup.upgrade(["a", "b"])
            try setup.directory.write(String(repeating: "not a database ", count: 100), to: "tenants/broken.sqlite")
            let report = try await setup.drift()
            #expect(report.targets.map(\.state) == [.same, .same, .unreachable])
            #expect(report.targets[2].message?.contains("not a database") == true, "\(report.targets[2])")
            #expect(report.groups.map(\.targets) == [2])
        }
    }

    /// A shard that cannot be reached: its tenants are unreachable (its
    /// password never shown), the other shard's are still compared.
    @Test func anUnreachableShardIsReportedAndTheOtherCompared() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let directory = try TemporaryDirectory()
            try MigrationFile(revision: Self.r1, message: "users", up: "CREATE TABLE users (id int);")
                .write(in: directory, as: "versions/app/\(Self.r1).sql")
            try directory.write(#"[{"name": "a", "shard": "up"}, {"name": "b", "shard": "up"}, {"name": "c", "shard": "down"}]"#,
                                to: "tenants.json")
            let down = "postgres://postgres:Sup3rSecret@127.0.0.1:1/app?connect_timeout=2"
            let database = DatabaseConfig(name: "app", driver: .postgres,
                                          shards: [ShardConfig(name: "up", url: url), ShardConfig(name: "down", url: down)],
                                          tenants: .registry(path: directory.file("tenants.json")),
                                          versionsDirectory: directory.file("versions/app"))
            let fleet = Fleet(config: FleetConfig(directory: directory.path, databases: [database]))
            let up = try await fleet.targets(TargetSelector(shards: ["up"]))
            _ = try await FleetRunner(fleet: fleet).run(.upgrade(.head), targets: up)
            let report = try await FleetDrift(fleet: fleet, concurrency: 4).drift(of: try await fleet.targets())
            #expect(report.targets.map(\.state) == [.same, .same, .unreachable])
            let unreachable = report.targets[2]
            #expect(unreachable.message?.isEmpty == false && unreachable.message?.contains("Sup3rSecret") == false, "\(unreachable)")
            #expect(report.summary.unreachable == 1 && !report.hasDrift)
        }
    }

    /// A shard's tenant schemas are read over one session: opening more
    /// tenants opens no more sessions on the server.
    @Test func aShardsSchemasAreReadOverOneSession() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let tenants = (1...12).map { "t\($0)" }
            let setup = try Setup(.postgres, url: url, tenants: tenants)
            try await setup.upgrade(["*"])
            let database = try #require(PostgresURL.databaseName(of: url))
            let before = try await BatchReaderTests.sessionsOpened(database)
            let report = try await setup.drift()
            #expect(report.targets.count == 12 && report.summary.same == 12)
            #expect(try await BatchReaderTests.sessionsOpened(database) - before == 1, "one session for the shard's 12 schemas")
        }
    }
}
