import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// What `shoal drift` and `shoal test` compare (SPEC §10.1): each driver's
/// canonical lines, read from the catalog.
@Suite("Schema descriptions read from the catalog")
struct SchemaDescriptionReadTests {
    /// Every kind of object SPEC §10.1 names, made in the current schema.
    static let everyKind = """
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE DOMAIN positive AS integer NOT NULL CHECK (VALUE > 0);
        CREATE TABLE orgs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL DEFAULT '');
        CREATE TABLE users (id serial PRIMARY KEY, org_id bigint REFERENCES orgs (id), email text UNIQUE,
            feeling mood, rank positive, score int CHECK (score > 0), double int GENERATED ALWAYS AS (score * 2) STORED);
        CREATE INDEX users_lower_email ON users (lower(email)) WHERE email IS NOT NULL;
        CREATE VIEW active_users AS SELECT id,
            email FROM users WHERE score > 1;
        CREATE SEQUENCE counter START 5;
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE TABLE shoal_version (revision text PRIMARY KEY);
        CREATE TABLE shoal_version_history (id bigserial PRIMARY KEY, revision text);
        """

    static func tenant(_ schema: String, url: String) -> Target {
        Target(id: "app/\(schema)", database: "app", tenant: schema, driver: .postgres,
               location: .postgres(url: url, schema: schema))
    }

