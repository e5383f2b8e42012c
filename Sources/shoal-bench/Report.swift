import Foundation

/// One row of the table: a workload's measurements and verdict.
struct WorkloadResult: Codable, Sendable {
    /// One repetition: shoal's run and the raw baseline's.
    struct Run: Codable, Sendable {
        var shoal: ProcessMeasurement
        var raw: ProcessMeasurement
        /// W11: milliseconds per `/metrics` request from the cached read.
        var metricsMs: Double?

        enum CodingKeys: String, CodingKey { case shoal, raw, metricsMs = "metrics_ms" }
    }

    /// `W1` … `W5`; W4 has two rows, told apart by `command`.
    var workload: String
    var description: String
    /// The shoal command measured (`upgrade`, `status`).
    var command: String
    var tenants: Int
    var migrations: Int
    /// shoal's `--concurrency` (the config's `concurrency`).
    var concurrency: Int
    /// How the raw baseline does it, in a few words.
    var raw: String
    var goal: Goal
    var runs: [Run] = []
    /// Medians over `runs`; `ratio` is the median of each run's
    /// shoal/raw ratio (the two measured back to back, so a machine that
    /// slows down or speeds up during the repetitions skews neither side).
    var shoalSeconds: Double?
    var rawSeconds: Double?
    var ratio: Double?
    var shoalPeakMB: Double?
    var rawPeakMB: Double?
    /// W11: the median of the runs' milliseconds per `/metrics` request.
    var metricsMs: Double?
    /// nil when the workload could not be measured.
    var pass: Bool?
    /// Which targets were missed: `ratio`, `time`, `memory`.
    var misses: [String] = []
    /// Why the workload could not be measured.
    var error: String?

    enum CodingKeys: String, CodingKey {
        case workload, description, command, tenants, migrations, concurrency, raw, goal, runs
        case shoalSeconds = "shoal_s", rawSeconds = "raw_s", ratio
        case shoalPeakMB = "shoal_peak_mb", rawPeakMB = "raw_peak_mb", metricsMs = "metrics_ms", pass, misses, error
    }

    /// Fills in the medians and the verdict from `runs`.
    mutating func summarise() {
        guard error == nil, !runs.isEmpty else { return }
        shoalSeconds = median(runs.map(\.shoal.seconds))
        rawSeconds = median(runs.map(\.raw.seconds))
        shoalPeakMB = median(runs.map(\.shoal.peakMB))
        rawPeakMB = median(runs.map(\.raw.peakMB))
        metricsMs = median(runs.compactMap(\.metricsMs))
        guard let shoalSeconds, let shoalPeakMB, runs.allSatisfy({ $0.raw.seconds > 0 }),
              let ratio = median(runs.map { $0.shoal.seconds / $0.raw.seconds }) else { return }
        self.ratio = ratio
        misses = goal.misses(ratio: ratio, shoalSeconds: shoalSeconds, shoalPeakMB: shoalPeakMB)
        pass = misses.isEmpty
    }
}

/// The whole run, as bench-results/latest.json holds it.
struct BenchReport: Codable, Sendable {
    var startedAt: String
    var durationSeconds: Double
    var host: String
    var cores: Int
    /// /proc/loadavg's 1-minute figure before and after: other work on the
    /// machine skews every number.
    var loadBefore: Double?
    var loadAfter: Double?
    var repeats: Int
    var shoal: String
    var results: [WorkloadResult]
    /// How G1's and G2's commands grow with the fleet (``GrowthResult``).
    var growth: [GrowthResult] = []

    enum CodingKeys: String, CodingKey {
        case startedAt = "started_at", durationSeconds = "duration_s", host, cores
        case loadBefore = "load_before", loadAfter = "load_after", repeats, shoal, results, growth
    }
}

enum Report {
    static func number(_ value: Double?, digits: Int = 2) -> String {
        guard let value else { return "—" }
        return String(format: "%.\(digits)f", value)
    }

    /// The markdown table: workload | concurrency | shoal s | raw s | ratio |
    /// shoal peak MB | raw peak MB | target | result.
    static func table(_ results: [WorkloadResult]) -> String {
        var lines = [
            "| workload | concurrency | shoal s | raw s | ratio | shoal peak MB | raw peak MB | target | result |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for result in results {
            let verdict: String
            if let error = result.error {
                verdict = "error: " + error.split(separator: "\n").first.map(String.init)!.prefix(120)
            } else if result.pass == true {
                verdict = "pass"
            } else {
                verdict = "MISS (" + result.misses.joined(separator: ", ") + ")"
            }
            let cells = [
                "\(result.workload) \(result.command): \(result.description)"
                    + (result.metricsMs.map { "; /metrics \(number($0)) ms per request" } ?? ""),
                "\(result.concurrency) (raw: \(result.raw))",
                number(result.shoalSeconds),
                number(result.rawSeconds),
                result.ratio.map { number($0) + "×" } ?? "—",
                number(result.shoalPeakMB, digits: 1),
                number(result.rawPeakMB, digits: 1),
                result.goal.text,
                verdict,
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    static func write(_ report: BenchReport, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(report)
        data.append(0x0A)
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// The 1-minute load average.
    static func loadAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }
}
