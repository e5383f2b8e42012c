import Foundation
import Testing
@testable import ShoalKit

/// The rules of one `databases` entry, and those tying entries together.
@Suite struct DatabaseEntryTests {
    // MARK: Databases

    static let invalidDatabases: [RejectedConfig] = [
        .init("name with space", configWith(#"{"driver": "sqlite", "path": "a"}"#, name: "my app"), "database name `my app` is invalid"),
        .init("name with dot dot", configWith(#"{"driver": "sqlite", "path": "a"}"#, name: "../x"), "database name `../x` is invalid"),
        .init("name starting with dash", configWith(#"{"driver": "sqlite", "path": "a"}"#, name: "-x"), "database name `-x` is invalid"),
        .init("driver missing", configWith(#"{"path": "a"}"#), "`databases.app.driver` is required"),
        .init("driver misspelt", configWith(#"{"driver": "postgresql", "url": "x"}"#), "must be `postgres` or `sqlite`, not `postgresql`; did you mean `postgres`?"),
        .init("sqlite without path", configWith(#"{"driver": "sqlite"}"#), "`databases.app.path` is required for a sqlite database"),
        .init("sqlite with url", configWith(#"{"driver": "sqlite", "path": "a", "url": "x"}"#), "`databases.app.url` does not apply to a sqlite database"),
        .init("sqlite with shards", configWith(#"{"driver": "sqlite", "path": "a", "shards": {}}"#), "`databases.app.shards` does not apply to a sqlite database"),
        .init("sqlite with replicas", configWith(#"{"driver": "sqlite", "path": "a", "replicas": []}"#), "`databases.app.replicas` does not apply"),
        .init("sqlite with layout", configWith(#"{"driver": "sqlite", "path": "a", "layout": "schema"}"#), "`databases.app.layout` does not apply"),
        .init("sqlite with schema", configWith(#"{"driver": "sqlite", "path": "a", "schema": "s"}"#), "`databases.app.schema` does not apply"),
        .init("sqlite tenants without placeholder", configWith(#"{"driver": "sqlite", "path": "a.db", "tenants": "t.json"}"#), "`databases.app.path` must contain `{tenant}`"),
        .init("sqlite placeholder without tenants", configWith(#"{"driver": "sqlite", "path": "{tenant}.db"}"#), "`databases.app.path` contains `{tenant}` but the database has no `tenants`"),
        .init("postgres without url or shards", configWith(#"{"driver": "postgres"}"#), "`databases.app` needs a `url` (one server) or `shards`"),
        .init("postgres with url and shards", configWith(#"{"driver": "postgres", "url": "x", "shards": {"a": {"url": "y"}}}"#), "has both `url` and `shards`"),
        .init("postgres with path", configWith(#"{"driver": "postgres", "url": "x", "path": "a"}"#), "`databases.app.path` does not apply to a postgres database"),
        .init("empty shards", configWith(#"{"driver": "postgres", "shards": {}}"#), "`databases.app.shards` is empty"),
        .init("shard without url", configWith(#"{"driver": "postgres", "shards": {"eu-1": {"max_connections": 2}}}"#), "`databases.app.shards.eu-1.url` is required"),
        .init("shard unknown key", configWith(#"{"driver": "postgres", "shards": {"eu-1": {"url": "x", "max_conections": 2}}}"#), "`databases.app.shards.eu-1.max_conections`", "did you mean `max_connections`?"),
        .init("shard bad name", configWith(#"{"driver": "postgres", "shards": {"eu 1": {"url": "x"}}}"#), "shard name `eu 1` in `databases.app.shards` is invalid"),
        .init("replicas beside shards", configWith(#"{"driver": "postgres", "shards": {"a": {"url": "x"}}, "replicas": []}"#), "list replicas under each shard"),
        .init("replica without name", configWith(#"{"driver": "postgres", "url": "x", "replicas": [{"url": "y"}]}"#), "`databases.app.replicas[0].name` is required"),
        .init("replica without url", configWith(#"{"driver": "postgres", "url": "x", "replicas": [{"name": "r"}]}"#), "`databases.app.replicas[0].url` is required"),
        .init("replica unknown key", configWith(#"{"driver": "postgres", "url": "x", "replicas": [{"name": "r", "uri": "y"}]}"#), "`databases.app.replicas[0].uri`", "did you mean `url`?"),
        .init("replica names repeated", configWith(#"{"driver": "postgres", "url": "x", "replicas": [{"name": "r", "url": "y"}, {"name": "r", "url": "z"}]}"#), "replica name `r` is used twice"),
        .init("replica names repeated across shards", configWith(#"{"driver": "postgres", "shards": {"a": {"url": "x", "replicas": [{"name": "r", "url": "y"}]}, "b": {"url": "x", "replicas": [{"name": "r", "url": "z"}]}}}"#), "replica name `r` is used twice"),
        .init("layout without tenants", configWith(#"{"driver": "postgres", "url": "x", "layout": "schema"}"#), "`databases.app.layout` applies only to a database with `tenants`"),
        .init("layout misspelt", configWith(#"{"driver": "postgres", "url": "x", "layout": "schemas", "tenants": "t.json"}"#), "must be `schema` or `database`, not `schemas`; did you mean `schema`?"),
        .init("schema without tenants", configWith(#"{"driver": "postgres", "url": "x", "schema": "t_{tenant}"}"#), "`databases.app.schema` applies only to a database with `tenants`"),
        .init("schema without placeholder", configWith(#"{"driver": "postgres", "url": "x", "schema": "tenants", "tenants": "t.json"}"#), "`databases.app.schema` must contain `{tenant}`"),
        .init("schema with a quote", configWith(#"{"driver": "postgres", "url": "x", "schema": "t_{tenant}\"; DROP TABLE x; --", "tenants": "t.json"}"#), "`databases.app.schema` `t_{tenant}\"; DROP TABLE x; --` is not a plain schema name"),
        .init("schema in pg_", configWith(#"{"driver": "postgres", "url": "x", "schema": "pg_{tenant}", "tenants": "t.json"}"#), "do not start with `pg_`"),
        .init("schema with layout database", configWith(#"{"driver": "postgres", "url": "postgres://h/a_{tenant}", "layout": "database", "schema": "s_{tenant}", "tenants": "t.json"}"#), "`layout: schema`"),
        .init("layout database without placeholder", configWith(#"{"driver": "postgres", "url": "postgres://h/app", "layout": "database", "tenants": "t.json"}"#), "`databases.app.url`: with `layout: database` the database name in the url must contain `{tenant}`"),
        .init("layout database placeholder outside database name", configWith(#"{"driver": "postgres", "url": "postgres://{tenant}@h/app", "layout": "database", "tenants": "t.json"}"#), "the database name in the url must contain `{tenant}`"),
        .init("layout database shard without placeholder", configWith(#"{"driver": "postgres", "shards": {"a": {"url": "host=h dbname=app"}}, "layout": "database", "tenants": "t.json"}"#), "`databases.app.shards.a.url`: with `layout: database`"),
        .init("placeholder in url without tenants", configWith(#"{"driver": "postgres", "url": "postgres://h/{tenant}"}"#), "`databases.app.url` contains `{tenant}` but the database has no `tenants`"),
        .init("placeholder in url with schema layout", configWith(#"{"driver": "postgres", "url": "postgres://h/{tenant}", "tenants": "t.json"}"#), "only `layout: database` puts `{tenant}` in the url"),
        .init("placeholder in replica url", configWith(#"{"driver": "postgres", "url": "x", "replicas": [{"name": "r", "url": "postgres://h/{tenant}"}]}"#), "`databases.app.replicas[0].url` contains `{tenant}`"),
        .init("placeholder in versions", configWith(#"{"driver": "sqlite", "path": "{tenant}", "tenants": "t.json", "versions": "v/{tenant}"}"#), "`databases.app.versions` cannot contain `{tenant}`"),
        .init("version table with dash", configWith(#"{"driver": "sqlite", "path": "a", "version_table": "my-versions"}"#), "`databases.app.version_table` must be an identifier"),
        .init("version table too long", configWith(#"{"driver": "sqlite", "path": "a", "version_table": "\#(String(repeating: "v", count: 56))"}"#), "at most 55 bytes"),
        .init("tenants empty path", configWith(#"{"driver": "sqlite", "path": "{tenant}", "tenants": ""}"#), "`databases.app.tenants` is empty"),
        .init("tenant query without from", configWith(#"{"driver": "sqlite", "path": "{tenant}", "tenants": {"query": "SELECT 1"}}"#), "`databases.app.tenants.from` is required"),
        .init("tenant query without query", configWith(#"{"driver": "sqlite", "path": "{tenant}", "tenants": {"from": "core"}}"#), "`databases.app.tenants.query` is required"),
        .init("role on sqlite", configWith(#"{"driver": "sqlite", "path": "a", "role": "owner"}"#), "`databases.app.role` does not apply to a sqlite database"),
        .init("role empty", configWith(#"{"driver": "postgres", "url": "x", "role": " "}"#), "`databases.app.role` is empty"),
        .init("role none", configWith(#"{"driver": "postgres", "url": "x", "role": "NONE"}"#), "`databases.app.role` `NONE` is not a role name shoal can SET ROLE to"),
        .init("role too long", configWith(#"{"driver": "postgres", "url": "x", "role": "\#(String(repeating: "r", count: 64))"}"#), "at most 63 bytes"),
        .init("role not a string", configWith(#"{"driver": "postgres", "url": "x", "role": 1}"#), "`databases.app.role`"),
        .init("shard role empty", configWith(#"{"driver": "postgres", "shards": {"eu": {"url": "x", "role": ""}}}"#), "`databases.app.shards.eu.role` is empty"),
        .init("role misspelt", configWith(#"{"driver": "postgres", "url": "x", "rol": "owner"}"#), "`databases.app.rol`", "did you mean `role`?"),
        .init("tenant query unknown key", configWith(#"{"driver": "sqlite", "path": "{tenant}", "tenants": {"query": "q", "form": "core"}}"#), "`databases.app.tenants.form`", "did you mean `from`?"),
    ]

    @Test(arguments: invalidDatabases)
    func invalidDatabaseIsRejectedWithKeyPath(_ rejected: RejectedConfig) throws {
        try expectRejected(rejected)
    }

    @Test func layoutDatabaseAcceptsUrlAndConninfo() throws {
        let json = configWith("""
        {"driver": "postgres", "layout": "database", "tenants": "t.json",
         "shards": {"a": {"url": "postgres://u@h:5432/app_{tenant}?sslmode=require"},
                    "b": {"url": "host=h dbname='app_{tenant}'"}}}
        """)
        let app = try #require(try parseConfig(json).database(named: "app"))
        #expect(app.layout == .database)
        #expect(app.shards.map(\.url) == ["postgres://u@h:5432/app_{tenant}?sslmode=require", "host=h dbname='app_{tenant}'"])
    }

    /// SPEC §14: the database's `role`, and a shard's own where it differs,
    /// reach every target's session settings.
    @Test func roleOfTheDatabaseAndOfAShardReachTheTargets() throws {
        let json = configWith("""
        {"driver": "postgres", "role": "App Owner", "tenants": "t.json",
         "shards": {"eu": {"url": "postgres://h/eu"}, "us": {"url": "postgres://h/us", "role": "us_owner"}}}
        """)
        let app = try #require(try parseConfig(json).database(named: "app"))
        #expect(app.settings.role == "App Owner")
        #expect(app.shards.map(\.role) == [nil, "us_owner"])
        let targets = try TargetResolver.targets(database: app, tenants: [Tenant(name: "acme", shard: "eu"), Tenant(name: "bolt", shard: "us")])
        #expect(targets.map(\.settings.role) == ["App Owner", "us_owner"])
        let plain = try #require(try parseConfig(configWith(#"{"driver": "postgres", "url": "x"}"#)).database(named: "app"))
        #expect(plain.settings.role == nil)
    }

    @Test func tenantQueryRunsOnAnotherPostgresDatabase() throws {
        let json = """
        {"databases": {
          "core": {"driver": "postgres", "url": "postgres://h/core"},
          "app": {"driver": "sqlite", "path": "t/{tenant}.db", "tenants": {"query": "SELECT name FROM tenants", "from": "core"}}}}
        """
        let app = try #require(try parseConfig(json).database(named: "app"))
        #expect(app.tenants == .query(sql: "SELECT name FROM tenants", from: "core"))
    }

    static let invalidReferences: [RejectedConfig] = [
        .init("from unknown", """
            {"databases": {"core": {"driver": "postgres", "url": "x"},
              "app": {"driver": "sqlite", "path": "{tenant}", "tenants": {"query": "q", "from": "cor"}}}}
            """, "`databases.app.tenants.from` names `cor`, which is not a configured database; did you mean `core`?"),
        .init("from itself", """
            {"databases": {"app": {"driver": "postgres", "url": "x", "tenants": {"query": "q", "from": "app"}}}}
            """, "`databases.app.tenants.from` names `app` itself"),
        .init("from sqlite", """
            {"databases": {"core": {"driver": "sqlite", "path": "c.db"},
              "app": {"driver": "sqlite", "path": "{tenant}", "tenants": {"query": "q", "from": "core"}}}}
            """, "names `core`, a sqlite database"),
        .init("from sharded", """
            {"databases": {"core": {"driver": "postgres", "shards": {"a": {"url": "x"}}},
              "app": {"driver": "sqlite", "path": "{tenant}", "tenants": {"query": "q", "from": "core"}}}}
            """, "names `core`, which has several targets"),
        .init("after unknown", """
            {"databases": {"core": {"driver": "sqlite", "path": "c"},
              "app": {"driver": "sqlite", "path": "a", "after": ["coer"]}}}
            """, "`databases.app.after` names `coer`, which is not a configured database; did you mean `core`?"),
        .init("after itself", """
            {"databases": {"app": {"driver": "sqlite", "path": "a", "after": ["app"]}}}
            """, "`databases.app.after` names `app` itself"),
        .init("two-database cycle", """
            {"databases": {"core": {"driver": "sqlite", "path": "c", "after": ["accounts"]},
              "accounts": {"driver": "sqlite", "path": "a", "after": ["core"]}}}
            """, "`after` forms a cycle: accounts -> core -> accounts"),
        .init("three-database cycle", """
            {"databases": {"c": {"driver": "sqlite", "path": "c", "after": ["b"]},
              "b": {"driver": "sqlite", "path": "b", "after": ["a"]},
              "a": {"driver": "sqlite", "path": "a", "after": ["c"]},
              "z": {"driver": "sqlite", "path": "z"}}}
            """, "`after` forms a cycle: a -> c -> b -> a"),
    ]

    @Test(arguments: invalidReferences)
    func crossDatabaseReferencesAreChecked(_ rejected: RejectedConfig) throws {
        try expectRejected(rejected)
    }

    @Test func databasesAreOrderedByAfterThenByName() throws {
        let json = """
        {"databases": {
          "zeta": {"driver": "sqlite", "path": "z"},
          "reports": {"driver": "sqlite", "path": "r", "after": ["billing", "accounts"]},
          "billing": {"driver": "sqlite", "path": "b", "after": ["accounts", "accounts"]},
          "accounts": {"driver": "sqlite", "path": "a", "after": ["core"]},
          "core": {"driver": "sqlite", "path": "c"},
          "alpha": {"driver": "sqlite", "path": "x"}}}
        """
        let config = try parseConfig(json)
        #expect(config.databases.map(\.name) == ["alpha", "core", "accounts", "billing", "reports", "zeta"])
        #expect(config.database(named: "billing")?.after == ["accounts"])
    }
}
