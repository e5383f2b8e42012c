import Testing
@testable import ShoalKit

struct SQLScriptTests {
    @Test func splitsOnSemicolonsAndTrims() {
        #expect(SQLScript.split("CREATE TABLE a (id int);\n  CREATE TABLE b (id int) ;\n\nSELECT 1")
            == ["CREATE TABLE a (id int)", "CREATE TABLE b (id int)", "SELECT 1"])
    }

    @Test func dropsEmptyStatements() {
        #expect(SQLScript.split(";;  ;\nSELECT 1;;\n;") == ["SELECT 1"])
    }

    @Test(arguments: [
        ("INSERT INTO t VALUES ('a;b'); SELECT 2", ["INSERT INTO t VALUES ('a;b')", "SELECT 2"]),
        ("INSERT INTO t VALUES ('it''s; fine'); SELECT 2", ["INSERT INTO t VALUES ('it''s; fine')", "SELECT 2"]),
        ("SELECT ''; SELECT ';'''", ["SELECT ''", "SELECT ';'''"]),
        ("SELECT E'a\\';b'; SELECT 2", ["SELECT E'a\\';b'", "SELECT 2"]),
        ("SELECT 'a\\'; SELECT 2", ["SELECT 'a\\'", "SELECT 2"]),
        ("CREATE TABLE \"a;b\" (\"x\"\"; y\" int); SELECT 2", ["CREATE TABLE \"a;b\" (\"x\"\"; y\" int)", "SELECT 2"]),
        ("CREATE TABLE `a;b` (x int); SELECT 2", ["CREATE TABLE `a;b` (x int)", "SELECT 2"]),
    ])
    func quotesHideSemicolons(_ sql: String, _ expected: [String]) {
        #expect(SQLScript.split(sql) == expected)
    }

    @Test(arguments: [
        ("SELECT $$a;b$$; SELECT 2", ["SELECT $$a;b$$", "SELECT 2"]),
        ("SELECT $tag$ a; $$ ; $ $tag$; SELECT 2", ["SELECT $tag$ a; $$ ; $ $tag$", "SELECT 2"]),
        ("SELECT $a$ $b$ ; $b$ $a$; SELECT 2", ["SELECT $a$ $b$ ; $b$ $a$", "SELECT 2"]),
        ("PREPARE p AS SELECT $1; SELECT $2", ["PREPARE p AS SELECT $1", "SELECT $2"]),
        ("SELECT a$b$; SELECT 2$", ["SELECT a$b$", "SELECT 2$"]),
    ])
    func dollarQuotes(_ sql: String, _ expected: [String]) {
        #expect(SQLScript.split(sql) == expected)
    }

    @Test func createFunctionBodyIsOneStatement() {
        let body = """
            CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
                NEW.updated_at := now(); -- keep it fresh; always
                RETURN NEW;
            END;
            $fn$
            """
        let sql = body + ";\nCREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();\n"
        #expect(SQLScript.split(sql)
            == [body, "CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()"])
    }

    @Test func lineCommentsHideSemicolons() {
        #expect(SQLScript.split("SELECT 1 -- not; here\n; SELECT 2 -- ;\r\n;")
            == ["SELECT 1 -- not; here", "SELECT 2 -- ;"])
    }

    @Test func nestedBlockCommentsHideSemicolons() {
        #expect(SQLScript.split("SELECT /* a; /* b; */ still; */ 1; SELECT 2")
            == ["SELECT /* a; /* b; */ still; */ 1", "SELECT 2"])
    }

    @Test func statementsOfOnlyCommentsAreDropped() {
        #expect(SQLScript.split("-- header;\n/* note; */\n;\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- trailing")
            == ["CREATE INDEX CONCURRENTLY i ON t (a)"])
    }

    @Test func commentsBeforeAStatementStayWithIt() {
        #expect(SQLScript.split("-- why\nCREATE INDEX CONCURRENTLY i ON t (a);")
            == ["-- why\nCREATE INDEX CONCURRENTLY i ON t (a)"])
    }

    @Test func unterminatedQuoteRunsToTheEnd() {
        #expect(SQLScript.split("SELECT 'a; SELECT 2") == ["SELECT 'a; SELECT 2"])
    }

    @Test func keepsNonASCIIText() {
        #expect(SQLScript.split("INSERT INTO t VALUES ('héllo; wörld'); SELECT '日本'") ==
            ["INSERT INTO t VALUES ('héllo; wörld')", "SELECT '日本'"])
    }

    @Test(arguments: ["", "  \n\t", "-- only a comment; really", "/* a */ ; -- b\n;", ";"])
    func emptyScripts(_ sql: String) {
        #expect(SQLScript.isEmpty(sql))
        #expect(SQLScript.split(sql) == [])
    }

    @Test func scriptWithAStatementIsNotEmpty() {
        #expect(!SQLScript.isEmpty("-- x\nSELECT 1"))
    }

    /// isEmpty stops at the first code; it must say exactly what splitting says.
    @Test(arguments: ["", ";", " ; ;\n", "-- a\n-- b", "/* /* nested */ still */", "/* open", "-- x\r\n;", "'';", "$$ $$",
                      "\"\"", "`q`", "/* a */ SELECT 1", "--;\nx", "-", "/", "- - -", "/ *x* /", "E'\\''", "\u{00A0}", "\u{00A0}SELECT 1", "\u{2003};\u{3000}", "é"])
    func isEmptyAgreesWithSplit(_ sql: String) {
        #expect(SQLScript.isEmpty(sql) == SQLScript.split(sql).isEmpty, "\(sql.debugDescription)")
    }

    @Test func locatedStatementsGiveTheLineOfTheirCodeAndTheCommentsDirectlyAbove() {
        let sql = "-- first\nCREATE TABLE a (id int);\n\n-- shoal:allow drop old\n  -- second line\nDROP TABLE b; -- after b\n/* block */ SELECT\n 'x;y';\r\n\r\n-- lone\n\nSELECT 2"
        let located = SQLScript.locatedStatements(sql)
        #expect(located.map(\.text) == ["CREATE TABLE a (id int)", "DROP TABLE b", "SELECT\n 'x;y'", "SELECT 2"])
        #expect(located.map(\.line) == [2, 6, 7, 12])
        #expect(located.map { $0.commentsAbove.map(\.text) } == [["-- first"], ["-- shoal:allow drop old", "-- second line"], [], []])
        #expect(located[1].commentsAbove.map(\.line) == [4, 5])
    }

    @Test(arguments: ["SELECT 1; SELECT 'a;b';\n$$x;$$", ";;  ;\nSELECT 1;;\n;", "-- only;\n/* comments */", "\u{00A0}SELECT 1"])
    func locatedStatementsAgreeWithSplit(_ sql: String) {
        #expect(SQLScript.locatedStatements(sql).map(\.text) == SQLScript.split(sql), "\(sql.debugDescription)")
    }
}
