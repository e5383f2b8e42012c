import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// `shoal lint --observe` against the real PostgreSQL of `scripts/test`:
/// what PostgreSQL 15 shows for each kind of statement, the findings, and
/// the scratch database gone afterwards on every path.
@Suite struct LintObserverTests {
    /// A table with rows, the base every observed migration builds on.
    static let base = MigrationFile(revision: "aaaa0001", message: "users", up: """
        CREATE TABLE users (id int PRIMARY KEY, age int, name text);
        INSERT INTO users SELECT g, g, 'u' || g FROM generate_series(1, 100) g;
        """)

    /// `files` (after ``base``, each the child of the one before, unless it
    /// names its parents) as a database's migrations, on the test server.
    struct Setup {
        let directory: TemporaryDirectory
        let fleet: Fleet
        let database: DatabaseConfig
        let graph: RevisionGraph
        let scratchName: String

        init(_ files: [MigrationFile], base: MigrationFile? = LintObserverTests.base, scratchName: String = newScratchName(),
             configure: (inout DatabaseConfig, TemporaryDirectory) throws -> Void = { _, _ in }) throws {
            self.scratchName = scratchName
            directory = try TemporaryDirectory()
            var parent: String?
            for var file in (base.map { [$0] } ?? []) + files {
                if file.parents.isEmpty, let parent { file.parents = [parent] }
                try file.write(in: directory, as: "versions/app/\(file.revision).sql")
                parent = file.revision
            }
            var database = DatabaseConfig(name: "app", driver: .postgres, url: try PostgresTestServer.url(),
                                          versionsDirectory: directory.file("versions/app"))
            try configure(&database, directory)
            self.database = database
            fleet = Fleet(config: FleetConfig(directory: directory.path, databases: [database]))
            graph = try fleet.graph(for: database)
        }

        /// Observes the migrations (`selection`: the revisions given, or
        /// all but the base) and checks that the scratch database is gone.
        func observe(_ selection: Set<String>? = nil) async throws -> LintObservation {
            let selection = selection ?? Set(graph.migrations.map(\.revision)).subtracting([LintObserverTests.base.revision])
            let prefix = directory.path + "/"
            do {
                let observation = try await LintObserver(fleet: fleet).observe(
                    database, graph: graph, selection: selection,
                    displayPath: { $0.path.hasPrefix(prefix) ? String($0.path.dropFirst(prefix.count)) : $0.path }, scratchName: scratchName)
                try await expectScratchDatabaseGone()
                return observation
            } catch {
                // A cancelled task cannot query; the cancelling test checks itself.
                if !Task.isCancelled { try await expectScratchDatabaseGone() }
                throw error
            }
        }

