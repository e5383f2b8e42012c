import Testing
@testable import ShoalKit

/// A migration's `up` cut into statements with the file line of each.
@Suite struct UpStatementTests {
    static func migration(_ up: String, upLine: Int = 5) -> Migration {
        Migration(revision: "aaaa0001", up: up, checksum: "", path: "/f/versions/app/aaaa0001.sql", upLine: upLine)
    }

    @Test func eachStatementStartsAtTheLineOfItsCode() throws {
        let up = """
            CREATE TABLE t (id int);

            -- the index
            CREATE INDEX t_id ON t (id);
            ALTER TABLE t
              ADD COLUMN a int; SELECT 1;
            """
        let statements = UpStatement.statements(of: Self.migration(up))
        #expect(statements.map(\.line) == [5, 8, 9, 10])
        #expect(statements.map(\.text) == ["CREATE TABLE t (id int)", "CREATE INDEX t_id ON t (id)",
                                           "ALTER TABLE t\n  ADD COLUMN a int", "SELECT 1"])
    }

    @Test func theSameTextTwiceGetsTwoLines() throws {
        let statements = UpStatement.statements(of: Self.migration("SELECT 1;\nSELECT 1;\n\nSELECT 1;", upLine: 1))
        #expect(statements.map(\.line) == [1, 2, 4])
    }

    @Test func crlfLineEndingsCountOnce() throws {
        let statements = UpStatement.statements(of: Self.migration("SELECT 1;\r\n-- c\r\nSELECT 2;", upLine: 3))
        #expect(statements.map(\.line) == [3, 5])
    }

    @Test func allowCommentsAboveAStatementAllowItsRules() throws {
        let up = """
            -- shoal:allow observed-rewrite,column-type-change small table
            ALTER TABLE t ALTER COLUMN a TYPE bigint;
            -- shoal:allow observed-blocks-writes
            -- built in 10 ms
            CREATE INDEX i ON t (a);
            SELECT 1;
            """
        let statements = UpStatement.statements(of: Self.migration(up, upLine: 1))
        #expect(statements.map(\.line) == [2, 5, 6])
        #expect(statements.map(\.allowedRules) == [[.observedRewrite, .columnTypeChange], [.observedBlocksWrites], []])
        #expect(statements.map(\.text) == ["ALTER TABLE t ALTER COLUMN a TYPE bigint", "CREATE INDEX i ON t (a)", "SELECT 1"])
    }

    @Test func anAllowCommentPartedFromTheStatementByABlankLineAllowsNothing() throws {
        let up = "-- shoal:allow observed-rewrite\n\nALTER TABLE t ALTER COLUMN a TYPE bigint;"
        let statements = UpStatement.statements(of: Self.migration(up, upLine: 1))
        #expect(statements.map(\.line) == [3])
        #expect(statements.map(\.allowedRules) == [[]])
    }

    @Test func aCommentInsideTheStatementStaysInIt() throws {
        let statements = UpStatement.statements(of: Self.migration("ALTER TABLE t\n  -- wider\n  ALTER COLUMN a TYPE bigint;"))
        #expect(statements.map(\.text) == ["ALTER TABLE t\n  -- wider\n  ALTER COLUMN a TYPE bigint"])
    }

    @Test func commentsAndEmptyStatementsAreNotStatements() throws {
        #expect(UpStatement.statements(of: Self.migration("-- nothing\n;\n/* none */")).isEmpty)
    }
}
