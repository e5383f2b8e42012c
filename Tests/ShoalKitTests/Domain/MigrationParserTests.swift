import ShoalTestSupport
import Testing
@testable import ShoalKit

struct MigrationParserTests {
    static let example = """
        -- revision: 5c1e9a0b7f3d
        -- parents: 9d2a61c0e4b8
        -- message: add email to users

        -- shoal:up
        ALTER TABLE users ADD COLUMN email text;

        -- shoal:down
        ALTER TABLE users DROP COLUMN email;

        -- shoal:verify
        SELECT count(*) = 0 FROM users WHERE email LIKE '% %';

        """
    static let examplePath = "/fleet/versions/core/5c1e9a0b7f3d_add_email.sql"

    @Test func parsesTheSpecExample() throws {
        let migration = try MigrationParser.parse(Self.example, path: Self.examplePath)
        #expect(migration.revision == "5c1e9a0b7f3d")
        #expect(migration.parents == ["9d2a61c0e4b8"])
        #expect(migration.message == "add email to users")
        #expect(migration.transactional)
        #expect(migration.up == "ALTER TABLE users ADD COLUMN email text;")
        #expect(migration.down == "ALTER TABLE users DROP COLUMN email;")
        #expect(migration.verify == "SELECT count(*) = 0 FROM users WHERE email LIKE '% %';")
        #expect(migration.checksum == Checksum.of(up: "ALTER TABLE users ADD COLUMN email text;"))
        #expect(migration.path == Self.examplePath)
        #expect(!migration.isMerge)
    }

    @Test func crlfFileParsesLikeLF() throws {
        let crlf = Self.example.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
        #expect(crlf.contains("\r\n"))
        #expect(try MigrationParser.parse(crlf, path: Self.examplePath) == MigrationParser.parse(Self.example, path: Self.examplePath))
    }

    @Test func oldMacLineEndingsAndByteOrderMark() throws {
        let text = "\u{FEFF}-- revision: abcd\r-- shoal:up\rSELECT 1;\r"
        let migration = try MigrationParser.parse(text, path: "abcd_x.sql")
        #expect(migration.revision == "abcd")
        #expect(migration.up == "SELECT 1;")
    }

    @Test func mergeWithEmptyUp() throws {
        let text = """
            -- revision: m3rge
            -- parents: aaaa1 bbbb2
            -- message: merge branches
            -- shoal:up
            """
        let migration = try MigrationParser.parse(text, path: "/v/m3rge_merge.sql")
        #expect(migration.parents == ["aaaa1", "bbbb2"])
        #expect(migration.isMerge)
        #expect(migration.up == "")
        #expect(migration.down == nil)
        #expect(migration.verify == nil)
        #expect(migration.checksum == Checksum.of(up: ""))
    }

    @Test func transactionFalse() throws {
        let text = """
            -- revision: idx1
            -- parents: abcd
            -- transaction: false

            -- shoal:up
            CREATE INDEX CONCURRENTLY users_email ON users (email);
            -- shoal:down
            DROP INDEX CONCURRENTLY users_email;
            """
        let migration = try MigrationParser.parse(text, path: "/v/idx1_index.sql")
        #expect(!migration.transactional)
        #expect(migration.down == "DROP INDEX CONCURRENTLY users_email;")
    }

    @Test func transactionTrueIsTheDefaultAndAccepted() throws {
        let text = "-- revision: abcd\n-- transaction: true\n-- shoal:up\n"
        #expect(try MigrationParser.parse(text, path: "abcd.sql").transactional)
    }

