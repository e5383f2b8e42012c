import Foundation
import Testing

/// What the text and JSON reports say in the corners: a target whose
/// revision could not be read, one target or many, targets that never started.
@Suite("report text: unknown revisions, plurals, skipped targets")
struct ReportTextTests {
    /// The app fleet plus a database `core` that cannot be read: on SQLite a
    /// file that is not a database, on PostgreSQL a server that refuses
    /// connections (a closed loopback port).
    static func withUnreachableCore(_ backend: Backend, _ body: (AppFleet) async throws -> Void) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let core: String
            switch backend {
            case .sqlite:
                try fleet.sandbox.write("core.sqlite", String(repeating: "this is not a database\n", count: 200))
                core = "\"driver\": \"sqlite\", \"path\": \"core.sqlite\""
            case .postgres:
                core = "\"driver\": \"postgres\", \"url\": \"postgres://shoal@127.0.0.1:\(try closedLoopbackPort())/nowhere\""
            }
            try fleet.sandbox.write("config.json", """
            { "concurrency": 4,
              "databases": { "core": { \(core) }, "app": { \(fleet.appKeys) } } }
            """)
            try fleet.sandbox.write("versions/core/\(Fixture.r1)_create_users.sql", Fixture.users)
            try await body(fleet)
        }
    }

    /// The line of `target` in a text report.
    static func line(_ target: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(target + " ") }.map(String.init)
    }

    @Test(arguments: Backend.allCases)
    func anUnreachableTargetsRevisionIsUnknownNotBase(_ backend: Backend) async throws {
        try await Self.withUnreachableCore(backend) { fleet in
            let text = try await fleet.shoal("upgrade")
            #expect(text.status == 1, "\(text.stderr)")
            let core = try #require(Self.line("core", in: text.stdout), "\(text.stdout)")
            #expect(core.contains("? -> ?") && core.hasSuffix("failed"), "\(core)")
            #expect(!core.contains("base"), "\(core)")
            let acme = try #require(Self.line("app/acme", in: text.stdout), "\(text.stdout)")
            #expect(acme.contains("base -> \(Fixture.r3)"), "a target that was read still says base: \(acme)")

            let json = try await fleet.shoal("upgrade", "--json")
            #expect(json.status == 1)
            let targets = try json.targets()
            let report = try #require(targets["core"])
            #expect(report["status"] as? String == "failed")
            #expect(report["revisions_known"] as? Bool == false, "\(report)")
            #expect(report["from"] as? [String] == [] && report["to"] as? [String] == [], "\(report)")
            let message = (report["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains(backend == .sqlite ? "not a database" : "connect"), "the error says why: \(report)")
            #expect(targets["app/acme"]?["status"] as? String == "up-to-date")
            #expect(targets["app/acme"]?["revisions_known"] == nil, "only there when false")
            #expect(try await fleet.versions("acme") == [Fixture.r3])

            let status = try await fleet.shoal("status")
            let coreStatus = try #require(Self.line("core", in: status.stdout), "\(status.stdout)")
            #expect(coreStatus.contains("?") && coreStatus.hasSuffix("unreachable") && !coreStatus.contains("base"), "\(coreStatus)")
            let statusJSON = try await fleet.shoal("status", "--json").targets()
            #expect(statusJSON["core"]?["state"] as? String == "unreachable")
        }
    }

    @Test(arguments: Backend.allCases)
    func summariesSayOneTargetAndTwoTargets(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let one = try await fleet.shoal("upgrade", "--tenant", "acme")
            #expect(one.stdout.contains("1 target: 1 ok, 0 failed, 0 skipped in "), "\(one.stdout)")
            let verifyOne = try await fleet.shoal("verify", "--tenant", "acme")
            #expect(verifyOne.status == 0, "\(verifyOne.stderr)")
            #expect(verifyOne.stdout.hasSuffix("1 target: 1 ok, 0 with problems\n"), "\(verifyOne.stdout)")
            let verifyAll = try await fleet.shoal("verify")
            #expect(verifyAll.stdout.hasSuffix("3 targets: 3 ok, 0 with problems\n"), "\(verifyAll.stdout)")
            let statusOne = try await fleet.shoal("status", "--tenant", "acme")
            #expect(statusOne.stdout.hasSuffix("1 target: 1 up-to-date\n"), "\(statusOne.stdout)")
            let statusAll = try await fleet.shoal("status")
            #expect(statusAll.stdout.hasSuffix("3 targets: 2 uninitialized, 1 up-to-date\n"), "\(statusAll.stdout)")
        }
    }

    /// `--on-error stop` skips the targets after a failure without starting
    /// them: each still gets its line, with the reason.
    @Test(arguments: Backend.allCases)
    func targetsThatNeverStartedGetASkippedLine(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            #expect(try await fleet.shoal("upgrade", Fixture.r1, "--tenant", "globex").status == 0)
            try await fleet.execute("acme", "CREATE TABLE users (x INTEGER);")  // r1 fails on acme, the first target
            let result = try await fleet.shoal("upgrade", "--on-error", "stop", "--concurrency", "1")
            #expect(result.status == 1)
            #expect(Self.line("app/acme", in: result.stdout)?.hasSuffix("failed") == true, "\(result.stdout)")
            for tenant in ["globex", "initech"] {
                let line = try #require(Self.line("app/\(tenant)", in: result.stdout), "no line for \(tenant): \(result.stdout)")
                #expect(line.contains("skipped  not started: an earlier target failed (--on-error stop)"), "\(line)")
            }
            #expect(result.stdout.contains("3 targets: 0 ok, 1 failed, 2 skipped in "), "\(result.stdout)")

            // Under --json the lines go to stderr, and the report says where a
            // skipped target stands: where the plan found it, not base.
            let json = try await fleet.shoal("upgrade", "--on-error", "stop", "--concurrency", "1", "--json")
            #expect(json.status == 1)
            #expect(Self.line("app/globex", in: json.stderr)?.contains("skipped  not started") == true, "\(json.stderr)")
            let globex = try #require(try json.targets()["app/globex"])
            #expect(globex["status"] as? String == "skipped")
            #expect(globex["from"] as? [String] == [Fixture.r1] && globex["to"] as? [String] == [Fixture.r1], "\(globex)")
            #expect(try await fleet.versions("globex") == [Fixture.r1])
        }
    }
}
