import Testing
@testable import ShoalKit

struct PlannerTests {
    typealias F = GraphFixtures

    func upgrade(_ graph: RevisionGraph, _ current: [String], _ spec: String) throws -> Plan {
        try Planner.upgrade(graph: graph, current: current, to: RevisionSpec(parsing: spec), database: "core")
    }

    func downgrade(_ graph: RevisionGraph, _ current: [String], _ spec: String) throws -> Plan {
        try Planner.downgrade(graph: graph, current: current, to: RevisionSpec(parsing: spec), database: "core")
    }

    func stamp(_ graph: RevisionGraph, _ current: [String], _ spec: String) throws -> [String] {
        try Planner.stamp(graph: graph, current: current, to: RevisionSpec(parsing: spec), database: "core")
    }

    /// `revision: before -> after (-removed +added)` for each step, to compare bookkeeping at a glance.
    func ledger(_ plan: Plan) -> [String] {
        plan.steps.map { step in
            "\(step.direction == .up ? "+" : "-")\(step.revision): \(step.versionsBefore) -> \(step.versionsAfter) "
                + "(-\(step.removeVersions) +\(step.addVersions))"
        }
    }

    // MARK: - Linear

    @Test func linearUpgradeFromNothing() throws {
        let plan = try upgrade(F.linear(), [], "head")
        #expect(plan.steps.map(\.revision) == ["one1", "two2", "three3", "four4"])
        #expect(plan.steps.allSatisfy { $0.direction == .up && $0.operation == .upgrade })
        #expect(plan.from == [])
        #expect(plan.to == ["four4"])
        #expect(ledger(plan) == [
            #"+one1: [] -> ["one1"] (-[] +["one1"])"#,
            #"+two2: ["one1"] -> ["two2"] (-["one1"] +["two2"])"#,
            #"+three3: ["two2"] -> ["three3"] (-["two2"] +["three3"])"#,
            #"+four4: ["three3"] -> ["four4"] (-["three3"] +["four4"])"#,
        ])
        #expect(plan.steps[0].sql == "CREATE TABLE t_one1 (id int);")
    }

    @Test func partialUpgradeThenTheRest() throws {
        let graph = try F.linear()
        let first = try upgrade(graph, [], "two2")
        #expect(first.steps.map(\.revision) == ["one1", "two2"])
        #expect(first.to == ["two2"])
        let rest = try upgrade(graph, first.to, "head")
        #expect(rest.steps.map(\.revision) == ["three3", "four4"])
        #expect(rest.from == ["two2"])
        #expect(rest.to == ["four4"])
    }

    @Test func upgradeByPrefix() throws {
        #expect(try upgrade(F.linear(), ["one1"], "thre").steps.map(\.revision) == ["two2", "three3"])
    }

    @Test(arguments: [("two2", ["three3"]), ("three3", ["three3"]), ("head", ["four4"]), ("heads", ["four4"]),
                      ("base", ["three3"]), ("base", [])])
    func upgradeToAppliedRevisionIsEmpty(_ spec: String, _ current: [String]) throws {
        let plan = try upgrade(F.linear(), current, spec)
        #expect(plan.isEmpty)
        #expect(plan.from == current)
        #expect(plan.to == current)
    }

    @Test func linearDowngrade() throws {
        let plan = try downgrade(F.linear(), ["four4"], "one1")
        #expect(plan.steps.map(\.revision) == ["four4", "three3", "two2"])
        #expect(plan.steps.allSatisfy { $0.direction == .down && $0.operation == .downgrade })
        #expect(plan.steps[0].sql == "DROP TABLE t_four4;")
        #expect(plan.to == ["one1"])
        #expect(ledger(plan) == [
            #"-four4: ["four4"] -> ["three3"] (-["four4"] +["three3"])"#,
            #"-three3: ["three3"] -> ["two2"] (-["three3"] +["two2"])"#,
            #"-two2: ["two2"] -> ["one1"] (-["two2"] +["one1"])"#,
        ])
    }

    @Test func downgradeToBase() throws {
        let plan = try downgrade(F.linear(), ["three3"], "base")
        #expect(plan.steps.map(\.revision) == ["three3", "two2", "one1"])
        #expect(plan.to == [])
        #expect(ledger(plan).last == #"-one1: ["one1"] -> [] (-["one1"] +[])"#)
        #expect(try downgrade(F.linear(), [], "base").isEmpty)
    }

    @Test func downgradeToCurrentIsEmpty() throws {
        #expect(try downgrade(F.linear(), ["three3"], "three3").isEmpty)
        #expect(try downgrade(F.linear(), ["four4"], "head").isEmpty)
        #expect(try downgrade(F.linear(), ["four4"], "heads").isEmpty)
    }

    @Test(arguments: ["four4", "head"])
    func downgradeToUnappliedRevisionIsRefused(_ spec: String) throws {
        let error = shoalError { _ = try downgrade(F.linear(), ["two2"], spec) }
        #expect(error?.kind == .plan)
        #expect(error?.message == "four4 is not applied to this target; use upgrade to reach it.")
        #expect(error?.revision == "four4")
    }

    // MARK: - Branches

    @Test func upgradingBothBranchesLeavesTwoVersionRows() throws {
        let graph = try F.forked()
        let left = try upgrade(graph, [], "left2")
        #expect(left.steps.map(\.revision) == ["root", "left1", "left2"])
        #expect(left.to == ["left2"])
        let right = try upgrade(graph, left.to, "right2")
        #expect(right.steps.map(\.revision) == ["right1", "right2"])
        #expect(right.to == ["left2", "right2"])
        #expect(ledger(right) == [
            #"+right1: ["left2"] -> ["left2", "right1"] (-[] +["right1"])"#,
            #"+right2: ["left2", "right1"] -> ["left2", "right2"] (-["right1"] +["right2"])"#,
        ])
    }

    @Test func upgradeHeadsRunsOneBranchAfterTheOther() throws {
        let plan = try upgrade(F.forked(), [], "heads")
        #expect(plan.steps.map(\.revision) == ["root", "left1", "left2", "right1", "right2"])
        #expect(plan.to == ["left2", "right2"])
        #expect(ledger(plan)[3] == #"+right1: ["left2"] -> ["left2", "right1"] (-[] +["right1"])"#)
    }

    @Test func mergeCollapsesTheRows() throws {
        let graph = try F.merged()
        let plan = try upgrade(graph, ["left2", "right2"], "head")
        #expect(plan.steps.map(\.revision) == ["merge", "after"])
        #expect(ledger(plan) == [
            #"+merge: ["left2", "right2"] -> ["merge"] (-["left2", "right2"] +["merge"])"#,
            #"+after: ["merge"] -> ["after"] (-["merge"] +["after"])"#,
        ])
        let fromOneBranch = try upgrade(graph, ["left1"], "merge")
        #expect(fromOneBranch.steps.map(\.revision) == ["left2", "right1", "right2", "merge"])
        #expect(fromOneBranch.to == ["merge"])
    }

    @Test func downgradeAcrossAMergeKeepsTheOtherBranch() throws {
        let plan = try downgrade(F.merged(), ["after"], "left1")
        #expect(plan.steps.map(\.revision) == ["after", "merge", "left2"])
        #expect(plan.to == ["left1", "right2"])
        #expect(ledger(plan) == [
            #"-after: ["after"] -> ["merge"] (-["after"] +["merge"])"#,
            #"-merge: ["merge"] -> ["left2", "right2"] (-["merge"] +["left2", "right2"])"#,
            #"-left2: ["left2", "right2"] -> ["left1", "right2"] (-["left2"] +["left1"])"#,
        ])
        #expect(plan.steps[1].sql == "")
    }

    @Test func downgradeOneBranchLeavesTheOther() throws {
        let plan = try downgrade(F.forked(), ["left2", "right2"], "left1")
        #expect(plan.steps.map(\.revision) == ["left2"])
        #expect(plan.to == ["left1", "right2"])
    }

    @Test func downgradeToTheBranchPointUnappliesBothBranches() throws {
        let plan = try downgrade(F.forked(), ["left2", "right2"], "root")
        #expect(plan.steps.map(\.revision) == ["right2", "right1", "left2", "left1"])
        #expect(plan.to == ["root"])
        #expect(ledger(plan) == [
            #"-right2: ["left2", "right2"] -> ["left2", "right1"] (-["right2"] +["right1"])"#,
            #"-right1: ["left2", "right1"] -> ["left2"] (-["right1"] +[])"#,
            #"-left2: ["left2"] -> ["left1"] (-["left2"] +["left1"])"#,
            #"-left1: ["left1"] -> ["root"] (-["left1"] +["root"])"#,
        ])
    }

    @Test func headWithSeveralHeadsIsRefusedByValidate() throws {
        let graph = try F.forked()
        let error = shoalError { try Planner.validate(.head, graph: graph, database: "core") }
        #expect(error?.kind == .revision)
        #expect(error?.message.contains("versions/core has 2 heads (left2, right2)") == true)
        #expect(error?.message.contains("`shoal merge --db core`") == true)
        let fromUpgrade = shoalError { _ = try upgrade(graph, [], "head") }
        #expect(fromUpgrade == error)
        #expect(shoalError { _ = try downgrade(graph, ["left2"], "head") } == error)
        #expect(shoalError { _ = try stamp(graph, [], "head") } == error)
    }

    @Test(arguments: [RevisionSpec.heads, .base, .relative(1), .relative(-1), .revision("left2"), .revision("right2")])
    func validateAcceptsWhatTheGraphCanAnswer(_ spec: RevisionSpec) throws {
        try Planner.validate(spec, graph: F.forked(), database: "core")
    }

    @Test(arguments: [RevisionSpec.revision("nope"), .revision("left"), .revision("lef")])
    func validateRefusesUnknownAndAmbiguousIds(_ spec: RevisionSpec) throws {
        let error = shoalError { try Planner.validate(spec, graph: F.forked(), database: "core") }
        #expect(error?.kind == .revision)
    }

    @Test func validateRefusesRelativeStepsTheWrongWay() throws {
        let graph = try F.linear()
        try Planner.validate(.relative(1), for: .upgrade, graph: graph, database: "core")
        try Planner.validate(.relative(-1), for: .downgrade, graph: graph, database: "core")
        try Planner.validate(.relative(-1), for: .stamp, graph: graph, database: "core")
        let up = shoalError { try Planner.validate(.relative(-1), for: .upgrade, graph: graph, database: "core") }
        #expect(up?.matches(.revision, "shoal downgrade -1") == true)
        let down = shoalError { try Planner.validate(.relative(2), for: .downgrade, graph: graph, database: "core") }
        #expect(down?.matches(.revision, "shoal upgrade +2") == true)
        #expect(shoalError { _ = try upgrade(graph, [], "-1") }?.kind == .revision)
        #expect(shoalError { _ = try downgrade(graph, ["four4"], "+1") }?.kind == .revision)
    }

    @Test func emptyGraphHasNothingToDo() throws {
        let graph = try F.graph([Migration]())
        #expect(try upgrade(graph, [], "head").isEmpty)
        #expect(try upgrade(graph, [], "heads").isEmpty)
        #expect(try downgrade(graph, [], "base").isEmpty)
    }

    // MARK: - Relative

    @Test func plusN() throws {
        let graph = try F.linear()
        #expect(try upgrade(graph, [], "+2").steps.map(\.revision) == ["one1", "two2"])
        #expect(try upgrade(graph, ["three3"], "+1").steps.map(\.revision) == ["four4"])
        let plan = try upgrade(graph, ["one1"], "+3")
        #expect(plan.steps.map(\.revision) == ["two2", "three3", "four4"])
        #expect(plan.to == ["four4"])
    }

    @Test func plusNFollowsTheCurrentBranchThroughAMerge() throws {
        let plan = try upgrade(F.merged(), ["left2"], "+2")
        #expect(plan.steps.map(\.revision) == ["right1", "right2"])
        #expect(plan.to == ["left2", "right2"])
    }

    @Test(arguments: [(["three3"], "+2", "only 1 revision is pending toward head four4"),
                      (["four4"], "+1", "only 0 revisions are pending on this target"),
                      ([], "+5", "only 4 revisions are pending toward head four4")])
    func plusNOutOfRange(_ current: [String], _ spec: String, _ says: String) throws {
        let error = shoalError { _ = try upgrade(F.linear(), current, spec) }
        #expect(error?.kind == .plan)
        #expect(error?.message.contains(says) == true, "\(String(describing: error))")
    }

    @Test func plusNWithSeveralHeadsAheadIsAmbiguous() throws {
        let error = shoalError { _ = try upgrade(F.forked(), ["root"], "+1") }
        #expect(error?.matches(.plan, "ambiguous", "several heads are ahead of this target (left2, right2)") == true)
        let fromNothing = shoalError { _ = try upgrade(F.forked(), [], "+1") }
        #expect(fromNothing?.matches(.plan, "(left2, right2)") == true)
    }

    @Test func plusNAtTheHeadOfOneBranchDoesNotStepOntoAnother() throws {
        let error = shoalError { _ = try upgrade(F.forked(), ["left2"], "+1") }
        #expect(error?.matches(.plan, "only 0 revisions are pending") == true)
    }

    @Test func minusN() throws {
        let plan = try downgrade(F.linear(), ["four4"], "-2")
        #expect(plan.steps.map(\.revision) == ["four4", "three3"])
        #expect(plan.to == ["two2"])
        #expect(try downgrade(F.linear(), ["one1"], "-1").to == [])
        #expect(try downgrade(F.merged(), ["merge"], "-1").to == ["left2", "right2"])
    }

    @Test(arguments: [(["four4"], "-5", "only 4 revisions are applied"), ([], "-1", "only 0 revisions are applied"),
                      (["one1"], "-2", "only 1 revision is applied")])
    func minusNOutOfRange(_ current: [String], _ spec: String, _ says: String) throws {
        let error = shoalError { _ = try downgrade(F.linear(), current, spec) }
        #expect(error?.matches(.plan, says) == true, "\(String(describing: error))")
    }

    @Test func minusNWithSeveralRowsIsAmbiguous() throws {
        let now = shoalError { _ = try downgrade(F.forked(), ["left2", "right2"], "-1") }
        #expect(now?.matches(.plan, "ambiguous", "(left2, right2)") == true)
        let later = shoalError { _ = try downgrade(F.merged(), ["merge"], "-2") }
        #expect(later?.matches(.plan, "-2 is ambiguous", "after 1 step", "(left2, right2)") == true)
    }

    // MARK: - Refusals

    @Test func missingDownIsRefusedBeforeAnyStep() throws {
        let graph = try F.graph([F.migration("one1"), F.migration("two2", ["one1"], down: .none),
                                 F.migration("three3", ["two2"])])
        let error = shoalError { _ = try downgrade(graph, ["three3"], "base") }
        #expect(error?.kind == .plan)
        #expect(error?.revision == "two2")
        #expect(error?.file == "/fleet/versions/core/two2_x.sql")
        #expect(error?.message.contains("cannot downgrade revision two2: its file /fleet/versions/core/two2_x.sql has no `-- shoal:down` section") == true)
        #expect(shoalError { _ = try downgrade(graph, ["three3"], "-2") }?.revision == "two2")
        #expect(try downgrade(graph, ["three3"], "two2").steps.map(\.revision) == ["three3"])
    }

    @Test func emptyDownIsAllowed() throws {
        let graph = try F.graph([F.migration("one1", down: .some("")), F.migration("two2", ["one1"], down: .some("-- nothing"))])
        #expect(try downgrade(graph, ["two2"], "base").steps.map(\.sql) == ["-- nothing", ""])
    }

    @Test(arguments: ["head", "base", "+1", "-1", "one1"])
    func unknownCurrentRevisionIsRefusedForThisTarget(_ spec: String) throws {
        let graph = try F.linear()
        let error = shoalError {
            _ = spec.hasPrefix("-") || spec == "base" || spec == "one1"
                ? try downgrade(graph, ["two2", "ghost9"], spec) : try upgrade(graph, ["two2", "ghost9"], spec)
        }
        #expect(error?.kind == .plan)
        #expect(error?.revision == "ghost9")
        #expect(error?.message.contains("the version table holds revision ghost9, which is not in versions/core") == true)
        #expect(error?.message.contains("shoal stamp") == true)
    }

    @Test func argumentErrorsComeBeforeTargetErrors() throws {
        let error = shoalError { _ = try upgrade(F.forked(), ["ghost9"], "head") }
        #expect(error?.kind == .revision)
        #expect(shoalError { _ = try downgrade(F.forked(), ["ghost9"], "nope") }?.kind == .revision)
    }

    @Test func rowThatIsAnAncestorOfAnotherIsRefused() throws {
        let error = shoalError { _ = try upgrade(F.linear(), ["one1", "three3"], "head") }
        #expect(error?.matches(.plan, "holds both one1 and its descendant three3") == true)
    }

    // MARK: - Stamp

    @Test func stampAbsolute() throws {
        let linear = try F.linear()
        #expect(try stamp(linear, [], "head") == ["four4"])
        #expect(try stamp(linear, ["four4"], "two2") == ["two2"])
        #expect(try stamp(linear, ["two2"], "thre") == ["three3"])
        #expect(try stamp(linear, ["four4"], "base") == [])
        #expect(try stamp(linear, ["ghost9"], "base") == [])
        #expect(try stamp(linear, ["ghost9"], "two2") == ["two2"])
        #expect(try stamp(F.forked(), [], "heads") == ["left2", "right2"])
    }

    @Test func stampKeepsUnrelatedBranches() throws {
        let forked = try F.forked()
        #expect(try stamp(forked, ["right2"], "left1") == ["left1", "right2"])
        #expect(try stamp(forked, ["left1", "right2"], "left2") == ["left2", "right2"])
        #expect(try stamp(forked, ["left2", "right2"], "root") == ["root"])
        #expect(try stamp(F.merged(), ["after"], "right1") == ["right1"])
        #expect(try stamp(F.merged(), ["left2", "right2"], "merge") == ["merge"])
    }

    @Test func stampRelativeMovesFromCurrentWithoutDownSections() throws {
        let graph = try F.graph([F.migration("one1"), F.migration("two2", ["one1"], down: .none)])
        #expect(try stamp(graph, ["one1"], "+1") == ["two2"])
        #expect(try stamp(graph, ["two2"], "-1") == ["one1"])
        #expect(try stamp(graph, ["two2"], "-2") == [])
        #expect(shoalError { _ = try stamp(graph, ["two2"], "+1") }?.kind == .plan)
        #expect(shoalError { _ = try stamp(graph, ["ghost9"], "-1") }?.revision == "ghost9")
    }
}
