import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// W11: `shoal serve` over a fleet, measured from outside as a scraper sees
/// it. The time is from spawning the server to the end of its first
/// `GET /api/status` (start-up, config, bind, the fleet read that start-up
/// begins, the JSON): what `shoal status --json` does plus serving it. Then
/// `/metrics` is asked `metricsRequests` times, one after the other, all
/// answered from that cached read.
struct ServeMeasurement {
    /// The first `/api/status` as a process measurement (peak memory from
    /// `/proc/PID/status` `VmHWM` just before the server is stopped).
    var firstStatus: ProcessMeasurement
    /// Milliseconds per `/metrics` request, mean over the requests.
    var metricsMs: Double

    static let metricsRequests = 100

    /// Runs `shoal serve` on `config`, checks that `/api/status` has
    /// `targets` targets all up to date and that `/metrics` names them, and
    /// stops it with SIGTERM (it must exit 0).
    static func run(shoal: String, config: String, targets: Int, stdout: String, stderr: String) throws -> ServeMeasurement {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shoal)
        process.arguments = ["serve", "--config", config, "--listen", "127.0.0.1:0", "--interval", "3600"]
        FileManager.default.createFile(atPath: stdout, contents: nil)
        FileManager.default.createFile(atPath: stderr, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        let started = ProcessTimer.monotonicSeconds()
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

        let base = try address(in: stderr, of: process)
        let (status, body) = try curl(base + "/api/status", into: stdout + ".api-status.json")
        let seconds = ProcessTimer.monotonicSeconds() - started
        let document = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        let states = (document?["targets"] as? [[String: Any]])?.compactMap { $0["state"] as? String } ?? []
        guard status == 200, states.count == targets, states.allSatisfy({ $0 == "up-to-date" }) else {
            throw BenchError("shoal serve: GET /api/status answered \(status) with \(states.count) targets, not \(targets) up to date")
        }

        let metricsStart = ProcessTimer.monotonicSeconds()
        for _ in 0..<metricsRequests {
            let (status, text) = try get(base + "/metrics")
            guard status == 200, String(decoding: text, as: UTF8.self).contains("shoal_targets{") else {
                throw BenchError("shoal serve: GET /metrics answered \(status) without shoal_targets")
            }
        }
        let metricsMs = (ProcessTimer.monotonicSeconds() - metricsStart) * 1000 / Double(metricsRequests)

        let peakMB = peakResidentMB(of: process.processIdentifier)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw BenchError("shoal serve did not exit 0 on SIGTERM (\(process.terminationReason == .exit ? "exit" : "signal") "
                             + "\(process.terminationStatus)); see \(stderr)")
        }
        return ServeMeasurement(firstStatus: ProcessMeasurement(seconds: seconds, peakMB: peakMB, exitCode: 0, signal: nil),
                                metricsMs: metricsMs)
    }

    /// The `http://…` of the `serving … on http://HOST:PORT (…)` line, once printed.
    private static func address(in stderr: String, of process: Process) throws -> String {
        let deadline = ProcessTimer.monotonicSeconds() + 120
        while ProcessTimer.monotonicSeconds() < deadline {
            let text = (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"on http://[^ ]+"#, options: .regularExpression) {
                return String(text[range].dropFirst(3))
            }
            guard process.isRunning else { throw BenchError("shoal serve exited before listening: \(text)") }
            usleep(1000)
        }
        throw BenchError("shoal serve printed no address in 120 s; see \(stderr)")
    }

    /// One GET through the curl program, its body through a file. For the
    /// first `/api/status` (3.6 MB at 10,000 targets): FoundationNetworking's
    /// URLSession took about 0.25 s longer than the server needed to send
    /// it, which the row would have counted against shoal.
    private static func curl(_ url: String, into file: String) throws -> (Int, Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "--silent", "--show-error", "--output", file, "--write-out", "%{http_code}", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let code = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let status = Int(String(decoding: code, as: UTF8.self)) else {
            throw BenchError("curl \(url) exited \(process.terminationStatus)")
        }
        return (status, try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    /// One GET, waited for.
    private static func get(_ url: String) throws -> (Int, Data) {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<(Int, Data), any Error> = .failure(BenchError("no answer from \(url)"))
        URLSession.shared.dataTask(with: URL(string: url)!) { data, response, error in
            if let error {
                result = .failure(error)
            } else {
                result = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            }
            done.signal()
        }.resume()
        done.wait()
        return try result.get()
    }

    /// `VmHWM` of a running process, in MiB.
    private static func peakResidentMB(of pid: Int32) -> Double {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        let kB = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        return kB / 1024
    }
}
