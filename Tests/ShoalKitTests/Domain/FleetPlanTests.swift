import Testing
@testable import ShoalKit

/// The plan of a fan-out run, built from version states in code: no
/// database, no file.
@Suite struct FleetPlanTests {
    static let graph = try! GraphFixtures.linear()  // one1 <- two2 <- three3 <- four4
    static let app = DatabaseConfig(name: "app", driver: .sqlite, path: "/f/tenants/{tenant}.sqlite",
                                    tenants: .registry(path: "/f/tenants.json"), versionsDirectory: "/f/versions/app",
                                    after: ["core"])
    static let core = DatabaseConfig(name: "core", driver: .sqlite, path: "/f/core.sqlite", versionsDirectory: "/f/versions/core")
    static let config = FleetConfig(directory: "/f", databases: [core, app])

    static func targets(_ tenants: [String]) throws -> [Target] {
        try TargetResolver.targets(database: app, tenants: tenants.map { Tenant(name: $0) })
    }

    static func at(_ revisions: String..., dirty: DirtyMark? = nil) -> Result<VersionState, ShoalError> {
        let checksums = Dictionary(uniqueKeysWithValues: revisions.map { ($0, graph.migration($0)!.checksum) })
        return .success(VersionState(initialized: true, current: revisions, appliedChecksums: checksums, dirty: dirty))
    }

    static func plan(_ command: FleetCommand, _ reads: [Result<VersionState, ShoalError>], canary: Int = 0,
                     dryRun: Bool = false, graph: RevisionGraph = graph) throws -> FleetPlan {
        let targets = try targets(reads.indices.map { "t\($0)" })
        return FleetPlan(command, targets: targets, reads: reads, graphs: ["app": graph, "core": graph], config: config,
                         canary: canary, dryRun: dryRun)
    }

    @Test func eachTargetIsDecidedFromItsOwnState() throws {
        let unreadable = ShoalError(.database, "app/t4: cannot open the file")
        let plan = try Self.plan(.upgrade(.head), [
            .success(.uninitialized),
            Self.at("two2"),
            Self.at("four4"),
            Self.at("two2", dirty: DirtyMark(revision: "three3", operation: .upgrade, startedAt: "2026-12-07T00:00:00Z")),
            .failure(unreadable),
            Self.at("two2", dirty: DirtyMark(revision: "three3", operation: .upgrade, startedAt: "2026-12-07T00:00:00Z", inProgress: true)),
        ])
        #expect(plan.decisions.count == 6)
        guard case .work(let fresh) = plan.decisions[0] else { Issue.record("t0: \(plan.decisions[0])"); return }
        #expect(fresh.steps.map(\.revision) == ["one1", "two2", "three3", "four4"])
        #expect(fresh.from == [] && fresh.to == ["four4"])
        guard case .work(let behind) = plan.decisions[1] else { Issue.record("t1: \(plan.decisions[1])"); return }
        #expect(behind.steps.map(\.revision) == ["three3", "four4"])
        guard case .upToDate(let atHead) = plan.decisions[2] else { Issue.record("t2: \(plan.decisions[2])"); return }
        #expect(atHead.from == ["four4"])
        guard case .refused(let dirty, let current) = plan.decisions[3] else { Issue.record("t3: \(plan.decisions[3])"); return }
        #expect(dirty.kind == .dirty && dirty.message.contains("app/t3 is dirty") && dirty.revision == "three3")
        #expect(current == ["two2"])
        guard case .refused(let error, let none) = plan.decisions[4] else { Issue.record("t4: \(plan.decisions[4])"); return }
        #expect(error.message == unreadable.message && none == [])
        #expect(plan.states[4] == nil, "a target that could not be read has no state")
        guard case .inProgress(let mark, _) = plan.decisions[5] else { Issue.record("t5: \(plan.decisions[5])"); return }
        #expect(mark.revision == "three3")

        #expect(plan.workCount == 3, "two with steps, one waiting for the run in progress")
        #expect(plan.running == [0, 1, 5])
    }

    @Test func anEditedAppliedMigrationIsRefusedNamingItsFile() throws {
        let state = VersionState(initialized: true, current: ["two2"], appliedChecksums: ["one1": "0000", "two2": Self.graph.migration("two2")!.checksum])
        let plan = try Self.plan(.upgrade(.head), [.success(state)])
        guard case .refused(let error, _) = plan.decisions[0] else { Issue.record("\(plan.decisions[0])"); return }
        #expect(error.kind == .checksum)
        #expect(error.file == Self.graph.migration("one1")!.path)
        #expect(plan.running.isEmpty)
    }

