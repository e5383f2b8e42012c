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

    /// The fixture fleet with `app` holding `tenants` (and the other databases as they are).
    static func fleet(appTenants tenants: [String], accountsTenants: Int = 0) throws -> [Target] {
        var registry = FleetFixtures.fleetTenants
        registry["app"] = tenants.map { Tenant(name: $0) }
        registry["accounts"] = (0..<accountsTenants).map { Tenant(name: "a\($0)", shard: $0 % 3 == 0 ? "us-1" : "eu-1") }
        return try TargetResolver.targets(config: FleetFixtures.fleet, tenants: registry)
    }

    /// The K-th of N slices of `targets`, for K = 1…N.
    static func slices(_ targets: [Target], _ count: Int, _ selector: TargetSelector = TargetSelector()) throws -> [[String]] {
        try (1...count).map { k in
            var sliced = selector
            sliced.partition = try Partition(parsing: "\(k)/\(count)")
            return sliced.select(targets).map(\.id)
        }
    }

    /// SPEC §3: the slices of one fleet differ in size by at most one
    /// target; together they are the fleet, each target once, in run order.
    @Test(arguments: [0, 1, 2, 5, 94, 491, 2000])
    func slicesDifferInSizeByAtMostOne(_ appTenants: Int) throws {
        let fleet = try Self.fleet(appTenants: (0..<appTenants).map { "t\($0)" }, accountsTenants: appTenants / 3)
        for count in [1, 2, 3, 4, 7, 16, 50] {
            let slices = try Self.slices(fleet, count)
            let sizes = slices.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1, "\(fleet.count) targets in \(count) slices: \(sizes)")
            #expect(slices.joined().sorted() == fleet.map(\.id).sorted(), "\(count) slices cover every target once")
            for slice in slices {
                #expect(slice == fleet.map(\.id).filter(Set(slice).contains), "a slice runs in run order")
            }
        }
    }

    /// The fleet: 101 targets in 3 slices were 42/25/34.
    @Test func oneHundredAndOneTargetsInThreeSlicesAre34_34_33() throws {
        let app = try TargetResolver.targets(database: FleetFixtures.app, tenants: (1...101).map { Tenant(name: "tenant\($0)") })
        #expect(try Self.slices(app, 3).map(\.count) == [34, 34, 33])
    }

    /// Slices are cut from the targets of the `--db` databases, so a
    /// database's slices are balanced too; `--shard`, `--tenant` and
    /// `--target` narrow a slice of the fleet.
    @Test func partitionsCutTheSelectedDatabasesAndTheOtherKindsNarrowASlice() throws {
        let fleet = try Self.fleet(appTenants: (0..<100).map { "t\($0)" }, accountsTenants: 60)
        let app = try Self.slices(fleet, 3, TargetSelector(databases: ["app"]))
        #expect(app.map(\.count).sorted() == [33, 33, 34], "\(app.map(\.count))")
        let whole = try Self.slices(fleet, 3)
        let eu = try Self.slices(fleet, 3, TargetSelector(shards: ["eu-1"]))
        for k in 0..<3 {
            #expect(eu[k] == whole[k].filter { id in fleet.first { $0.id == id }?.shard == "eu-1" })
        }
    }

    /// Adding a tenant moves at most N - 1 other targets from one slice to
    /// another (each cut between two slices shifts by at most one place),
    /// and removing it moves them back.
    @Test(arguments: [2, 3, 5, 16])
    func addingATenantMovesAtMostNMinusOneOthers(_ count: Int) throws {
        var tenants = (0..<200).map { "t\($0)" }
        var moved: [Int] = []
        for added in 0..<20 {
            let before = try Self.slices(Self.fleet(appTenants: tenants), count)
            tenants.append("new\(added)")
            let after = try Self.slices(Self.fleet(appTenants: tenants), count)
            var sliceBefore: [String: Int] = [:]
            for (k, slice) in before.enumerated() { for id in slice { sliceBefore[id] = k } }
            var movers = 0
            for (k, slice) in after.enumerated() {
                for id in slice where sliceBefore[id] != nil && sliceBefore[id] != k {
                    movers += 1
                    #expect(abs(sliceBefore[id]! - k) == 1, "\(id) moved from \(sliceBefore[id]! + 1) to \(k + 1) of \(count)")
                }
            }
            moved.append(movers)
            #expect(movers <= count - 1, "adding new\(added) moved \(movers) targets among \(count) slices")
        }
        #expect(moved.reduce(0, +) > 0 || count == 1)
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
