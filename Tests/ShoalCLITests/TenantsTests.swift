import Foundation
import Testing

@Suite("tenants list, add and remove")
struct TenantsTests {
    @Test(arguments: Backend.allCases)
    func addRegistersCreatesAndMigratesATenant(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let result = try await fleet.shoal("tenants", "add", "wayne", "--db", "app", "--json")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try result.targets()["app/wayne"]?["status"] as? String == "ok")
            #expect(try fleet.sandbox.read("tenants/app.json").contains("wayne"))
            #expect(try await fleet.versions("wayne") == [Fixture.r3])
            #expect(try await fleet.tableExists("wayne", "projects"))
            #expect(try await !fleet.storageExists("acme"), "add touches only the new tenant")
            let list = try await fleet.shoal("tenants", "list", "--db", "app")
            #expect(list.stdout.split(separator: "\n") == ["acme", "globex", "initech", "wayne"])
        }
    }

    @Test(arguments: Backend.allCases)
    func addRefusesADuplicateOrHostileName(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let before = try await fleet.snapshot()
            let duplicate = try await fleet.shoal("tenants", "add", "acme", "--db", "app")
            #expect(duplicate.status == 2)
            #expect(duplicate.stderr.contains("acme"))
            let hostile = try await fleet.shoal("tenants", "add", "../evil", "--db", "app")
            #expect(hostile.status == 2)
            #expect(hostile.stderr.contains("../evil"))
            #expect(try await fleet.snapshot() == before, "nothing written, nothing created")
            #expect(!fleet.sandbox.exists("tenants/evil.sqlite"))
        }
    }

    @Test(arguments: Backend.allCases)
    func removeKeepsDataUnlessDropIsGiven(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let keep = try await fleet.shoal("tenants", "remove", "acme", "--db", "app")
            #expect(keep.status == 0, "\(keep.stderr)")
            #expect(keep.stdout.contains("--drop"))
            #expect(try await fleet.storageExists("acme"))
            #expect(try await fleet.versions("acme") == [Fixture.r3])
            #expect(!(try fleet.sandbox.read("tenants/app.json")).contains("acme"))
            let drop = try await fleet.shoal("tenants", "remove", "globex", "--db", "app", "--drop")
            #expect(drop.status == 0, "\(drop.stderr)")
            #expect(try await !fleet.storageExists("globex"))
            if backend == .postgres { #expect(drop.stdout.contains("dropped schema tenant_globex")) }
            let missing = try await fleet.shoal("tenants", "remove", "nobody", "--db", "app")
            #expect(missing.status == 2)
            #expect(missing.stderr.contains("nobody"))
            let status = try await fleet.shoal("status", "--json")
            #expect(Set(try status.targets().keys) == ["app/initech"])
            #expect(try await fleet.versions("initech") == [Fixture.r3])
        }
    }
}