    @Test func postgresDescribesEveryKindWithTheSchemaWrittenAsPlaceholder() async throws {
        try await PostgresTestServer.withScratchSession { session, url in
            for schema in ["tenant_a", "Tenant B"] {
                try await session.execute("CREATE SCHEMA \(session.quoteIdentifier(schema))")
                try await session.setSearchPath(schema, local: false)
                try await session.execute(Self.everyKind)
            }
            try await session.execute("CREATE SCHEMA empty_one")
            let targets = [Self.tenant("tenant_a", url: url), Self.tenant("Tenant B", url: url),
                           Self.tenant("empty_one", url: url), Self.tenant("missing", url: url)]
            let descriptions = try await session.describeSchemas(of: targets, everySchema: false)
            let lines = try #require(descriptions[0]).lines
            // Two tenants in differently named schemas (one that needs
            // quoting) read the same; an empty schema has no lines; a
            // missing one is nil.
            #expect(descriptions[1] == descriptions[0])
            #expect(descriptions[2] == SchemaDescription(lines: []))
            #expect(descriptions[3] == nil)
            let expected = [
                "table {schema}.users",
                "column {schema}.users.id integer not null default nextval('{schema}.users_id_seq'::regclass)",
                "column {schema}.users.feeling {schema}.mood",
                "column {schema}.orgs.id bigint not null generated always as identity",
                "column {schema}.users.double integer generated always as ((score * 2)) stored",
                "constraint {schema}.users.users_org_id_fkey FOREIGN KEY (org_id) REFERENCES {schema}.orgs(id)",
                "constraint {schema}.users.users_score_check CHECK ((score > 0))",
                "constraint {schema}.positive.positive_check CHECK ((VALUE > 0))",
                "index {schema}.users_lower_email CREATE INDEX users_lower_email ON {schema}.users USING btree (lower(email)) WHERE (email IS NOT NULL)",
                "view {schema}.active_users SELECT users.id, users.email FROM {schema}.users WHERE (users.score > 1);",
                "sequence {schema}.counter bigint start 5 increment 1 min 1 max 9223372036854775807 cache 1",
                "trigger {schema}.users.users_touch CREATE TRIGGER users_touch BEFORE UPDATE ON {schema}.users FOR EACH ROW EXECUTE FUNCTION {schema}.touch()",
                "enum {schema}.mood ('sad', 'ok', 'happy')",
                "domain {schema}.positive integer not null",
            ]
            for line in expected { #expect(lines.contains(line), "\(line)") }
            #expect(lines.contains { $0.hasPrefix("function {schema}.touch() returns trigger language plpgsql body sha256:") })
            // shoal's tables, their indexes and sequences are not the schema's.
            #expect(!lines.contains { $0.contains("tenant_a") || $0.contains("shoal_version") })
            #expect(SchemaDescription(lines: lines).fingerprint.count == 12)
        }
    }

    @Test func sqliteDescribesEveryKind() async throws {
        try await ScratchDatabase.withSession(.sqlite) { session, _ in
            try await session.execute("""
                CREATE TABLE orgs (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');
                CREATE TABLE users (id INTEGER PRIMARY KEY, org_id INTEGER REFERENCES orgs (id) ON DELETE CASCADE,
                    email TEXT UNIQUE, score INT CHECK (score > 0));
                CREATE TABLE pairs (a TEXT, b TEXT, PRIMARY KEY (a, b));
                CREATE INDEX users_email
                    ON users (email);
                CREATE VIEW active_users AS SELECT id FROM users WHERE score > 1;
                CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END;
                CREATE TABLE shoal_version (revision TEXT PRIMARY KEY);
                """)
            let target = Target(id: "edge/a", database: "edge", tenant: "a", driver: .sqlite, location: .sqlite(path: "/x"))
            let lines = try #require(try await session.describeSchemas(of: [target], everySchema: false)[0]).lines
            #expect(lines == [
                "column orgs.id INTEGER primary key 1",
                "column orgs.name TEXT not null default ''",
                "column pairs.a TEXT primary key 1",
                "column pairs.b TEXT primary key 2",
                "column users.email TEXT",
                "column users.id INTEGER primary key 1",
                "column users.org_id INTEGER",
                "column users.score INT",
                "constraint pairs primary key (a, b)",
                "constraint users unique (email)",
                "foreign-key users (org_id) references orgs(id) on update NO ACTION on delete CASCADE match NONE",
                "index users.users_email CREATE INDEX users_email ON users (email)",
                "table orgs",
                "table pairs",
                "table users",
                "trigger users.users_touch CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END",
                "view active_users CREATE VIEW active_users AS SELECT id FROM users WHERE score > 1",
            ])
        }
    }

    /// SQLite keeps a table's `CREATE` text as it was edited: a column added
    /// and dropped again, or a table rebuilt the SQLite way, reads the same.
    @Test func sqliteTableRebuiltTheSQLiteWayReadsTheSame() async throws {
        try await ScratchDatabase.withSession(.sqlite) { session, _ in
            let target = Target(id: "edge/a", database: "edge", tenant: "a", driver: .sqlite, location: .sqlite(path: "/x"))
            try await session.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            let before = try await session.describeSchemas(of: [target], everySchema: false)[0]
            try await session.execute("""
                ALTER TABLE users ADD COLUMN email TEXT;
                CREATE TABLE users_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
                INSERT INTO users_new SELECT id, name FROM users;
                DROP TABLE users;
                ALTER TABLE users_new RENAME TO users;
                """)
            #expect(try await session.describeSchemas(of: [target], everySchema: false)[0] == before)
        }
    }

    /// A scratch database's other schemas show with their own names: what
    /// `shoal test` sees of a migration that writes to `public`.
    @Test func postgresEverySchemaAddsTheOtherSchemas() async throws {
        try await PostgresTestServer.withScratchSession { session, url in
            try await session.execute("CREATE SCHEMA tenant_a; CREATE TABLE tenant_a.users (id int); CREATE TABLE public.stray (id int)")
            let target = Self.tenant("tenant_a", url: url)
            let own = try #require(try await session.describeSchemas(of: [target], everySchema: false)[0])
            let every = try #require(try await session.describeSchemas(of: [target], everySchema: true)[0])
            #expect(own.lines == ["column {schema}.users.id integer", "table {schema}.users"])
            #expect(every.diff(against: own) == ["+ column public.stray.id integer", "+ table public.stray"])
        }
    }
}
