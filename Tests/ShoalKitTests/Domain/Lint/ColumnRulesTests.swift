import Testing
@testable import ShoalKit

struct ColumnRulesTests {
    @Test(arguments: [
        "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()",
        "ALTER TABLE users ADD token uuid NOT NULL DEFAULT public.gen_random_uuid()",
        "ALTER TABLE users ADD COLUMN r float8 DEFAULT random()",
        "ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT clock_timestamp()",
        "ALTER TABLE users ADD COLUMN seen text DEFAULT timeofday()",
        "ALTER TABLE users ADD COLUMN n bigint DEFAULT nextval('users_n_seq')",
        "ALTER TABLE users ADD COLUMN u uuid DEFAULT uuid_generate_v4()",
        "ALTER TABLE users ADD COLUMN n bigserial",
        "ALTER TABLE users ADD COLUMN lower_email text GENERATED ALWAYS AS (lower(email)) STORED",
        "ALTER TABLE users ADD COLUMN a int, ADD COLUMN b float8 DEFAULT (random() * 10)",
    ])
    func volatileDefault(_ sql: String) throws {
        #expect(try lintRules(sql) == ["volatile-default"])
    }

    @Test func volatileDefaultMessageNamesTheColumn() throws {
        let finding = try #require(try lintFindings("ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();").first)
        #expect(finding.message == "column users.token gets a volatile default (gen_random_uuid(…)): PostgreSQL rewrites users under ACCESS EXCLUSIVE to fill it")
    }

    @Test(arguments: [
        "ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now()",
        "ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP",
        "ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true",
        "ALTER TABLE users ADD COLUMN note text DEFAULT 'random()'",
        "ALTER TABLE users ADD COLUMN random int DEFAULT 4",
        "ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid()",
        "CREATE TABLE tokens (id uuid DEFAULT gen_random_uuid());\nALTER TABLE tokens ADD COLUMN r float8 DEFAULT random()",
        "ALTER TABLE users ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY",
    ])
    func notVolatile(_ sql: String) throws {
        #expect(try lintRules(sql).isEmpty)
    }

    @Test(arguments: [
        "ALTER TABLE users ADD COLUMN email text NOT NULL",
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS email text COLLATE \"C\" NOT NULL",
        "ALTER TABLE users ADD COLUMN id int PRIMARY KEY",
    ])
    func notNullWithoutDefault(_ sql: String) throws {
        let rules = try lintRules(sql)
        #expect(rules.first == "not-null-without-default")
    }

    @Test func notNullWithoutDefaultMessage() throws {
        let finding = try #require(try lintFindings("ALTER TABLE users ADD COLUMN email text NOT NULL").first)
        #expect(finding.message == "column users.email is added NOT NULL without a default: the statement fails as soon as users has a row")
    }

    @Test(arguments: [
        "ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT ''",
        "ALTER TABLE users ADD COLUMN email text NULL",
        "ALTER TABLE users ADD COLUMN email text CHECK (email IS NOT NULL)",
        "CREATE TABLE users (id int);\nALTER TABLE users ADD COLUMN email text NOT NULL",
    ])
    func notNullWithDefaultOrNullable(_ sql: String) throws {
        #expect(try lintRules(sql).isEmpty)
    }

    @Test func setNotNullIsAWarning() throws {
        let finding = try #require(try lintFindings("ALTER TABLE users ALTER COLUMN email SET NOT NULL").first)
        #expect(finding.rule == .setNotNull)
        #expect(finding.severity == .warning)
        #expect(finding.message == "SET NOT NULL on users.email reads all of users under ACCESS EXCLUSIVE")
        #expect(try lintRules("ALTER TABLE users ALTER email SET NOT NULL") == ["set-not-null"])
        #expect(try lintRules("ALTER TABLE users ALTER COLUMN email DROP NOT NULL").isEmpty)
        #expect(try lintRules("CREATE TABLE users (email text);\nALTER TABLE users ALTER COLUMN email SET NOT NULL").isEmpty)
    }

    @Test(arguments: [
        "ALTER TABLE users ALTER COLUMN id TYPE bigint",
        "ALTER TABLE users ALTER id TYPE bigint USING id::bigint",
        "ALTER TABLE ONLY users ALTER COLUMN id SET DATA TYPE bigint",
    ])
    func columnTypeChange(_ sql: String) throws {
        #expect(try lintRules(sql) == ["column-type-change"])
    }

    @Test func columnTypeChangeNegatives() throws {
        #expect(try lintRules("ALTER TABLE users ALTER COLUMN kind SET DEFAULT 'type'").isEmpty)
        #expect(try lintRules("ALTER TYPE mood ADD VALUE 'meh'").isEmpty)
        #expect(try lintRules("CREATE TABLE t (id int);\nALTER TABLE t ALTER COLUMN id TYPE bigint").isEmpty)
    }
}
