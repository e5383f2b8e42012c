import ArgumentParser
import Foundation
import Logging
import ShoalKit
import ShoalServe

/// `shoal serve` (SPEC §12): the fleet as a live page, JSON and Prometheus
/// metrics, read-only, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the fleet read-only over HTTP: a live page, /api/status, /api/runs, /healthz and /metrics.",
        discussion: """
        The fleet is read as `shoal status` reads it, at most once per --interval however many clients ask; a read \
        that fails keeps serving the last good data (header Shoal-Read-Error says why). Every method but GET and \
        HEAD gets 405. SIGTERM or SIGINT stops it gracefully (exit 0). docs/serve.md lists the endpoints and metrics.
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectorOptions
    @Option(name: .long, help: "HOST:PORT to listen on ([::1]:PORT for IPv6; port 0 picks a free one).")
    var listen: String = ListenAddress.default.description
    @Option(name: .long, parsing: .unconditional, help: "Seconds between fleet reads, at most one per interval.")
    var interval: Double = 15
    @Option(name: .long, help: "Targets read at once (default: config's concurrency).") var concurrency: Int?

    func validate() throws {
        if global.json {
            throw ValidationError("--json has no meaning for serve: GET /api/status serves status --json's document")
        }
        if !interval.isFinite || interval < 0.1 {
            throw ValidationError("--interval must be a number of seconds, at least 0.1, got \(Self.seconds(interval))")
        }
        if interval > Self.longestInterval {
            throw ValidationError("--interval must be at most \(Int(Self.longestInterval)) seconds (a day), got \(Self.seconds(interval))")
        }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        do {
            _ = try ListenAddress(parsing: listen)
        } catch let error as ShoalError {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let listen = try ListenAddress(parsing: listen)
        // Config, variables and selectors are checked before binding: a
        // mistake there exits 2 without a server, like every other command.
        let fleet = try global.loadFleet()
        let selector = try selection.selector()
        try fleet.config.requireConnections()
        try selector.validate(against: fleet.config)
        let name = fleet.config.file ?? fleet.config.directory
        let logger = Logger(label: "shoal.serve")
        let server = ServeApplication(
            fleet: fleet, selector: selector, concurrency: concurrency ?? fleet.config.concurrency, listen: listen,
            interval: .seconds(interval), logger: logger,
            onListening: { address in
                Console.write("serving \(name) on http://\(address) (read every \(Self.seconds(interval)) s)\n", toStderr: true)
            })
        try await server.runUntilSignalled()
    }

    /// The longest `--interval`: a day.
    static let longestInterval = 86_400.0

    /// `15`, `0.5`: seconds as a person writes them.
    static func seconds(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
