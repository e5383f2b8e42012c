import Testing
@testable import ShoalKit

/// The text `shoal sql` prints below its header line, byte for byte, with
/// no database: a DBA runs it as it is, so a changed byte is a changed script.
/// (`SQLCommandTests` runs such scripts on real tenants.)
struct OfflineScriptTests {
    typealias F = GraphFixtures
    static let context = ApplyContext(appliedBy: "dba@ops", shoalVersion: "9.9.9")

    static func script(_ range: String, _ database: DatabaseConfig) throws -> OfflineScript {
        try OfflineScript(range: range, database: database, graph: try F.linear(), context: context)
    }

    @Test func fromBaseCreatesTheVersionTablesThenRunsEachStep() throws {
        let tenants = DatabaseConfig(name: "app", driver: .sqlite, path: "/fleet/tenants/{tenant}.sqlite",
                                     tenants: .registry(path: "/fleet/tenants.json"), versionsDirectory: "/fleet/versions/core")
        let script = try Self.script("two2", tenants)
        #expect(script.plan.steps.map(\.revision) == ["one1", "two2"])
        #expect(script.text == """
            -- run once per tenant, on the tenant's own file (/fleet/tenants/{tenant}.sqlite)

            CREATE TABLE IF NOT EXISTS "shoal_version" (revision text PRIMARY KEY);
            CREATE TABLE IF NOT EXISTS "shoal_version_history" (id INTEGER PRIMARY KEY AUTOINCREMENT, revision text NOT NULL, operation text NOT NULL, checksum text, applied_at text NOT NULL, duration_ms integer NOT NULL, applied_by text NOT NULL, shoal_version text NOT NULL, run_id text);
            CREATE TABLE IF NOT EXISTS "shoal_version_dirty" (revision text NOT NULL, operation text NOT NULL, started_at text NOT NULL);


            -- upgrade one1
            BEGIN IMMEDIATE;
            CREATE TABLE t_one1 (id int);
            INSERT INTO "shoal_version" (revision) VALUES ('one1');
            INSERT INTO "shoal_version_history" (revision, operation, checksum, applied_at, duration_ms, applied_by, shoal_version) VALUES ('one1', 'upgrade', '4a7c73e2003989f059cc403e697f41ca9b0a1e6f80b5de1a8279961dc4a202a3', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 0, 'dba@ops', '9.9.9');
            COMMIT;


            -- upgrade two2
            BEGIN IMMEDIATE;
            CREATE TABLE t_two2 (id int);
            DELETE FROM "shoal_version" WHERE revision = 'one1';
            INSERT INTO "shoal_version" (revision) VALUES ('two2');
            INSERT INTO "shoal_version_history" (revision, operation, checksum, applied_at, duration_ms, applied_by, shoal_version) VALUES ('two2', 'upgrade', 'f51b63b48f9bf5492b89fb866b36d6b6b107e56f720bb100d121a100b9c00ae7', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 0, 'dba@ops', '9.9.9');
            COMMIT;


            """)
    }

    @Test func pastBaseInATenantSchemaSetsTheSearchPathThenRunsEachStep() throws {
        let tenants = DatabaseConfig(name: "app", driver: .postgres, url: "postgresql://h/app", schemaTemplate: "t_{tenant}",
                                     tenants: .registry(path: "/fleet/tenants.json"), versionsDirectory: "/fleet/versions/core",
                                     versionTable: "versions")
        let script = try Self.script("four4:three3", tenants)
        #expect(script.plan.steps.map(\.revision) == ["four4"])
        #expect(script.text == """
            -- run once per tenant; t_{tenant} stands for the tenant's schema

            SET search_path TO "t_{tenant}";


            -- downgrade four4
            BEGIN;
            DROP TABLE t_four4;
            DELETE FROM "t_{tenant}"."versions" WHERE revision = 'four4';
            INSERT INTO "t_{tenant}"."versions" (revision) VALUES ('three3');
            INSERT INTO "t_{tenant}"."versions_history" (revision, operation, checksum, applied_at, duration_ms, applied_by, shoal_version) VALUES ('four4', 'downgrade', 'a856c94b2968709e1e45b09c4311f4162ff0286c29814096dbe1de1cd23231df', now(), 0, 'dba@ops', '9.9.9');
            COMMIT;


            """)
    }

    @Test func singleDatabaseScriptHasNoTenantNoteAndNoSearchPath() throws {
        let core = DatabaseConfig(name: "core", driver: .postgres, url: "postgresql://h/core", versionsDirectory: "/fleet/versions/core")
        let script = try Self.script("three3:four4", core)
        #expect(script.text == """

            -- upgrade four4
            BEGIN;
            CREATE TABLE t_four4 (id int);
            DELETE FROM "shoal_version" WHERE revision = 'three3';
            INSERT INTO "shoal_version" (revision) VALUES ('four4');
            INSERT INTO "shoal_version_history" (revision, operation, checksum, applied_at, duration_ms, applied_by, shoal_version) VALUES ('four4', 'upgrade', 'a856c94b2968709e1e45b09c4311f4162ff0286c29814096dbe1de1cd23231df', now(), 0, 'dba@ops', '9.9.9');
            COMMIT;


            """)
    }

    /// SPEC §14: with a `role`, the script first becomes that role, as a
    /// live session does, so what it creates belongs to it; a shard with a
    /// role of its own is named in a comment.
    @Test func aRoleIsSetBeforeAnythingElse() throws {
        var core = DatabaseConfig(name: "core", driver: .postgres, shards: [
            ShardConfig(name: "eu", url: "postgresql://h/eu"),
            ShardConfig(name: "us", url: "postgresql://h/us", role: "US \"owner\""),
        ], versionsDirectory: "/fleet/versions/core")
        core.settings.role = "app_owner"
        let script = try Self.script("three3:four4", core)
        #expect(script.text.hasPrefix(#"""

            SET ROLE "app_owner";
            -- on shard us: SET ROLE "US ""owner"""; instead

            -- upgrade four4
            BEGIN;
            """#), "\(script.text)")
    }
}
