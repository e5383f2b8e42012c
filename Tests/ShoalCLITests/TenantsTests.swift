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

    /// The migrations `add` would run are read first: a broken file is exit
    /// 2 before the tenant's storage is created or the registry written.
    @Test(arguments: Backend.allCases)
    func addWithABrokenMigrationFileTouchesNothing(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            try fleet.sandbox.write("versions/app/9999dddd0004_broken.sql", "-- revision: 9999dddd0004\nSELECT 1;\n")
            let before = try await fleet.snapshot()
            let result = try await fleet.shoal("tenants", "add", "wayne", "--db", "app")
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("9999dddd0004_broken.sql"), "\(result.stderr)")
            #expect(!result.stdout.contains("added"), "\(result.stdout)")
            #expect(try await fleet.snapshot() == before, "nothing written, nothing created")
            #expect(try await !fleet.storageExists("wayne"))
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
            let drop = try await fleet.shoal("tenants", "remove", "globex", "--db", "app", "--drop", "--yes")
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

    /// `--drop` deletes a tenant's data: without `--yes`, and with no
    /// terminal to ask on, it is refused before anything is touched.
    @Test(arguments: Backend.allCases)
    func dropWithoutYesIsRefusedWhenStdinIsNotATerminal(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let before = try await fleet.snapshot()
            let registry = try fleet.sandbox.read("tenants/app.json")
            let refused = try await fleet.shoal("tenants", "remove", "globex", "--db", "app", "--drop")
            #expect(refused.status == 2, "\(refused.stderr)")
            let storage = backend == .postgres ? "schema tenant_globex" : "file \(fleet.sandbox.path(Fixture.tenantFile("globex")))"
            for fragment in ["app/globex", storage, "not a terminal", "--yes", "Nothing was changed"] {
                #expect(refused.stderr.contains(fragment), "\(fragment): \(refused.stderr)")
            }
            #expect(refused.stdout.isEmpty)
            #expect(try fleet.sandbox.read("tenants/app.json") == registry)
            #expect(try await fleet.storageExists("globex"))
            #expect(try await fleet.versions("globex") == [Fixture.r3])
            #expect(try await fleet.snapshot() == before, "nothing touched")

            let dropped = try await fleet.shoal("tenants", "remove", "globex", "--db", "app", "--drop", "--yes", "--json")
            #expect(dropped.status == 0, "\(dropped.stderr)")
            #expect(try dropped.json()["removed"] as? String == "globex")
            #expect(try await !fleet.storageExists("globex"))
            #expect(!(try fleet.sandbox.read("tenants/app.json")).contains("globex"))
            #expect(try await fleet.storageExists("acme"))
            #expect(try await fleet.storageExists("initech"))
        }
    }

    /// On a terminal, `--drop` asks first: anything but yes keeps the
    /// tenant, `y` drops it. (`script` runs shoal on a pseudo-terminal.)
    @Test(arguments: Backend.allCases)
    func dropAsksOnATerminal(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade").status == 0)
            let registry = try fleet.sandbox.read("tenants/app.json")
            let declined = try await Self.onTerminal(fleet.sandbox, answer: "n", "tenants", "remove", "globex", "--db", "app", "--drop")
            #expect(declined.status == 2, "\(declined.output)")
            #expect(declined.output.contains("Drop ") && declined.output.contains("app/globex") && declined.output.contains("[y/N]"),
                    "\(declined.output)")
            #expect(declined.output.contains("kept tenant app/globex"), "\(declined.output)")
            #expect(try fleet.sandbox.read("tenants/app.json") == registry)
            #expect(try await fleet.storageExists("globex"))

            let accepted = try await Self.onTerminal(fleet.sandbox, answer: "y", "tenants", "remove", "globex", "--db", "app", "--drop")
            #expect(accepted.status == 0, "\(accepted.output)")
            #expect(try await !fleet.storageExists("globex"))
            #expect(!(try fleet.sandbox.read("tenants/app.json")).contains("globex"))
        }
    }

    /// Runs shoal under `script`, whose pseudo-terminal becomes shoal's
    /// stdin, stdout and stderr, and types `answer` and a newline into it.
    static func onTerminal(_ sandbox: Sandbox, answer: String, _ args: String...) async throws -> (status: Int32, output: String) {
        let command = ([Sandbox.binary] + args).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = URL(fileURLWithPath: sandbox.root)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "SHOAL_CONFIG")
        process.environment = environment
        let input = Pipe()
        let output = sandbox.path(".tty-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: output) }
        process.standardInput = input
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = process.standardOutput
        let status = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
                input.fileHandleForWriting.write(Data((answer + "\n").utf8))
            } catch {
                process.terminationHandler = nil
                continuation.resume(returning: -1)
            }
        }
        try? input.fileHandleForWriting.close()
        return (status, try String(contentsOfFile: output, encoding: .utf8))
    }
}
