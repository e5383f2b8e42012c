import Testing
@testable import ShoalKit

/// Reading a target from one of its replicas (`status --replica`, `history --replica`).
@Suite struct TargetReplicaTests {
    static let targets = try! TargetResolver.targets(config: FleetFixtures.fleet, tenants: FleetFixtures.fleetTenants)

    static func target(_ id: String) -> Target {
        targets.first { $0.id == id }!
    }

    @Test func onReplicaKeepsTheSchemaAndVersionTableAndTakesTheReplicasURL() throws {
        let globex = Self.target("accounts/globex")
        let view = try #require(globex.onReplica(named: "us-1-replica"))
        #expect(view.location == .postgres(url: "postgres://us1r/accounts", schema: "tenant_globex"))
        #expect(view.versionTable == "acct_version")
        #expect(view.replicas.isEmpty)
        #expect(view.id == globex.id)
        #expect(Self.target("accounts/acme").onReplica(named: "us-1-replica") == nil, "acme is on eu-1, which has no replica")
    }

    @Test func onReplicaOfADatabasePerTenantUsesTheTenantsDatabaseOnTheReplica() throws {
        let view = try #require(Self.target("billing/initech").onReplica(named: "r"))
        #expect(view.location == .postgres(url: "postgres://replica/billing_initech", schema: nil))
    }

    @Test func havingReplicaSelectsTheTargetsThatHaveIt() throws {
        let selected = try Target.havingReplica(named: "us-1-replica", in: Self.targets)
        #expect(selected.map(\.id) == ["events/us-1", "accounts/globex"])
    }

    @Test func havingReplicaRefusesANameNoTargetHasWithASuggestion() {
        let error = #expect(throws: ShoalError.self) { try Target.havingReplica(named: "us1-replica", in: Self.targets) }
        #expect(error?.kind == .usage)
        #expect(error?.message.contains("did you mean `us-1-replica`?") == true)
        let none = #expect(throws: ShoalError.self) { try Target.havingReplica(named: "x", in: [Self.target("app/acme")]) }
        #expect(none?.message.contains("have no replicas") == true)
    }
}
