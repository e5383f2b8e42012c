import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `shoal serve` as a user runs it (SPEC §12): it prints where it listens,
/// answers, stops on SIGTERM and SIGINT with exit 0, and refuses bad
/// arguments and a port in use with exit 2 before it reads anything.
@Suite struct ServeCommandTests {
    /// A `shoal serve` process and the address it printed.
    struct Served {
        let process: RunningShoal
        let base: URL

        /// Starts `shoal serve args…` and waits for its `serving … on http://…` line.
        static func start(_ sandbox: Sandbox, _ args: String...) async throws -> Served {
            let process = try sandbox.launch(["serve"] + args)
            for _ in 0..<3000 {
                let stderr = (try? String(contentsOfFile: process.stderr, encoding: .utf8)) ?? ""
                if let range = stderr.range(of: #"on http://[^ ]+"#, options: .regularExpression) {
                    return Served(process: process, base: URL(string: String(stderr[range].dropFirst(3)))!)
                }
                if !process.process.isRunning {
                    let result = try await process.finish()
                    throw ServeFailed(description: "shoal serve exited \(result.status): \(result.stderr)")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            process.process.terminate()
            _ = try await process.finish()
            throw ServeFailed(description: "shoal serve printed no address in 30 s")
        }

        func get(_ path: String) async throws -> (status: Int, body: String) {
            let (data, response) = try await URLSession.shared.data(from: URL(string: path, relativeTo: base)!)
            return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
        }

        /// Sends `signal` and waits for the exit, failing after 20 s.
        func stop(_ signal: Int32) async throws -> CLIResult {
            kill(process.process.processIdentifier, signal)
            let pid = process.process.processIdentifier
            let watchdog = Task {
                try await Task.sleep(for: .seconds(20))
                kill(pid, SIGKILL)
            }
            defer { watchdog.cancel() }
            return try await process.finish()
        }
    }

    struct ServeFailed: Error, CustomStringConvertible { var description: String }

    @Test(arguments: [SIGTERM, SIGINT])
    func servesTheFleetAndStopsGracefully(_ signal: Int32) async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try await sandbox.shoal("upgrade").status == 0)
        let served = try await Served.start(sandbox, "--listen", "127.0.0.1:0", "--interval", "30")
        #expect(served.base.host == "127.0.0.1" && served.base.port != 0 && served.base.port != nil)

        let status = try await served.get("/api/status")
        #expect(status.status == 200)
        let expected = try await sandbox.shoal("status", "--json")
        #expect(status.body + "\n" == expected.stdout, "GET /api/status is status --json's document")
        let metrics = try await served.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"shoal_targets{database="app",shard="app",state="up-to-date"} 3"#), "\(metrics.body)")

        let result = try await served.stop(signal)
        #expect(result.status == 0, "stopped by signal \(signal): \(result.stderr)")
        let config = sandbox.path("config.json")
        #expect(result.stderr.hasPrefix("serving \(config) on http://127.0.0.1:\(served.base.port!) (read every 30 s)\n"),
                "\(result.stderr)")
    }

    @Test func aPortInUseExits2() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        let first = try await Served.start(sandbox, "--listen", "127.0.0.1:0")
        let address = "127.0.0.1:\(first.base.port!)"
        let second = try await sandbox.shoal("serve", "--listen", address)
        #expect(second.status == 2)
        #expect(second.stderr.contains("cannot listen on \(address): address already in use"), "\(second.stderr)")
        #expect(try await first.get("/healthz").status == 200, "the first server is untouched")
        #expect(try await first.stop(SIGTERM).status == 0)
    }

    @Test func anAddressNotOfThisMachineExits2() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        // 192.0.2.1 (TEST-NET-1) is no interface's address: bind fails at once.
        let result = try await sandbox.shoal("serve", "--listen", "192.0.2.1:0")
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot listen on 192.0.2.1:0: cannot assign requested address"), "\(result.stderr)")
    }

    @Test(arguments: [
        (["--listen", "8080"], "invalid --listen `8080`: no port"),
        (["--listen", "localhost:http"], "invalid --listen `localhost:http`: the port must be a number"),
        (["--listen", "127.0.0.1:70000"], "invalid --listen `127.0.0.1:70000`"),
        (["--listen", "::1:8080"], "invalid --listen `::1:8080`: write an IPv6 address in brackets"),
        (["--listen", ":8080"], "invalid --listen `:8080`: no host"),
        (["--interval", "-1"], "--interval must be a number of seconds, at least 0.1, got -1"),
        (["--interval", "0"], "--interval must be a number of seconds, at least 0.1, got 0"),
        (["--interval", "0.0004"], "--interval must be a number of seconds, at least 0.1, got 0.0004"),
        (["--interval", "soon"], "--interval"),
        (["--interval", "1e300"], "--interval must be at most 86400 seconds (a day), got 1e+300"),
        (["--concurrency", "0"], "--concurrency must be at least 1"),
        (["--json"], "--json has no meaning for serve"),
    ])
    func badArgumentsExit2BeforeReadingAnything(_ args: [String], _ message: String) async throws {
        let sandbox = try Sandbox()
        // The database's URL needs a variable that is unset: a read, or even
        // loading the connections, would fail on it rather than on the argument.
        try Fixture.fleet(sandbox, app: Fixture.postgresApp(url: "${UNSET_SERVE_URL}"))
        let before = try sandbox.snapshot()
        let result = try await sandbox.run(["serve"] + args)
        #expect(result.status == 2, "\(args): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(args): \(result.stderr)")
        #expect(!result.stderr.contains("UNSET_SERVE_URL") && !result.stderr.contains("serving"), "\(result.stderr)")
        #expect(try sandbox.snapshot() == before)
    }

    @Test func configErrorsExit2BeforeBinding() async throws {
        let sandbox = try Sandbox()
        try Fixture.fleet(sandbox, app: Fixture.postgresApp(url: "${UNSET_SERVE_URL}"))
        let result = try await sandbox.shoal("serve", "--listen", "127.0.0.1:0")
        #expect(result.status == 2)
        #expect(result.stderr.contains("UNSET_SERVE_URL") && !result.stderr.contains("serving"), "\(result.stderr)")
        let sqlite = try Sandbox()
        try Fixture.sqliteFleet(sqlite)
        let unknown = try await sqlite.shoal("serve", "--listen", "127.0.0.1:0", "--db", "nope")
        #expect(unknown.status == 2 && unknown.stderr.contains("nope") && !unknown.stderr.contains("serving"), "\(unknown.stderr)")
    }
}