    @Test func lenientLayout() throws {
        let text = """


            -- revision:   abc_1\t
            -- parents:\tp1   p2\t
            -- message:

            -- A note about this migration: harmless.
            --
            -- shoal:verify  \t
            SELECT true;
            -- shoal:down
            -- shoal:up   \t

              CREATE TABLE t (id int);
            -- shoals: are fish, not markers
              -- shoal:down inside the section, indented, is just a comment

            """
        let migration = try MigrationParser.parse(text, path: "/v/abc_1_x_y.sql")
        #expect(migration.revision == "abc_1")
        #expect(migration.parents == ["p1", "p2"])
        #expect(migration.message == nil)
        #expect(migration.verify == "SELECT true;")
        #expect(migration.down == "")
        #expect(migration.up == """
              CREATE TABLE t (id int);
            -- shoals: are fish, not markers
              -- shoal:down inside the section, indented, is just a comment
            """)
    }

    @Test func rootWithEmptyParents() throws {
        let migration = try MigrationParser.parse("-- revision: abcd\n-- parents:\n-- shoal:up\nSELECT 1;", path: "abcd_x.sql")
        #expect(migration.parents == [])
    }

    @Test(arguments: ["/v/abcd.sql", "/v/abcd_x.sql", "abcd_add_users_table.sql", "relative/dir/abcd_.sql"])
    func acceptedFileNames(_ path: String) throws {
        #expect(try MigrationParser.parse("-- revision: abcd\n-- shoal:up\n", path: path).path == path)
    }

    struct BadFile: Sendable, CustomStringConvertible {
        var name: String
        var text: String
        var line: Int
        var says: String
        var path = "/v/abcd_x.sql"
        var description: String { name }
    }

    static let badFiles: [BadFile] = [
        BadFile(name: "empty file", text: "", line: 1, says: "missing `-- revision: <id>`"),
        BadFile(name: "no revision", text: "\n\n-- parents: x\n\n-- shoal:up\n", line: 3, says: "missing `-- revision: <id>`"),
        BadFile(name: "only blank lines", text: "\n\n\n", line: 3, says: "missing `-- revision"),
        BadFile(name: "header after a comment", text: "-- Copyright\n-- revision: abcd\n-- shoal:up\n", line: 2,
                says: "header lines must be consecutive"),
        BadFile(name: "known key after a blank line", text: "-- revision: abcd\n\n-- message: hi\n-- shoal:up\n", line: 3,
                says: "apart from the header"),
        BadFile(name: "bad revision characters", text: "-- revision: ab-cd\n-- shoal:up\n", line: 1,
                says: "`ab-cd` is not a valid revision id; use 1 to 64 letters, digits or underscores"),
        BadFile(name: "empty revision", text: "-- revision:\n-- shoal:up\n", line: 1, says: "revision (empty) is not a valid"),
        BadFile(name: "revision too long", text: "-- revision: \(String(repeating: "a", count: 65))\n-- shoal:up\n", line: 1,
                says: "not a valid revision id"),
        BadFile(name: "reserved revision", text: "\n-- revision: head\n-- shoal:up\n", line: 2, says: "reserved word",
                path: "/v/head_x.sql"),
        BadFile(name: "reserved revision in capitals", text: "-- revision: Base\n-- shoal:up\n", line: 1, says: "reserved word",
                path: "/v/Base_x.sql"),
        BadFile(name: "unknown key", text: "-- revision: abcd\n-- parent: ffff\n-- shoal:up\n", line: 2,
                says: "unknown header key `parent`. Did you mean `parents`?"),
        BadFile(name: "unknown key, nothing close", text: "-- revision: abcd\n-- author: me\n-- shoal:up\n", line: 2,
                says: "The keys are revision, parents, message, transaction, phase, allow"),
        BadFile(name: "duplicate key", text: "-- revision: abcd\n-- message: a\n-- message: b\n-- shoal:up\n", line: 3,
                says: "`message` appears twice (first on line 2)"),
        BadFile(name: "bad transaction", text: "-- revision: abcd\n-- transaction: yes\n-- shoal:up\n", line: 2,
                says: "transaction must be `true` or `false`, not `yes`"),
        BadFile(name: "bad parent", text: "-- revision: abcd\n-- parents: ffff ee.ee\n-- shoal:up\n", line: 2,
                says: "parent `ee.ee` is not a valid revision id"),
        BadFile(name: "duplicate parent", text: "-- revision: abcd\n-- parents: ffff ffff\n-- shoal:up\n", line: 2,
                says: "parent ffff is listed twice"),
        BadFile(name: "self parent", text: "-- revision: abcd\n-- parents: abcd\n-- shoal:up\n", line: 2,
                says: "lists itself as a parent"),
        BadFile(name: "SQL before the first section", text: "-- revision: abcd\n\n-- fine\nSELECT 1;\n-- shoal:up\n", line: 4,
                says: "SQL before the first section"),
        BadFile(name: "unknown marker", text: "-- revision: abcd\n-- shoal:up\nSELECT 1;\n-- shoal:upgrade\n", line: 4,
                says: "unknown section marker `-- shoal:upgrade`. Did you mean `-- shoal:up`?"),
        BadFile(name: "marker with a space", text: "-- revision: abcd\n-- shoal: up\n", line: 2,
                says: "unknown section marker `-- shoal: up`. Did you mean `-- shoal:up`?"),
        BadFile(name: "misspelt marker", text: "-- revision: abcd\n-- shoal:up\n-- shoal:vrify\n", line: 3,
                says: "Did you mean `-- shoal:verify`?"),
        BadFile(name: "downgrade marker", text: "-- revision: abcd\n-- shoal:up\n-- shoal:downgrade\n", line: 3,
                says: "Did you mean `-- shoal:down`?"),
        BadFile(name: "marker without a space", text: "-- revision: abcd\n\n--shoal:down\n-- shoal:up\n", line: 3,
                says: "unknown section marker `--shoal:down`"),
        BadFile(name: "marker with trailing text", text: "-- revision: abcd\n-- shoal:up now\n", line: 2,
                says: "each alone on its line"),
        BadFile(name: "duplicate section", text: "-- revision: abcd\n-- shoal:up\nA;\n-- shoal:down\nB;\n-- shoal:up\nC;\n", line: 6,
                says: "second `-- shoal:up` section (the first is on line 2)"),
        BadFile(name: "no up section", text: "-- revision: abcd\n\n-- shoal:down\nDROP TABLE t;\n", line: 3,
                says: "no `-- shoal:up` section"),
        BadFile(name: "no section at all", text: "-- revision: abcd\n-- message: x\n\n-- nothing\n", line: 4,
                says: "no `-- shoal:up` section"),
        BadFile(name: "file name does not match", text: "\n-- revision: abcd\n-- shoal:up\n", line: 2,
                says: "file name `abce_x.sql` does not match its revision abcd; rename the file to `abcd_<slug>.sql`",
                path: "/v/abce_x.sql"),
        BadFile(name: "file name is a longer id", text: "-- revision: abcd\n-- shoal:up\n", line: 1,
                says: "does not match its revision abcd", path: "/v/abcde_x.sql"),
        BadFile(name: "not a .sql file", text: "-- revision: abcd\n-- shoal:up\n", line: 1,
                says: "does not match its revision abcd", path: "/v/abcd_x.txt"),
        BadFile(name: "unknown phase", text: "-- revision: abcd\n-- phase: contrct\n-- shoal:up\n", line: 2,
                says: "phase must be `expand` or `contract`, not `contrct`. Did you mean `contract`?"),
        BadFile(name: "unknown rule in the allow header", text: "-- revision: abcd\n-- allow: drop renam\n-- shoal:up\n", line: 2,
                says: "unknown lint rule `renam`. Did you mean `rename`?"),
        BadFile(name: "empty allow header", text: "-- revision: abcd\n-- allow:\n-- shoal:up\n", line: 2,
                says: "`-- allow:` names no rule"),
        BadFile(name: "unknown rule in an allow comment",
                text: "-- revision: abcd\n-- shoal:up\n-- shoal:allow require-concurent-index tiny table\nCREATE INDEX i ON t (a);\n",
                line: 3, says: "unknown lint rule `require-concurent-index`. Did you mean `require-concurrent-index`"),
        BadFile(name: "allow comment without a rule", text: "-- revision: abcd\n-- shoal:up\n-- shoal:allow\nDROP TABLE t;\n",
                line: 3, says: "`-- shoal:allow` names no rule"),
        BadFile(name: "allow comment before the sections", text: "-- revision: abcd\n\n-- shoal:allow dorp\n-- shoal:up\n",
                line: 3, says: "Did you mean `drop`?"),
    ]

    @Test func phaseAndAllowHeaders() throws {
        let text = "-- revision: abcd\n-- phase: contract\n-- allow: drop, rename drop\n\n-- shoal:up\nALTER TABLE t DROP COLUMN c;\n"
        let migration = try MigrationParser.parse(text, path: "/v/abcd_x.sql")
        #expect(migration.phase == .contract)
        #expect(migration.allowedRules == [.drop, .rename])
        #expect(try MigrationParser.parse("-- revision: abcd\n-- shoal:up\n", path: "/v/abcd.sql").phase == nil)
    }

    @Test func allowCommentsStayInTheSectionTheyAnnotate() throws {
        let text = """
            -- revision: abcd
            -- transaction: false

            -- shoal:up

            -- shoal:allow require-concurrent-index,blocking-command tiny table
            CREATE INDEX i ON t (a);

            -- shoal:down
            --shoal:allow drop
            DROP INDEX i;
            """
        let migration = try MigrationParser.parse(text, path: "/v/abcd_x.sql")
        #expect(migration.up == "-- shoal:allow require-concurrent-index,blocking-command tiny table\nCREATE INDEX i ON t (a);")
        #expect(migration.down == "--shoal:allow drop\nDROP INDEX i;")
        // `up` starts on line 6 of the file: after the marker and a blank line.
        #expect(migration.upLine == 6)
    }

    @Test func upLineOfAnEmptyOrTightSection() throws {
        #expect(try MigrationParser.parse("-- revision: abcd\n-- shoal:up\nSELECT 1;\n", path: "/v/abcd.sql").upLine == 3)
        #expect(try MigrationParser.parse("-- revision: abcd\n-- shoal:up\n", path: "/v/abcd.sql").upLine == 3)
        let builder = MigrationFile(revision: "abcd", up: "SELECT 1;", phase: "expand", allow: ["drop"])
        let parsed = try MigrationParser.parse(builder.text, path: "/v/abcd.sql")
        #expect(parsed.phase == .expand)
        #expect(parsed.allowedRules == [.drop])
        #expect(MigrationText.lines(builder.text)[parsed.upLine - 1] == "SELECT 1;")
    }

    @Test(arguments: badFiles)
    func reportsErrorsWithTheirLine(_ bad: BadFile) {
        do {
            let migration = try MigrationParser.parse(bad.text, path: bad.path)
            Issue.record("parsed \(migration.revision), expected an error")
        } catch let error as ShoalError {
            #expect(error.kind == .migrationFile)
            #expect(error.file == bad.path)
            #expect(error.line == bad.line)
            #expect(error.message.contains(bad.says), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func crlfErrorsKeepTheirLineNumbers() {
        let text = "-- revision: abcd\r\n\r\n-- shoal:up\r\nSELECT 1;\r\n-- shoal:up\r\n"
        #expect(throws: ShoalError(.migrationFile, "second `-- shoal:up` section (the first is on line 3); merge them into one.",
                                   file: "/v/abcd.sql", line: 5)) {
            try MigrationParser.parse(text, path: "/v/abcd.sql")
        }
    }

    @Test(arguments: [("abcd", true), ("A_b_9", true), ("_", true), (String(repeating: "z", count: 64), true),
                      ("", false), ("a-b", false), ("a b", false), ("é", false), (String(repeating: "z", count: 65), false)])
    func revisionIDRule(_ id: String, _ valid: Bool) {
        #expect(MigrationParser.isValidRevisionID(id) == valid)
    }

    @Test func linesEndingInManyBlanksParseInLinearTime() throws {
        // Trimming a line by dropping one blank at a time from a copy is
        // quadratic: 8 times the blanks would take 64 times longer.
        let ratio = try Growth.ratio(size: 25_000) { count in
            let blanks = String(repeating: " ", count: count)
            let migration = try MigrationParser.parse("-- revision: r1\(blanks)\n-- shoal:up\(blanks)\nSELECT 1;\(blanks)\n",
                                                      path: "/fleet/versions/core/r1_x.sql")
            #expect(migration.up == "SELECT 1;" + blanks)
            #expect(MigrationText.trimmed(blanks + "x" + blanks) == "x")
            #expect(MigrationText.trimmed(blanks).isEmpty)
        }
        #expect(ratio < 24, "8 times the blanks took \(ratio) times longer")
        #expect(MigrationText.trimmingTrailingBlanks("a b \t\u{3000}") == "a b")
    }
}
