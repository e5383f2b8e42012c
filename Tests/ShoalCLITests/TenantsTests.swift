import Foundation
import Testing

@Suite("tenants list, add and remove")
struct TenantsTests {
    @Test func addRegistersCreatesAndMigratesATenant() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let result = try sandbox.shoal("tenants", "add", "wayne", "--db", "app", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try result.targets()["app/wayne"]?["status"] as? String == "ok")
        #expect(try sandbox.read("tenants/app.json").contains("wayne"))
        #expect(try await sandbox.column(Fixture.tenantFile("wayne"), "SELECT revision FROM shoal_version") == [Fixture.r3])
        let list = try sandbox.shoal("tenants", "list", "--db", "app")
        #expect(list.stdout.split(separator: "\n") == ["acme", "globex", "initech", "wayne"])
    }

    @Test func addRefusesADuplicateOrHostileName() throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let registry = try sandbox.read("tenants/app.json")
        let duplicate = try sandbox.shoal("tenants", "add", "acme", "--db", "app")
        #expect(duplicate.status == 2)
        #expect(duplicate.stderr.contains("acme"))
        let hostile = try sandbox.shoal("tenants", "add", "../evil", "--db", "app")
        #expect(hostile.status == 2)
        #expect(hostile.stderr.contains("../evil"))
        #expect(try sandbox.read("tenants/app.json") == registry)
        #expect(!sandbox.exists("tenants/evil.sqlite"))
    }

    @Test func removeKeepsDataUnlessDropIsGiven() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try sandbox.shoal("upgrade").status == 0)
        let keep = try sandbox.shoal("tenants", "remove", "acme", "--db", "app")
        #expect(keep.status == 0, "\(keep.stderr)")
        #expect(keep.stdout.contains("--drop"))
        #expect(sandbox.exists(Fixture.tenantFile("acme")))
        #expect(!(try sandbox.read("tenants/app.json")).contains("acme"))
        let drop = try sandbox.shoal("tenants", "remove", "globex", "--db", "app", "--drop")
        #expect(drop.status == 0)
        #expect(!sandbox.exists(Fixture.tenantFile("globex")))
        let missing = try sandbox.shoal("tenants", "remove", "nobody", "--db", "app")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nobody"))
        let status = try sandbox.shoal("status", "--json")
        #expect(Set(try status.targets().keys) == ["app/initech"])
    }
}
