import Testing
@testable import ShoalKit

struct BreakingChangeRulesTests {
    @Test(arguments: [DriverKind.postgres, .sqlite])
    func renames(_ driver: DriverKind) throws {
        let column = try lintFindings("ALTER TABLE users RENAME COLUMN name TO full_name", driver: driver)
        #expect(column.map(\.rule) == [.rename])
        #expect(column.first?.message == "renaming column users.name to full_name breaks the running code that uses the old name")
        #expect(try lintRules("ALTER TABLE users RENAME name TO full_name", driver: driver) == ["rename"])
        let table = try lintFindings("ALTER TABLE \"Users\" RENAME TO people", driver: driver)
        #expect(table.first?.message == "renaming table Users to people breaks the running code that uses the old name")
    }

    @Test(arguments: [DriverKind.postgres, .sqlite])
    func renamesThatBreakNothing(_ driver: DriverKind) throws {
        #expect(try lintRules("ALTER TABLE users RENAME CONSTRAINT a TO b", driver: driver).isEmpty)
        #expect(try lintRules("CREATE TABLE staging (id int);\nALTER TABLE staging RENAME TO fresh;\nALTER TABLE fresh RENAME id TO key",
                              driver: driver).isEmpty)
        #expect(try lintRules("UPDATE users SET note = 'RENAME COLUMN a TO b'", driver: driver).isEmpty)
    }

    @Test(arguments: [DriverKind.postgres, .sqlite])
    func drops(_ driver: DriverKind) throws {
        let column = try lintFindings("ALTER TABLE users DROP COLUMN legacy", driver: driver)
        #expect(column.map(\.rule) == [.drop])
        #expect(column.first?.message == "dropping column users.legacy breaks the running code that still reads it, and loses the data")
        #expect(try lintRules("ALTER TABLE users DROP IF EXISTS legacy", driver: driver) == ["drop"])
        let tables = try lintFindings("DROP TABLE IF EXISTS sessions, public.tokens CASCADE", driver: driver)
        #expect(tables.first?.message == "dropping tables sessions, public.tokens breaks the running code that still uses them, and loses the data")
    }

    @Test(arguments: [DriverKind.postgres, .sqlite])
    func dropsThatBreakNothing(_ driver: DriverKind) throws {
        #expect(try lintRules("ALTER TABLE users DROP CONSTRAINT users_email_key", driver: driver).isEmpty)
        #expect(try lintRules("CREATE TABLE scratch (id int);\nDROP TABLE scratch", driver: driver).isEmpty)
        #expect(try lintRules("DROP VIEW active_users", driver: driver).isEmpty)
        #expect(try lintRules("ALTER TABLE users ALTER COLUMN email DROP DEFAULT", driver: driver).isEmpty)
    }

    @Test func sqliteGetsOnlyRenameAndDrop() throws {
        let sql = """
            CREATE INDEX users_email ON users (email);
            ALTER TABLE users ADD COLUMN email text NOT NULL;
            ALTER TABLE users RENAME COLUMN a TO b;
            ALTER TABLE users DROP COLUMN c;
            VACUUM FULL;
            """
        #expect(try lintRules(sql, driver: .sqlite) == ["rename", "drop"])
        #expect(try lintRules(sql, driver: .postgres)
            == ["require-concurrent-index", "not-null-without-default", "rename", "drop", "blocking-command"])
    }
}
