import ShoalTestSupport
import Testing
@testable import ShoalKit

struct LinterTests {
    @Test func findingsNameTheFileLineOfEachStatementsFirstCode() throws {
        let up = """
            CREATE TABLE audit (id int);

            -- why: reports filter on email
            CREATE INDEX users_email
              ON users (email);
            /* a comment first */ ALTER TABLE users
              DROP COLUMN legacy;
            """
        // The file: revision header (1), blank (2), `-- shoal:up` (3), up from line 4.
        let findings = try lintFindings(up)
        #expect(findings.map(\.line) == [7, 9])
        #expect(findings.map(\.rule) == [.requireConcurrentIndex, .drop])
        #expect(findings.first?.file == "/fleet/versions/app/aaaa0001_lint.sql")
        #expect(findings.first?.statement == "CREATE INDEX users_email\n  ON users (email)")
        #expect(findings.first?.database == "app")
        #expect(findings.first?.revision == "aaaa0001")
    }

    @Test func linesCountFromTheUpSectionAfterEveryHeader() throws {
        let findings = try lintFindings("\n\nDROP TABLE sessions;", phase: "expand", allow: ["rename"],
                                        down: "CREATE TABLE sessions (id int);\nDROP TABLE other;")
        // revision, phase, allow headers (1-3), blank (4), `-- shoal:up` (5), two blank lines, then the DROP.
        #expect(findings.map(\.line) == [8])
    }

    @Test func downSectionsAreNeverLinted() throws {
        #expect(try lintFindings("SELECT 1", down: "DROP TABLE users; ALTER TABLE users RENAME TO x;").isEmpty)
    }

    @Test func allowCommentDirectlyAboveAllowsOnlyThatStatementAndThoseRules() throws {
        let up = """
            -- shoal:allow require-concurrent-index,drop small table, built in 10 ms
            CREATE INDEX users_email ON users (email);
            CREATE INDEX users_name ON users (name);
            -- shoal:allow drop gone since release 41
            -- and nothing reads it
            ALTER TABLE users DROP COLUMN legacy, ALTER COLUMN id TYPE bigint;
            """
        let findings = try lintFindings(up)
        #expect(findings.map(\.rule) == [.requireConcurrentIndex, .requireConcurrentIndex, .columnTypeChange, .drop])
        #expect(findings.map(\.allowed) == [true, false, false, true])
        #expect(LintSummary(migrations: 1, findings: findings) == LintSummary(migrations: 1, errors: 2, warnings: 0, allowed: 2))
    }

    @Test func allowCommentSeparatedByABlankLineOrOnThePreviousStatementsLineAllowsNothing() throws {
        let up = """
            -- shoal:allow drop reason

            DROP TABLE a;
            SELECT 1; -- shoal:allow drop reason
            DROP TABLE b;
            """
        #expect(try lintFindings(up).map(\.allowed) == [false, false])
    }

    @Test func allowHeaderAllowsTheRuleForTheWholeMigration() throws {
        let findings = try lintFindings("DROP TABLE a;\nALTER TABLE b RENAME TO c;\nDROP INDEX i;", allow: ["drop", "rename"])
        #expect(findings.map(\.rule) == [.drop, .rename, .requireConcurrentIndexDrop])
        #expect(findings.map(\.allowed) == [true, true, false])
        #expect(findings.filter { $0.fails(strict: false) }.map(\.rule) == [.requireConcurrentIndexDrop])
    }

    @Test func contractMigrationsOnlyWarnAboutRenameDropAndTypeChange() throws {
        let up = "ALTER TABLE users RENAME COLUMN a TO b;\nDROP TABLE old;\nALTER TABLE users ALTER COLUMN id TYPE bigint;\nCREATE INDEX i ON users (b);"
        let contract = try lintFindings(up, phase: "contract")
        #expect(contract.map(\.rule) == [.rename, .drop, .columnTypeChange, .requireConcurrentIndex])
        #expect(contract.map(\.severity) == [.warning, .warning, .warning, .error])
        #expect(try lintFindings(up, phase: "expand").map(\.severity) == [.error, .error, .error, .error])
        #expect(contract.filter { $0.fails(strict: true) }.count == 4)
        // The help of a downgraded rule says what to check, not to move the
        // statement into the contract migration it already is in.
        #expect(contract.prefix(3).allSatisfy { $0.help.hasPrefix("this is a contract migration: ship it only once no running code") })
        #expect(contract[3].help == LintRule.requireConcurrentIndex.help)
        #expect(try lintFindings(up, phase: "expand").map(\.help) == contract.map(\.rule.help))
    }

    @Test func sinceSelectsWhatABranchAddsAndFindingsFollowGraphOrder() throws {
        let base = try parsed(MigrationFile(revision: "aaaa0001", up: "DROP TABLE one;"))
        let middle = try parsed(MigrationFile(revision: "bbbb0002", parents: ["aaaa0001"], up: "DROP TABLE two;"))
        let left = try parsed(MigrationFile(revision: "cccc0003", parents: ["bbbb0002"], up: "DROP TABLE three;"))
        let right = try parsed(MigrationFile(revision: "dddd0004", parents: ["bbbb0002"], up: "DROP TABLE four;"))
        let graph = try RevisionGraph(migrations: [right, left, middle, base], directory: "versions/app")
        let selection = Linter.selection(since: "bbbb0002", in: graph)
        #expect(selection == ["cccc0003", "dddd0004"])
        let findings = Linter.lint(database: "app", driver: .postgres, migrations: graph.migrations, selection: selection,
                                   displayPath: { "versions/app/\($0.revision).sql" })
        #expect(findings.map(\.file) == ["versions/app/cccc0003.sql", "versions/app/dddd0004.sql"])
        #expect(Linter.lint(database: "app", driver: .postgres, migrations: graph.migrations).map(\.revision)
            == ["aaaa0001", "bbbb0002", "cccc0003", "dddd0004"])
        #expect(Linter.selection(since: "dddd0004", in: graph) == ["cccc0003"])
    }

    private func parsed(_ file: MigrationFile) throws -> Migration {
        try MigrationParser.parse(file.text, path: "/fleet/versions/app/\(file.revision).sql")
    }
}
