import Testing
@testable import ShoalKit

struct ConstraintRulesTests {
    @Test(arguments: [
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)",
        "ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users",
        "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0)",
        "ALTER TABLE orders ADD CHECK (note <> 'NOT VALID')",
        "ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id)",
    ])
    func constraintCheckedAtOnce(_ sql: String) throws {
        #expect(try lintRules(sql) == ["constraint-not-valid"])
    }

    @Test func constraintMessageNamesItAndTheTable() throws {
        let finding = try #require(try lintFindings("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)").first)
        #expect(finding.message == "FOREIGN KEY constraint orders_user_fk on orders is checked against every row at once, while writes to orders wait")
    }

    @Test(arguments: [
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
        "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID",
        "ALTER TABLE orders VALIDATE CONSTRAINT total_positive",
        "CREATE TABLE orders (id int);\nALTER TABLE orders ADD CONSTRAINT total_positive CHECK (id > 0)",
        "ALTER TABLE orders ADD COLUMN note text",
    ])
    func constraintNotValidOrNew(_ sql: String) throws {
        #expect(try lintRules(sql).isEmpty)
    }

    @Test(arguments: [
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)",
        "ALTER TABLE users ADD UNIQUE (email)",
        "ALTER TABLE users ADD PRIMARY KEY (id)",
        "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id)",
    ])
    func uniqueWithoutIndex(_ sql: String) throws {
        #expect(try lintRules(sql) == ["unique-without-index"])
    }

    @Test func uniqueWithAnIndexBuiltBeforehand() throws {
        #expect(try lintRules("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email").isEmpty)
        #expect(try lintRules("ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id").isEmpty)
        #expect(try lintRules("CREATE TABLE users (id int);\nALTER TABLE users ADD PRIMARY KEY (id)").isEmpty)
        let finding = try #require(try lintFindings("ALTER TABLE users ADD UNIQUE (email)").first)
        #expect(finding.message == "UNIQUE constraint on users builds its index under ACCESS EXCLUSIVE: users cannot be read or written meanwhile")
    }
}
