import Testing
@testable import ShoalKit

/// `shoal rollback RUN` decided per target (SPEC §11): back to where the run
/// found it, up-to-date when it is there already, refused when a later run
/// moved it (unless forced), and a missing down found before anything runs.
struct CompensationTests {
    typealias F = GraphFixtures

    static let target = Target(id: "core", database: "core", driver: .postgres, location: .postgres(url: "postgres://x/core", schema: nil))

    static func state(_ current: [String]) -> VersionState {
        VersionState(initialized: true, current: current)
    }

    static func rollback(_ operation: Operation = .upgrade, from: [String], to: [String]?, force: Bool = false) -> FleetCommand {
        .rollback(Compensation(run: "20261207T080000Z-00aa", operation: operation,
                               moves: [target.id: .init(from: from, to: to)], force: force))
    }

    @Test func anUpgradeRunIsUndoneByDowngradesChildrenFirst() throws {
        let decision = try TargetDecision.decide(Self.rollback(from: ["one1"], to: ["three3"]), state: Self.state(["three3"]),
                                                 graph: F.linear(), target: Self.target)
        guard case .work(let plan) = decision else { Issue.record("expected work, got \(decision)"); return }
        #expect(plan.steps.map(\.revision) == ["three3", "two2"])
        #expect(plan.steps.allSatisfy { $0.direction == .down })
        #expect(plan.from == ["three3"] && plan.to == ["one1"])
    }

    @Test func aDowngradeRunIsUndoneByUpgradesParentsFirst() throws {
        let decision = try TargetDecision.decide(Self.rollback(.downgrade, from: ["four4"], to: []), state: Self.state([]),
                                                 graph: F.linear(), target: Self.target)
        guard case .work(let plan) = decision else { Issue.record("expected work, got \(decision)"); return }
        #expect(plan.steps.map(\.revision) == ["one1", "two2", "three3", "four4"])
        #expect(plan.steps.allSatisfy { $0.direction == .up })
    }

    @Test func aStampRunIsUndoneByAStamp() throws {
        let decision = try TargetDecision.decide(Self.rollback(.stamp, from: ["two2"], to: ["four4"]), state: Self.state(["four4"]),
                                                 graph: F.linear(), target: Self.target)
        guard case .work(let plan) = decision else { Issue.record("expected work, got \(decision)"); return }
        #expect(plan.kind == .stamp && plan.to == ["two2"] && plan.steps.isEmpty)
    }

    @Test func aTargetAlreadyBackIsUpToDateSoRunningItTwiceChangesNothing() throws {
        let decision = try TargetDecision.decide(Self.rollback(from: ["one1"], to: ["three3"]), state: Self.state(["one1"]),
                                                 graph: F.linear(), target: Self.target)
        guard case .upToDate = decision else { Issue.record("expected up-to-date, got \(decision)"); return }
    }

    @Test func aTargetALaterRunMovedIsRefusedUnlessForced() throws {
        let moved = Self.state(["four4"])
        let refused = #expect(throws: ShoalError.self) {
            try TargetDecision.decide(Self.rollback(from: ["one1"], to: ["three3"]), state: moved, graph: F.linear(), target: Self.target)
        }
        #expect(refused?.message.contains("core was moved since run 20261207T080000Z-00aa left it at three3: it is at four4 now") == true,
                "\(refused?.message ?? "")")
        #expect(refused?.message.contains("--force") == true)
        let forced = try TargetDecision.decide(Self.rollback(from: ["one1"], to: ["three3"], force: true), state: moved,
                                               graph: F.linear(), target: Self.target)
        guard case .work(let plan) = forced else { Issue.record("expected work, got \(forced)"); return }
        #expect(plan.steps.map(\.revision) == ["four4", "three3", "two2"])
    }

    /// A target a killed run never reported has no known end: it is back
    /// already, or refused unless forced (the fleet settles its end from
    /// its history first, when the killed run moved it last).
    @Test func aTargetTheRunNeverReportedIsRefusedUnlessBackOrForced() throws {
        let back = try TargetDecision.decide(Self.rollback(from: ["one1"], to: nil), state: Self.state(["one1"]),
                                             graph: F.linear(), target: Self.target)
        guard case .upToDate = back else { Issue.record("expected up-to-date, got \(back)"); return }
        let refused = #expect(throws: ShoalError.self) {
            try TargetDecision.decide(Self.rollback(from: ["one1"], to: nil), state: Self.state(["two2"]), graph: F.linear(), target: Self.target)
        }
        #expect(refused?.message.contains("was interrupted before it reported core, and the last change to it is not that run's") == true,
                "\(refused?.message ?? "")")
        let forced = try TargetDecision.decide(Self.rollback(from: ["one1"], to: nil, force: true), state: Self.state(["two2"]),
                                               graph: F.linear(), target: Self.target)
        guard case .work(let plan) = forced else { Issue.record("expected work, got \(forced)"); return }
        #expect(plan.to == ["one1"])
    }

    @Test func branchesReturnToTheirRowsAndAMergeNeedsNoDown() throws {
        // The run took root's two branches to `after` through the merge.
        let decision = try TargetDecision.decide(Self.rollback(from: ["left1", "right1"], to: ["after"]), state: Self.state(["after"]),
                                                 graph: F.merged(), target: Self.target)
        guard case .work(let plan) = decision else { Issue.record("expected work, got \(decision)"); return }
        #expect(plan.to == ["left1", "right1"])
        #expect(Set(plan.steps.map(\.revision)) == ["after", "merge", "left2", "right2"])
        #expect(plan.steps.first?.revision == "after")
    }

    @Test func aMissingDownRefusesTheWholeRollbackBeforeAnythingRuns() throws {
        let graph = try F.graph([F.migration("one1"), F.migration("two2", ["one1"], down: .none)])
        let command = Self.rollback(from: ["one1"], to: ["two2"])
        let plan = FleetPlan(command, targets: [Self.target], reads: [.success(Self.state(["two2"]))], graphs: ["core": graph],
                             config: FleetConfig(directory: "/f", databases: []))
        let error = #expect(throws: ShoalError.self) { try plan.checkCompensable() }
        #expect(error?.message.contains("two2_x.sql (needed by 1 target(s))") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("Nothing ran") == true)
    }

    @Test func aTargetTheRunDidNotMoveIsLeftWhereItIs() throws {
        let command = FleetCommand.rollback(Compensation(run: "r", operation: .upgrade, moves: [:]))
        let decision = try TargetDecision.decide(command, state: Self.state(["two2"]), graph: F.linear(), target: Self.target)
        guard case .upToDate = decision else { Issue.record("expected up-to-date, got \(decision)"); return }
        #expect(command.name == "rollback" && command.revision == nil)
    }
}
