import Testing
@testable import ShoalKit

@Suite struct TargetSelectorTests {
    let all: [Target]

    init() throws {
        all = try TargetResolver.targets(config: FleetFixtures.fleet, tenants: FleetFixtures.fleetTenants)
    }

    func ids(_ selector: TargetSelector) -> [String] {
        selector.select(all).map(\.id)
    }

    @Test func emptySelectorSelectsEverything() {
        #expect(TargetSelector().isEmpty)
        #expect(ids(TargetSelector()) == all.map(\.id))
    }

    @Test func databasesAreExactAndOrTogether() {
        #expect(ids(TargetSelector(databases: ["app", "core"])) == ["core", "app/acme", "app/umbrella"])
        #expect(ids(TargetSelector(databases: ["ap"])).isEmpty)
    }

    @Test func shardsMatchTargetsOnThatShard() {
        #expect(ids(TargetSelector(shards: ["eu-1"])) == ["events/eu-1", "accounts/acme"])
        #expect(ids(TargetSelector(shards: ["eu-1", "us-1"])) == ["events/eu-1", "events/us-1", "accounts/acme", "accounts/globex"])
    }

    @Test(arguments: [
        (["acme"], ["accounts/acme", "app/acme"]),
        (["a*"], ["accounts/acme", "app/acme"]),
        (["*e*"], ["accounts/acme", "accounts/globex", "billing/initech", "app/acme", "app/umbrella"]),
        (["?cme", "umb*"], ["accounts/acme", "app/acme", "app/umbrella"]),
        (["[gi]*"], ["accounts/globex", "billing/initech"]),
        (["[!a]*"], ["accounts/globex", "billing/initech", "app/umbrella"]),
        (["*"], ["accounts/acme", "accounts/globex", "billing/initech", "app/acme", "app/umbrella"]),
    ])
    func tenantGlobsMatchOnlyTenantTargets(_ globs: [String], _ expected: [String]) {
        #expect(ids(TargetSelector(tenants: globs)) == expected)
    }

    @Test(arguments: [
        (["core"], ["core"]),
        (["events/*"], ["events/eu-1", "events/us-1"]),
        (["*/acme"], ["accounts/acme", "app/acme"]),
        (["acc*"], ["accounts/acme", "accounts/globex"]),
        (["events/??-1", "local"], ["events/eu-1", "events/us-1", "local"]),
        (["nothing*"], []),
    ])
    func targetGlobsMatchIds(_ globs: [String], _ expected: [String]) {
        #expect(ids(TargetSelector(targets: globs)) == expected)
    }

    @Test func kindsCombineWithAnd() {
        #expect(ids(TargetSelector(databases: ["accounts", "app"], tenants: ["acme"])) == ["accounts/acme", "app/acme"])
        #expect(ids(TargetSelector(databases: ["accounts"], shards: ["us-1"], tenants: ["*"])) == ["accounts/globex"])
        #expect(ids(TargetSelector(databases: ["core"], tenants: ["*"])).isEmpty)
        #expect(ids(TargetSelector(shards: ["eu-1"], targets: ["accounts/*"])) == ["accounts/acme"])
    }

    @Test func partitionsSplitTheSelection() throws {
        let selector = TargetSelector(databases: ["accounts", "app", "events"])
        let selected = ids(selector)
        var union: [String] = []
        for k in 1...3 {
            var sliced = selector
            sliced.partition = try Partition(parsing: "\(k)/3")
            union += ids(sliced)
        }
        #expect(union.sorted() == selected.sorted())
        #expect(Set(union).count == union.count)
    }

    @Test func validateAcceptsConfiguredNames() throws {
        try TargetSelector(databases: ["events"], shards: ["us-1"]).validate(against: FleetFixtures.fleet)
        try TargetSelector(shards: ["eu-1"], tenants: ["zzz*"], targets: ["nope"]).validate(against: FleetFixtures.fleet)
    }

    @Test func unknownDatabaseSuggestsClosest() throws {
        let error = #expect(throws: ShoalError.self) {
            try TargetSelector(databases: ["acounts"]).validate(against: FleetFixtures.fleet)
        }
        #expect(error?.kind == .usage)
        #expect(error?.message == "--db `acounts` is not a configured database; did you mean `accounts`?")
        let far = #expect(throws: ShoalError.self) {
            try TargetSelector(databases: ["warehouse"]).validate(against: FleetFixtures.fleet)
        }
        #expect(far?.message.contains("configured databases: core, events, accounts, billing, app, local") == true)
    }

    @Test func unknownShardSuggestsClosest() throws {
        let error = #expect(throws: ShoalError.self) {
            try TargetSelector(shards: ["eu1"]).validate(against: FleetFixtures.fleet)
        }
        #expect(error?.kind == .usage)
        #expect(error?.message == "--shard `eu1` is not a shard of any database; did you mean `eu-1`?")
    }

    @Test func shardMustBelongToASelectedDatabase() throws {
        let error = #expect(throws: ShoalError.self) {
            try TargetSelector(databases: ["core"], shards: ["eu-1"]).validate(against: FleetFixtures.fleet)
        }
        #expect(error?.message == "--shard `eu-1` is not a shard of the selected database (it is not sharded)")
    }
}
