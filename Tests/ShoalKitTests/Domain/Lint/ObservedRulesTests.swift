import Testing
@testable import ShoalKit

/// The `observed-*` rules over observations built by hand; what
/// PostgreSQL really shows is tested in LintObserverTests.
@Suite struct ObservedRulesTests {
    static let migration = Migration(revision: "bbbb0002", up: "", checksum: "", path: "/f/versions/app/bbbb0002.sql")

    static func observation(locks: [(String, String)] = [], rewrites: [String] = [], scans: [String] = [],
                            locksObserved: Bool = true) -> StatementObservation {
        StatementObservation(database: "app", revision: "bbbb0002", line: 7, statement: "ALTER TABLE t …",
                             locks: locks.map { StatementObservation.Lock(table: $0.0, mode: $0.1) },
                             rewrites: rewrites, scans: scans, locksObserved: locksObserved)
    }

    static func rules(_ observation: StatementObservation, migration: Migration = migration,
                      allowed: Set<LintRule> = []) -> [LintRule] {
        ObservedRules.findings(for: observation, in: migration, file: "versions/app/bbbb0002.sql", allowed: allowed).map(\.rule)
    }

    @Test func aRewriteUnderAccessExclusiveIsAnError() throws {
        let observation = Self.observation(locks: [("t", "AccessExclusiveLock")], rewrites: ["t", "t_pkey"], scans: ["t"])
        let findings = ObservedRules.findings(for: observation, in: Self.migration, file: "versions/app/bbbb0002.sql", allowed: [])
        #expect(findings.map(\.rule) == [.observedRewrite], "the scan of a rewritten table is part of the rewrite")
        let finding = try #require(findings.first)
        #expect(finding.severity == .error)
        #expect(finding.file == "versions/app/bbbb0002.sql")
        #expect(finding.line == 7)
        #expect(finding.message == "rewrote t, t_pkey while holding AccessExclusiveLock: reads and writes wait for the whole rewrite")
        #expect(finding.observation == observation)
        #expect(!finding.allowed)
    }

    @Test func accessExclusiveWithoutRewriteOrScanIsACatalogChange() {
        #expect(Self.rules(Self.observation(locks: [("t", "AccessExclusiveLock")])).isEmpty)
    }

    @Test func aScanUnderAccessExclusiveIsAnError() {
        #expect(Self.rules(Self.observation(locks: [("t", "AccessExclusiveLock")], scans: ["t"])) == [.observedScanUnderLock])
    }

    @Test func aScanUnderAWeakLockIsNothing() {
        // An UPDATE reads the whole table under RowExclusiveLock: writes go on.
        #expect(Self.rules(Self.observation(locks: [("t", "RowExclusiveLock")], scans: ["t"])).isEmpty)
        // CREATE INDEX CONCURRENTLY scans outside a transaction, its locks unseen.
        #expect(Self.rules(Self.observation(scans: ["t"], locksObserved: false)).isEmpty)
    }

    @Test func aScanCountsUnderTheLockOnTheScannedTable() {
        let observation = Self.observation(locks: [("t", "RowExclusiveLock"), ("u", "AccessExclusiveLock")], scans: ["t"])
        #expect(Self.rules(observation).isEmpty)
    }

    @Test func shareLockWhileBuildingAnIndexBlocksWritesAndScansUnderLock() {
        let rules = Self.rules(Self.observation(locks: [("t", "ShareLock")], scans: ["t"]))
        #expect(rules == [.observedScanUnderLock, .observedBlocksWrites])
    }

    @Test(arguments: ["ShareLock", "ShareRowExclusiveLock", "ExclusiveLock"])
    func locksBetweenShareAndExclusiveBlockWrites(_ mode: String) throws {
        let findings = ObservedRules.findings(for: Self.observation(locks: [("t", mode)]), in: Self.migration,
                                              file: "f", allowed: [])
        #expect(findings.map(\.rule) == [.observedBlocksWrites])
        #expect(findings.first?.severity == .warning)
        #expect(findings.first?.message == "held \(mode) on t: writes wait until the statement finishes")
    }

    @Test(arguments: ["AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock"])
    func locksThatLetWritesThroughAreNothing(_ mode: String) {
        #expect(Self.rules(Self.observation(locks: [("t", mode)], scans: ["t"])).isEmpty)
    }

    @Test func aRewriteOutsideATransactionCountsWithoutItsLocks() {
        // VACUUM FULL: it runs outside a transaction, under ACCESS EXCLUSIVE.
        #expect(Self.rules(Self.observation(rewrites: ["t"], locksObserved: false)) == [.observedRewrite])
        // Inside one, a rewrite under a lock that lets writes through is none of these rules' business.
        #expect(Self.rules(Self.observation(locks: [("t", "RowExclusiveLock")], rewrites: ["t"])).isEmpty)
    }

    @Test func allowCommentsAndTheAllowHeaderAllowObservedRules() {
        let observation = Self.observation(locks: [("t", "AccessExclusiveLock")], rewrites: ["t"])
        let byComment = ObservedRules.findings(for: observation, in: Self.migration, file: "f", allowed: [.observedRewrite])
        #expect(byComment.map(\.allowed) == [true])
        var migration = Self.migration
        migration.allowedRules = [.observedRewrite]
        #expect(ObservedRules.findings(for: observation, in: migration, file: "f", allowed: []).map(\.allowed) == [true])
        #expect(ObservedRules.findings(for: observation, in: Self.migration, file: "f", allowed: [.columnTypeChange])
            .map(\.allowed) == [false], "a static rule's allowance does not allow the observed one")
    }

    @Test func aContractMigrationDoesNotSoftenObservedRules() {
        var migration = Self.migration
        migration.phase = .contract
        let observation = Self.observation(locks: [("t", "AccessExclusiveLock")], rewrites: ["t"])
        #expect(ObservedRules.findings(for: observation, in: migration, file: "f", allowed: []).map(\.severity) == [.error])
    }

    @Test func lockStrengthFollowsPostgreSQLsTable() {
        let modes = ["AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
                     "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"]
        #expect(modes.map { StatementObservation.Lock(table: "t", mode: $0).strength } == Array(1...8))
        #expect(StatementObservation.Lock(table: "t", mode: "SIReadLock").strength == 0)
    }
}