    @Test func theCanaryIsTheFirstTargetsThatRunAndTheRestFollow() throws {
        let plan = try Self.plan(.upgrade(.head), [Self.at("four4"), Self.at("one1"), .success(.uninitialized), Self.at("two2")],
                                 canary: 2)
        #expect(plan.canary == [1, 2], "the target already at head is not a canary")
        #expect(plan.rest == [3])
        #expect(try Self.plan(.upgrade(.head), [Self.at("one1")], canary: 5).canary == [0])
    }

    @Test func aRefusalAfterPlanningTakesTheTargetOutOfTheCanaryAndTheRun() throws {
        var plan = try Self.plan(.upgrade(.head), [Self.at("one1"), Self.at("one1"), Self.at("one1")], canary: 1)
        plan.refuse(0, ShoalError(.plan, "app/t0: replica `r` cannot be reached; nothing was changed"))
        #expect(plan.canary == [1])
        #expect(plan.rest == [2])
        guard case .refused(let error, let current) = plan.decisions[0] else { Issue.record("\(plan.decisions[0])"); return }
        #expect(error.message.contains("replica `r`"))
        #expect(current == ["one1"], "a refused target stays where the plan found it")
    }

    @Test func aDryRunRunsNothing() throws {
        let plan = try Self.plan(.upgrade(.head), [Self.at("one1"), .success(.uninitialized)], canary: 1, dryRun: true)
        #expect(plan.workCount == 2)
        #expect(plan.running.isEmpty && plan.canary.isEmpty && plan.rest.isEmpty)
    }

    @Test func databasesRunInWavesAfterTheDatabasesTheyRunAfter() throws {
        let appTargets = try Self.targets(["a", "b"])
        let coreTarget = try TargetResolver.targets(database: Self.core, tenants: nil)
        let targets = [appTargets[0], coreTarget[0], appTargets[1]]
        let plan = FleetPlan(.upgrade(.head), targets: targets, reads: targets.map { _ in .success(.uninitialized) },
                             graphs: ["app": Self.graph, "core": Self.graph], config: Self.config)
        #expect(plan.waves(of: plan.rest) == [[1], [0, 2]], "core first, then app, which runs after it")
        #expect(plan.blocker(of: 0, failed: ["core"]) == "core")
        #expect(plan.blocker(of: 1, failed: ["app"]) == nil)
    }

    @Test func stampIsAPlanOfRowsNotSteps() throws {
        let plan = try Self.plan(.stamp(.head), [.success(.uninitialized), Self.at("four4"), Self.at("two2")])
        guard case .work(let stamp) = plan.decisions[0] else { Issue.record("\(plan.decisions[0])"); return }
        #expect(stamp.kind == .stamp && stamp.steps.isEmpty)
        #expect(stamp.to == ["four4"] && stamp.planned == ["four4"])
        guard case .upToDate = plan.decisions[1] else { Issue.record("an initialized target at the stamp's rows has nothing to do"); return }
        guard case .work(let move) = plan.decisions[2] else { Issue.record("\(plan.decisions[2])"); return }
        #expect(move.from == ["two2"] && move.to == ["four4"])
    }

    @Test func rollbackNeedsADownForEveryStepAndNamesTheFilesWithout() throws {
        let noDown = try GraphFixtures.graph([GraphFixtures.migration("one1"), GraphFixtures.migration("two2", ["one1"], down: .none)])
        let plan = try Self.plan(.upgrade(.head), [.success(.uninitialized), Self.at("one1"), .success(.uninitialized)], graph: noDown)
        let error = try #require(shoalError { try plan.checkReversible() })
        #expect(error.kind == .usage)
        #expect(error.message.contains("\(noDown.migration("two2")!.path) (needed by 3 target(s))"), "\(error.message)")
        #expect(!error.message.contains(noDown.migration("one1")!.path))
        #expect(throws: Never.self) { try Self.plan(.upgrade(.head), [.success(.uninitialized)]).checkReversible() }
    }

    @Test func undoingStepsRunsTheirInversesNewestFirst() throws {
        let plan = try Self.plan(.upgrade(.head), [Self.at("one1")])
        guard case .work(let work) = plan.decisions[0] else { Issue.record("\(plan.decisions[0])"); return }
        let undo = Plan.undoing(Array(work.steps.prefix(2)))
        #expect(undo.steps.map(\.revision) == ["three3", "two2"])
        #expect(undo.steps.allSatisfy { $0.direction == .down })
        #expect(undo.from == ["three3"] && undo.to == ["one1"])
    }
}
