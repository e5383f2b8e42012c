import Testing
@testable import ShoalKit

/// `upgrade --phase expand` (SPEC §9.3): the plan leaves out each pending
/// `contract` migration and what depends on it, and names where it stopped.
struct PlannerPhaseTests {
    typealias F = GraphFixtures

    /// `revisions` of `graph` marked as `contract` migrations.
    static func contract(_ revisions: Set<String>, in graph: RevisionGraph) throws -> RevisionGraph {
        try F.graph(graph.migrations.map { migration in
            var migration = migration
            if revisions.contains(migration.revision) { migration.phase = .contract }
            return migration
        })
    }

    /// one1 <- two2 <- three3 (contract) <- four4
    static func linear() throws -> RevisionGraph { try contract(["three3"], in: F.linear()) }

    func upgrade(_ graph: RevisionGraph, _ current: [String], _ spec: String = "head",
                 phase: MigrationPhase? = .expand) throws -> Plan {
        try Planner.upgrade(graph: graph, current: current, to: RevisionSpec(parsing: spec), database: "core", phase: phase)
    }

    @Test func expandStopsBeforeTheFirstContractMigration() throws {
        let plan = try upgrade(Self.linear(), [])
        #expect(plan.steps.map(\.revision) == ["one1", "two2"])
        #expect(plan.to == ["two2"])
        #expect(plan.stoppedAt == "three3")
        #expect(plan.steps.last?.versionsAfter == ["two2"])
    }

    @Test func expandAtTheStopIsEmptyAndStillNamesIt() throws {
        let plan = try upgrade(Self.linear(), ["two2"])
        #expect(plan.isEmpty)
        #expect(plan.from == ["two2"] && plan.to == ["two2"])
        #expect(plan.stoppedAt == "three3")
    }

    @Test func expandPastTheContractMigrationAppliesTheRest() throws {
        let plan = try upgrade(Self.linear(), ["three3"])
        #expect(plan.steps.map(\.revision) == ["four4"])
        #expect(plan.stoppedAt == nil)
    }

    @Test(arguments: [MigrationPhase.contract, nil])
    func contractPhaseOrNoneAppliesEverything(_ phase: MigrationPhase?) throws {
        let plan = try upgrade(Self.linear(), [], phase: phase)
        #expect(plan.steps.map(\.revision) == ["one1", "two2", "three3", "four4"])
        #expect(plan.stoppedAt == nil)
    }

    @Test(arguments: [("two2", ["one1", "two2"], nil), ("+1", ["one1"], nil), ("four4", ["one1", "two2"], "three3"),
                      ("+3", ["one1", "two2"], "three3")])
    func aTargetRevisionStopsWhicheverComesFirst(_ spec: String, _ steps: [String], _ stop: String?) throws {
        let plan = try upgrade(Self.linear(), [], spec)
        #expect(plan.steps.map(\.revision) == steps)
        #expect(plan.stoppedAt == stop)
    }

    @Test func aContractMigrationHoldsBackOnlyWhatDependsOnIt() throws {
        // root <- left1 (contract) <- left2, root <- right1 <- right2
        let plan = try upgrade(Self.contract(["left1"], in: F.forked()), [], "heads")
        #expect(plan.steps.map(\.revision) == ["root", "right1", "right2"])
        #expect(plan.to == ["right2"])
        #expect(plan.stoppedAt == "left1")
    }

    @Test func aMergeOfAHeldBackBranchIsHeldBack() throws {
        let plan = try upgrade(Self.contract(["right2"], in: F.merged()), ["root"])
        #expect(plan.steps.map(\.revision) == ["left1", "left2", "right1"])
        #expect(plan.to == ["left2", "right1"])
        #expect(plan.stoppedAt == "right2")
    }

    @Test func theFirstOfSeveralContractMigrationsIsNamed() throws {
        let plan = try upgrade(Self.contract(["left2", "right1"], in: F.forked()), [], "heads")
        #expect(plan.steps.map(\.revision) == ["root", "left1"])
        #expect(plan.stoppedAt == "left2", "graph order: the left branch first")
    }

    @Test func expandUpToDateTargetIsDecidedUpToDateWithItsStop() throws {
        let graph = try Self.linear()
        let target = try TargetResolver.targets(database: FleetPlanTests.app, tenants: [Tenant(name: "t0")])[0]
        let state = VersionState(initialized: true, current: ["two2"],
                                 appliedChecksums: ["two2": graph.migration("two2")!.checksum], dirty: nil)
        let decision = try TargetDecision.decide(.upgrade(.head, phase: .expand), state: state, graph: graph, target: target)
        guard case .upToDate(let plan) = decision else {
            Issue.record("expected up-to-date, got \(decision)")
            return
        }
        #expect(plan.stoppedAt == "three3")
        guard case .work(let full) = try TargetDecision.decide(.upgrade(.head), state: state, graph: graph, target: target) else {
            Issue.record("a plain upgrade has work")
            return
        }
        #expect(full.steps.map(\.revision) == ["three3", "four4"])
    }
}
