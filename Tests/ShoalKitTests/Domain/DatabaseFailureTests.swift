import Testing
@testable import ShoalKit

/// The questions Fleet asks a failure instead of reading codes (no database needed).
@Suite struct DatabaseFailureTests {
    static func postgres(_ state: String) -> DatabaseFailure {
        DatabaseFailure(code: .postgres(SQLState(rawValue: state)))
    }

    static func sqlite(_ code: Int32) -> DatabaseFailure {
        DatabaseFailure(code: .sqlite(SQLiteResultCode(rawValue: code)))
    }

    @Test func onlyPostgresLockTimeoutIsLockNotAvailable() {
        #expect(Self.postgres("55P03").isLockNotAvailable)
        #expect(!Self.postgres("57014").isLockNotAvailable)
        #expect(!Self.postgres("40P01").isLockNotAvailable, "a deadlock is not retried")
        #expect(!Self.sqlite(5).isLockNotAvailable, "SQLITE_BUSY already waited the busy timeout")
        #expect(!Self.sqlite(773).isLockNotAvailable, "SQLITE_BUSY_TIMEOUT")
        #expect(!DatabaseFailure().isLockNotAvailable)
    }

    @Test(arguments: ["08006", "08001", "57014", "57P01", "XX000", "XX001", "5501", "", "55P03x"])
    func postgresConnectionCancellationAndInternalClassesEndTheSession(state: String) {
        #expect(Self.postgres(state).leavesSessionUnusable, "\(state)")
    }

    @Test(arguments: ["55P03", "23505", "42P07", "42703", "25P02", "P0001", "40P01", "25006"])
    func postgresStatementErrorsLeaveTheSessionUsable(state: String) {
        #expect(!Self.postgres(state).leavesSessionUnusable, "\(state)")
    }

    /// IOERR_READ, IOERR_SHORT_READ, CORRUPT, CORRUPT_INDEX, NOTADB, CANTOPEN,
    /// CANTOPEN_ISDIR, INTERRUPT, NOMEM, MISUSE, INTERNAL.
    @Test(arguments: [Int32(266), 522, 11, 779, 26, 14, 526, 9, 7, 21, 2])
    func sqliteFileAndInterruptFailuresEndTheSession(code: Int32) {
        #expect(Self.sqlite(code).leavesSessionUnusable, "\(SQLiteResultCode(rawValue: code))")
    }

    /// ERROR, CONSTRAINT_UNIQUE, CONSTRAINT_NOTNULL, BUSY, BUSY_TIMEOUT, LOCKED, READONLY, FULL.
    @Test(arguments: [Int32(1), 2067, 1299, 5, 773, 6, 8, 13])
    func sqliteStatementErrorsLeaveTheSessionUsable(code: Int32) {
        #expect(!Self.sqlite(code).leavesSessionUnusable, "\(SQLiteResultCode(rawValue: code))")
    }

    @Test func aFailureWithoutACodeEndsTheSession() {
        #expect(DatabaseFailure(phase: .connect).leavesSessionUnusable)
    }

    @Test func codesPrintAsReportsShowThem() {
        #expect(DatabaseFailure.Code.postgres(.lockNotAvailable).description == "55P03")
        #expect(DatabaseFailure.Code.sqlite(.busy).description == "SQLITE_BUSY")
        #expect(DatabaseFailure.Code.sqlite(SQLiteResultCode(rawValue: 773)).description == "SQLITE_BUSY_TIMEOUT")
        #expect(DatabaseFailure.Code.sqlite(SQLiteResultCode(rawValue: 4242)).description == "4242")
        #expect(SQLiteResultCode(rawValue: 773).primary == .busy)
        #expect(SQLState.lockNotAvailable.errorClass == "55")
        #expect(DatabaseFailure.Code.postgres(.queryCanceled).sqlState == .queryCanceled)
        #expect(DatabaseFailure.Code.postgres(.queryCanceled).sqliteResultCode == nil)
        #expect(DatabaseFailure.Code.sqlite(.busy).sqliteResultCode == .busy)
        #expect(DatabaseFailure.Code.sqlite(.busy).sqlState == nil)
    }

    @Test func anErrorsSQLStateIsItsFailuresCode() {
        let postgres = ShoalError(.database, "x", failure: Self.postgres("23505"))
        #expect(postgres.sqlState == "23505")
        let sqlite = ShoalError(.database, "x", failure: Self.sqlite(2067))
        #expect(sqlite.sqlState == "SQLITE_CONSTRAINT_UNIQUE")
        #expect(TargetReport.ErrorInfo(sqlite).sqlState == "SQLITE_CONSTRAINT_UNIQUE")
        #expect(ShoalError(.database, "x", failure: DatabaseFailure(phase: .connect)).sqlState == nil)
        #expect(ShoalError(.verification, "x").sqlState == nil)
    }

    @Test func thePhaseIsTheInnermostOne() {
        let failed = ShoalError(.database, "x", failure: Self.postgres("08006"))
        #expect(failed.during(.commit).failure?.phase == .commit)
        #expect(failed.during(.commit).during(.lock).failure?.phase == .commit)
        #expect(ShoalError(.verification, "x").during(.verify).failure == nil, "shoal's own errors have no failure to tag")
    }

    @Test func wrappingNamesTheTargetOnce() {
        let target = Target(id: "app/acme", database: "app", tenant: "acme", driver: .sqlite, location: .sqlite(path: "/x.sqlite"))
        let other = Target(id: "app/globex", database: "app", tenant: "globex", driver: .sqlite, location: .sqlite(path: "/y.sqlite"))
        #expect(ShoalError.wrap(ShoalError(.database, "x"), target: target).target == "app/acme")
        #expect(ShoalError.wrap(ShoalError.wrap(ShoalError(.database, "x"), target: target), target: other).target == "app/acme")
        struct Odd: Error {}
        let wrapped = ShoalError.wrap(Odd(), target: target)
        #expect(wrapped.kind == .database && wrapped.target == "app/acme")
        #expect(wrapped.message == "app/acme: Odd()")
    }
}