        func expectScratchDatabaseGone(sourceLocation: SourceLocation = #_sourceLocation) async throws {
            #expect(try await LintObserverTests.databaseExists(scratchName) == false, "scratch database left behind",
                    sourceLocation: sourceLocation)
        }
    }

    static func newScratchName() -> String {
        "shoal_scratch_test_" + String(UInt64.random(in: .min ... .max), radix: 16)
    }

    /// Polls until a statement containing `marker` runs in `database`,
    /// for up to 120 s (a full run on two cores can be that slow to start it).
    static func waitUntilRunning(_ marker: String, in database: String) async throws {
        let watcher = try await PostgresSession.connect(try PostgresTestServer.url())
        try await watcher.closing {
            let deadline = ContinuousClock.now + .seconds(120)
            while try await watcher.query("SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%' || $2 || '%'",
                                          [database, marker]).isEmpty {
                try #require(ContinuousClock.now < deadline, "the statement never started")
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    static func databaseExists(_ name: String) async throws -> Bool {
        let session = try await PostgresSession.connect(try PostgresTestServer.url())
        return try await session.closing {
            try await session.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).count == 1
        }
    }

    // MARK: What PostgreSQL 15 shows

    @Test func alterColumnTypeIntToBigintRewritesTheTable() async throws {
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: "ALTER TABLE users ALTER COLUMN age TYPE bigint;")])
        let observation = try await setup.observe()
        let statement = try #require(observation.statements.first)
        #expect(observation.statements.count == 1)
        #expect(statement.rewrites == ["users", "users_pkey"])
        #expect(statement.locks.contains(StatementObservation.Lock(table: "users", mode: "AccessExclusiveLock")))
        #expect(statement.line == 5, "headers, a blank line, `-- shoal:up`, then the statement")
        #expect(observation.findings.map(\.rule) == [.observedRewrite])
        let finding = try #require(observation.findings.first)
        #expect(finding.file == "versions/app/bbbb0002.sql")
        #expect(finding.line == 5)
        #expect(finding.revision == "bbbb0002")
        #expect(finding.severity == .error)
        #expect(finding.statement == "ALTER TABLE users ALTER COLUMN age TYPE bigint")
    }

    @Test func addColumnTakesAccessExclusiveAndRewritesNothing() async throws {
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: "ALTER TABLE users ADD COLUMN x int;")])
        let observation = try await setup.observe()
        let statement = try #require(observation.statements.first)
        #expect(statement.locks == [StatementObservation.Lock(table: "users", mode: "AccessExclusiveLock")])
        #expect(statement.rewrites.isEmpty)
        #expect(statement.scans.isEmpty)
        #expect(observation.findings.isEmpty)
    }

    @Test func setNotNullScansTheTableUnderLock() async throws {
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: "ALTER TABLE users ALTER COLUMN name SET NOT NULL;")])
        let observation = try await setup.observe()
        let statement = try #require(observation.statements.first)
        #expect(statement.scans == ["users"])
        #expect(statement.rewrites.isEmpty)
        #expect(statement.locks == [StatementObservation.Lock(table: "users", mode: "AccessExclusiveLock")])
        #expect(observation.findings.map(\.rule) == [.observedScanUnderLock])
    }

    @Test func plainCreateIndexHoldsShareLock() async throws {
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: "CREATE INDEX users_age ON users (age);")])
        let observation = try await setup.observe()
        let statement = try #require(observation.statements.first)
        #expect(statement.locks == [StatementObservation.Lock(table: "users", mode: "ShareLock")])
        #expect(statement.scans == ["users"], "PostgreSQL counts the build's heap scan in seq_scan")
        #expect(observation.findings.map(\.rule) == [.observedScanUnderLock, .observedBlocksWrites])
        #expect(observation.findings.last?.severity == .warning)
    }

    @Test func createIndexConcurrentlyHoldsNoBlockingLock() async throws {
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: """
            CREATE INDEX CONCURRENTLY users_age ON users (age);
            ANALYZE users;
            """, transactional: false)])
        let observation = try await setup.observe()
        #expect(observation.statements.count == 2)
        let build = try #require(observation.statements.first)
        #expect(!build.locksObserved, "it cannot run in a transaction: its locks are gone when shoal looks")
        #expect(build.locks.isEmpty)
        #expect(build.rewrites.isEmpty)
        #expect(build.scans == ["users"], "seen outside a transaction too")
        let analyze = try #require(observation.statements.last)
        #expect(analyze.locksObserved, "a statement that can run in a transaction runs in one of its own")
        #expect(analyze.locks.contains(StatementObservation.Lock(table: "users", mode: "ShareUpdateExclusiveLock")))
        #expect(analyze.locks.allSatisfy { $0.strength < StatementObservation.Lock.blocksWrites })
        #expect(observation.findings.isEmpty)
    }

    @Test func aRewriteInATransactionFalseMigrationIsSeen() async throws {
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: "VACUUM FULL users;", transactional: false)])
        let observation = try await setup.observe()
        #expect(observation.statements.first?.rewrites == ["users", "users_pkey"])
        #expect(observation.findings.map(\.rule) == [.observedRewrite])
    }

    @Test func constraintNotValidThenValidateScansUnderAWeakerLock() async throws {
        let setup = try Setup([
            MigrationFile(revision: "bbbb0002", up: "ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0) NOT VALID;"),
            MigrationFile(revision: "cccc0003", up: "ALTER TABLE users VALIDATE CONSTRAINT age_positive;"),
        ])
        let observation = try await setup.observe()
        #expect(observation.statements.map(\.scans) == [[], ["users"]])
        #expect(observation.statements.first?.locks == [StatementObservation.Lock(table: "users", mode: "AccessExclusiveLock")])
        #expect(observation.statements.last?.locks == [StatementObservation.Lock(table: "users", mode: "ShareUpdateExclusiveLock")])
        #expect(observation.findings.isEmpty)
    }

    @Test func tablesCreatedInTheSameMigrationAreNotReported() async throws {
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: """
            CREATE TABLE orders (id int, user_id int);
            CREATE INDEX orders_user ON orders (user_id);
            ALTER TABLE orders ALTER COLUMN id TYPE bigint;
            """)])
        let observation = try await setup.observe()
        #expect(observation.statements.map(\.line) == [5, 6, 7])
        #expect(observation.statements.allSatisfy { $0.locks.isEmpty && $0.rewrites.isEmpty && $0.scans.isEmpty })
        #expect(observation.findings.isEmpty)
    }

    @Test func eachStatementIsBlamedForItsOwnWork() async throws {
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: """
            ALTER TABLE users ALTER COLUMN age TYPE bigint;
            ALTER TABLE users ADD COLUMN x int;
            """)])
        let observation = try await setup.observe()
        #expect(observation.statements.map(\.rewrites) == [["users", "users_pkey"], []])
        // Locks stay until COMMIT: the second statement still holds the first one's.
        #expect(observation.findings.map(\.line) == [5])
    }

    @Test func migrationsOutsideTheSelectionRunUnobserved() async throws {
        let setup = try Setup([
            MigrationFile(revision: "bbbb0002", up: "CREATE INDEX users_age ON users (age);"),
            MigrationFile(revision: "cccc0003", up: "ALTER TABLE users ADD COLUMN x int;"),
        ])
        let observation = try await setup.observe(["cccc0003"])
        #expect(observation.statements.map(\.revision) == ["cccc0003"])
        #expect(observation.findings.isEmpty)
    }

    @Test func allowCommentsAndTheAllowHeaderAllowObservedFindings() async throws {
        let setup = try Setup([
            MigrationFile(revision: "bbbb0002", up: """
                -- shoal:allow observed-rewrite 100 rows, rewritten in a millisecond
                ALTER TABLE users ALTER COLUMN age TYPE bigint;
                ALTER TABLE users ALTER COLUMN id TYPE bigint;
                """),
            MigrationFile(revision: "cccc0003", up: "ALTER TABLE users ALTER COLUMN name SET NOT NULL;",
                          allow: ["observed-scan-under-lock"]),
        ])
        let observation = try await setup.observe()
        #expect(observation.findings.map(\.rule) == [.observedRewrite, .observedRewrite, .observedScanUnderLock])
        #expect(observation.findings.map(\.line) == [6, 7, 6], "the `-- allow:` header is a line of its own")
        #expect(observation.findings.map(\.allowed) == [true, false, true])
        #expect(observation.findings.first?.statement == "ALTER TABLE users ALTER COLUMN age TYPE bigint",
                "the allow comment above is not part of the statement")
    }

    // MARK: Where the scratch database lives

    /// Every migration runs in the one scratch database, in the schema a
    /// tenant named `shoal_scratch` would have.
    @Test func aSchemaPerTenantDatabaseIsBuiltInATenantsSchema() async throws {
        let scratchName = Self.newScratchName()
        let check = """
            DO $$ BEGIN
              IF current_schema() <> 'tenant_shoal_scratch' OR current_database() <> '\(scratchName)' THEN
                RAISE EXCEPTION 'in %.%', current_database(), current_schema();
              END IF;
            END $$;
            """
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: check + "\nALTER TABLE users ADD COLUMN x int;"),
                               MigrationFile(revision: "cccc0003", up: check)], scratchName: scratchName) { database, _ in
            database.tenants = .registry(path: "/nonexistent/tenants.json")
            database.scratchURL = database.url
        }
        let observation = try await setup.observe()
        #expect(observation.statements.count == 3)
        #expect(observation.statements[1].locks == [StatementObservation.Lock(table: "users", mode: "AccessExclusiveLock")])
    }

    // MARK: Failures, and the scratch database dropped on every path

    @Test func aFailingMigrationNamesItsFileLineAndRevision() async throws {
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: "ALTER TABLE users ADD COLUMN x int;\nSELECT 1 / 0;")])
        let error = await #expect(throws: ShoalError.self) { try await setup.observe() }
        #expect(error?.file == "versions/app/bbbb0002.sql")
        #expect(error?.line == 6)
        #expect(error?.revision == "bbbb0002")
        #expect(error?.message.contains("app bbbb0002 failed on the scratch database: ") == true, "\(String(describing: error))")
        #expect(error?.message.contains("division by zero") == true)
        #expect(error?.kind == .database)
    }

    @Test func aFailingStatementOfATransactionFalseMigrationIsNamed() async throws {
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: """
            CREATE INDEX CONCURRENTLY users_age ON users (age);
            CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);
            """, transactional: false)])
        let error = await #expect(throws: ShoalError.self) { try await setup.observe() }
        #expect(error?.line == 7)
        #expect(error?.message.contains("relation \"orders\" does not exist") == true, "\(String(describing: error))")
    }

    @Test func aFailingMigrationOutsideTheSelectionIsNamedToo() async throws {
        let setup = try Setup([
            MigrationFile(revision: "bbbb0002", up: "SELECT 1;\nALTER TABLE nowhere ADD COLUMN x int;"),
            MigrationFile(revision: "cccc0003", up: "SELECT 1;"),
        ])
        let error = await #expect(throws: ShoalError.self) { try await setup.observe(["cccc0003"]) }
        #expect(error?.file == "versions/app/bbbb0002.sql")
        #expect(error?.line == 6)
        #expect(error?.revision == "bbbb0002")
    }

    @Test func cancellingTheTaskDropsTheScratchDatabase() async throws {
        let marker = "shoal-cancel-" + String(UInt64.random(in: .min ... .max), radix: 16)
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: "SELECT pg_sleep(60) AS \"\(marker)\";")])
        let task = Task { try await setup.observe() }
        try await Self.waitUntilRunning(marker, in: setup.scratchName)
        task.cancel()
        let error = await #expect(throws: ShoalError.self) { try await task.value }
        #expect(error?.kind == .interrupted)
        #expect(error?.message.contains(setup.scratchName) == true, "\(String(describing: error))")
        try await setup.expectScratchDatabaseGone()
    }

    @Test func anUnreachableServerNamesItAndScratchURL() async throws {
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: "SELECT 1;")]) { database, _ in
            database.scratchURL = "postgres://linter:secret-pw@127.0.0.1:1/postgres"
        }
        let error = await #expect(throws: ShoalError.self) { try await setup.observe() }
        #expect(error?.kind == .config, "the CLI exits 2")
        #expect(error?.message.contains("127.0.0.1:1") == true, "\(String(describing: error))")
        #expect(error?.message.contains("secret-pw") == false)
        #expect(error?.hint?.contains("databases.app.scratch_url") == true)
    }

    @Test func aRoleWithoutCreatedbIsNamedWithThePrivilege() async throws {
        let role = "shoal_nocreatedb_" + String(UInt64.random(in: .min ... .max), radix: 16)
        let serverURL = try PostgresTestServer.url()
        let admin = try await PostgresSession.connect(serverURL)
        try await admin.closing {
            try await admin.execute("CREATE ROLE \(role) LOGIN NOCREATEDB")
            do {
                let setup = try Setup([MigrationFile(revision: "bbbb0002", up: "SELECT 1;")]) { database, _ in
                    database.scratchURL = serverURL.replacingOccurrences(of: "://postgres@", with: "://\(role)@")
                }
                let error = await #expect(throws: ShoalError.self) { try await setup.observe() }
                #expect(error?.kind == .config)
                #expect(error?.message.contains("role `\(role)` may not create databases") == true, "\(String(describing: error))")
                #expect(error?.message.contains("CREATEDB") == true)
                #expect(error?.hint?.contains("scratch_url") == true)
                #expect(error?.sqlState == "42501")
            } catch {
                try await admin.execute("DROP ROLE \(role)")
                throw error
            }
            try await admin.execute("DROP ROLE \(role)")
        }
    }

    @Test func aMultiTenantDatabaseWithoutTenantsNeedsScratchURL() async throws {
        let setup = try Setup([MigrationFile(revision: "bbbb0002", up: "SELECT 1;")]) { database, directory in
            database.tenants = .registry(path: try directory.write("[]", to: "tenants.json"))
        }
        let error = await #expect(throws: ShoalError.self) { try await setup.observe() }
        #expect(error?.kind == .config)
        #expect(error?.message.contains("app has no targets yet") == true, "\(String(describing: error))")
        #expect(error?.message.contains("databases.app.scratch_url") == true)
    }

    @Test func aSQLiteDatabaseCannotBeObserved() async throws {
        let directory = try TemporaryDirectory()
        try Self.base.write(in: directory, as: "versions/app/aaaa0001.sql")
        let database = DatabaseConfig(name: "app", driver: .sqlite, path: directory.file("app.sqlite"),
                                      versionsDirectory: directory.file("versions/app"))
        let fleet = Fleet(config: FleetConfig(directory: directory.path, databases: [database]))
        let error = await #expect(throws: ShoalError.self) {
            try await LintObserver(fleet: fleet).observe(database, graph: try fleet.graph(for: database))
        }
        #expect(error?.kind == .usage)
        #expect(!FileManager.default.fileExists(atPath: directory.file("app.sqlite")))
    }
}
