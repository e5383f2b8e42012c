import Testing
@testable import ShoalKit

/// `shoal sql`'s `[FROM:]TO`, planned from the graph alone: no target, no database.
struct PlannerRangeTests {
    typealias F = GraphFixtures

    func range(_ graph: RevisionGraph, _ range: String) throws -> Plan {
        try Planner.range(range, graph: graph, database: "core")
    }

    /// `+revision` or `-revision` for each step, in order.
    func steps(_ plan: Plan) -> [String] {
        plan.steps.map { ($0.direction == .up ? "+" : "-") + $0.revision }
    }

    // MARK: - Upgrade

    @Test func toAloneUpgradesFromBase() throws {
        let plan = try range(F.linear(), "head")
        #expect(steps(plan) == ["+one1", "+two2", "+three3", "+four4"])
        #expect(plan.from == [])
        #expect(plan.to == ["four4"])
        #expect(try range(F.linear(), "base:head") == plan)
    }

    @Test func fromToUpgradesFromTheRowsAStampToFromLeaves() throws {
        let plan = try range(F.linear(), "two2:four4")
        #expect(steps(plan) == ["+three3", "+four4"])
        #expect(plan.from == ["two2"])
        #expect(plan.to == ["four4"])
        #expect(plan.steps.map(\.versionsBefore) == [["two2"], ["three3"]])
    }

    @Test func prefixesAndRelativeStepsResolveAsForUpgrade() throws {
        #expect(steps(try range(F.linear(), "one1:thre")) == ["+two2", "+three3"])
        #expect(steps(try range(F.linear(), "one1:+2")) == ["+two2", "+three3"])
        #expect(steps(try range(F.linear(), "+1")) == ["+one1"])
    }

    @Test func fromOneBranchToTheOtherUpgradesTheOtherAndKeepsTheFirst() throws {
        let plan = try range(F.forked(), "left2:right2")
        #expect(steps(plan) == ["+right1", "+right2"])
        #expect(plan.from == ["left2"])
        #expect(plan.to == ["left2", "right2"])
    }

    // MARK: - Downgrade

    @Test func toBehindFromDowngrades() throws {
        let plan = try range(F.linear(), "four4:two2")
        #expect(steps(plan) == ["-four4", "-three3"])
        #expect(plan.steps.allSatisfy { $0.operation == .downgrade })
        #expect(plan.from == ["four4"])
        #expect(plan.to == ["two2"])
    }

    @Test func headToBaseUnappliesEverything() throws {
        let plan = try range(F.merged(), "head:base")
        #expect(steps(plan) == ["-after", "-merge", "-right2", "-right1", "-left2", "-left1", "-root"])
        #expect(plan.from == ["after"])
        #expect(plan.to == [])
    }

    /// As `shoal sql` always did: the downgrade is tried only when the
    /// upgrade is empty, and one that cannot be planned leaves that empty plan.
    @Test func downgradeThroughARevisionWithoutDownLeavesTheEmptyUpgrade() throws {
        let graph = try F.graph([F.migration("one1"), F.migration("two2", ["one1"], down: .none)])
        let plan = try range(graph, "two2:base")
        #expect(plan.isEmpty)
        #expect(plan.from == ["two2"])
        #expect(plan.to == ["two2"])
    }

    // MARK: - Empty

    @Test(arguments: ["two2:two2", "head:head", "four4:heads", "base", "base:base"])
    func rangeThatGoesNowhereIsEmpty(_ text: String) throws {
        let plan = try range(F.linear(), text)
        #expect(plan.isEmpty)
        #expect(plan.from == plan.to)
    }

    // MARK: - Bad revisions

    @Test(arguments: [
        ("zzzz", "zzzz"), ("zzzz:head", "zzzz"), ("head:zzzz", "zzzz"), ("one1:zzzzzz", "zzzzzz"),
    ])
    func unknownRevisionIsRefusedByName(_ text: String, _ unknown: String) throws {
        let error = shoalError { _ = try range(F.linear(), text) }
        #expect(error?.matches(.revision, "unknown revision `\(unknown)`", F.directory) == true, "\(String(describing: error))")
        #expect(error?.revision == unknown)
    }

    @Test(arguments: [
        ("", "an empty revision is not a revision"), (":head", "an empty revision is not a revision"),
        ("head:", "an empty revision is not a revision"), ("a:b:c", "`b:c` is not a revision"),
        ("x!y:head", "`x!y` is not a revision"), ("+0", "`+0` is not a relative revision"),
        ("one1:-x", "`-x` is not a relative revision"),
    ])
    func malformedRevisionIsRefusedQuotingIt(_ text: String, _ message: String) throws {
        #expect(shoalError { _ = try range(F.linear(), text) }?.matches(.revision, message) == true)
    }

    @Test func tooShortPrefixIsRefusedByName() throws {
        let error = shoalError { _ = try range(F.linear(), "one:head") }
        #expect(error?.matches(.revision, "revision prefix `one` is too short") == true, "\(String(describing: error))")
        #expect(error?.revision == "one")
    }

    @Test func headOfAGraphWithTwoHeadsIsAmbiguous() throws {
        for text in ["head", "root:head", "head:root"] {
            let error = shoalError { _ = try range(F.forked(), text) }
            #expect(error?.matches(.revision, "2 heads (left2, right2)", "shoal merge --db core") == true, "\(text)")
        }
        #expect(steps(try range(F.forked(), "heads")) == ["+root", "+left1", "+left2", "+right1", "+right2"])
    }
}
