@testable import ShoalKit
import Testing

/// How `--transaction` groups a plan's steps into transactions (SPEC §13).
@Suite struct TransactionModeTests {
    /// Up steps of one1 … four4, those named in `outside` marked `transaction: false`.
    static func steps(outside: Set<String> = []) -> [PlanStep] {
        var before: [String] = []
        return ["one1", "two2", "three3", "four4"].map { revision in
            var migration = GraphFixtures.migration(revision)
            migration.transactional = !outside.contains(revision)
            defer { before = [revision] }
            return PlanStep(migration: migration, direction: .up, removeVersions: before, addVersions: [revision],
                            versionsBefore: before, versionsAfter: [revision])
        }
    }

    static func revisions(_ groups: [[PlanStep]]) -> [[String]] {
        groups.map { $0.map(\.revision) }
    }

    @Test func perStepRunsEveryStepAlone() {
        #expect(Self.revisions(TransactionMode.perStep.groups(Self.steps())) == [["one1"], ["two2"], ["three3"], ["four4"]])
    }

    @Test func perTargetRunsEveryStepTogether() {
        #expect(Self.revisions(TransactionMode.perTarget.groups(Self.steps())) == [["one1", "two2", "three3", "four4"]])
        #expect(TransactionMode.perTarget.groups([]).isEmpty)
    }

    @Test func aMigrationOutsideATransactionSplitsTheGroupAndRunsAlone() {
        #expect(Self.revisions(TransactionMode.perTarget.groups(Self.steps(outside: ["three3"])))
                == [["one1", "two2"], ["three3"], ["four4"]])
        #expect(Self.revisions(TransactionMode.perTarget.groups(Self.steps(outside: ["one1", "two2"])))
                == [["one1"], ["two2"], ["three3", "four4"]])
        #expect(Self.revisions(TransactionMode.perTarget.groups(Self.steps(outside: ["four4"])))
                == [["one1", "two2", "three3"], ["four4"]])
    }

    @Test func valuesAreTheConfigAndOptionSpelling() {
        #expect(TransactionMode.allCases.map(\.rawValue) == ["per-step", "per-target"])
    }
}
