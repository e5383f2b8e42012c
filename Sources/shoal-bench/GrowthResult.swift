import Foundation

/// How one command's time and memory grow with the fleet (issue 16): the
/// growth rows of one workload and command (G1 `status`, G1 `upgrade`, …),
/// smallest fleet first, each ten times the one before.
struct GrowthResult: Codable, Sendable, Equatable {
    var workload: String
    var command: String
    var sizes: [Int]
    /// shoal's median seconds and peak MB at each size; nil where a size
    /// could not be measured.
    var seconds: [Double?]
    var peakMB: [Double?]
    /// How many times longer each size took than the one before: linear
    /// work gives about 10 once start-up no longer counts, quadratic 100.
    var timeFactors: [Double?]
    /// The ratio to the raw read at the largest size.
    var ratioAtLargest: Double?
    /// At most this factor per tenfold fleet.
    var maxTimeFactor: Double
    /// The targets in words: the factor, and the largest row's own.
    var target: String
    /// Met when every factor is within ``maxTimeFactor`` and the largest
    /// size's row met its own targets (ratio, memory); nil when a size
    /// could not be measured.
    var pass: Bool?
    /// What was missed: `growth`, and the largest row's misses.
    var misses: [String]

    enum CodingKeys: String, CodingKey {
        case workload, command, sizes, seconds = "shoal_s", peakMB = "shoal_peak_mb", timeFactors = "time_per_10x"
        case ratioAtLargest = "ratio_at_largest", maxTimeFactor = "max_time_per_10x", target, pass, misses
    }

    /// Issue 16: at most 11 times the time for 10 times the targets.
    static let maxTimeFactor = 11.0

    /// The growth of every (workload, command) among `rows` that has rows
    /// of more than one size, in the order the rows came.
    static func summarise(_ rows: [WorkloadResult]) -> [GrowthResult] {
        var order: [String] = []
        var groups: [String: [WorkloadResult]] = [:]
        for row in rows where row.workload.hasPrefix("G") {
            let key = row.workload + " " + row.command
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(row)
        }
        return order.compactMap { key in
            let group = groups[key]!.sorted { $0.tenants < $1.tenants }
            guard group.count > 1, let largest = group.last else { return nil }
            let seconds = group.map(\.shoalSeconds)
            let factors = zip(seconds, seconds.dropFirst()).map { small, big -> Double? in
                guard let small, let big, small > 0 else { return nil }
                return big / small
            }
            var misses: [String] = []
            if factors.contains(where: { ($0 ?? 0) > maxTimeFactor }) { misses.append("growth") }
            misses += largest.misses
            let measured = factors.allSatisfy { $0 != nil } && largest.pass != nil
            return GrowthResult(workload: largest.workload, command: largest.command, sizes: group.map(\.tenants),
                                seconds: seconds, peakMB: group.map(\.shoalPeakMB), timeFactors: factors,
                                ratioAtLargest: largest.ratio, maxTimeFactor: maxTimeFactor,
                                target: "≤ \(Report.number(maxTimeFactor, digits: 0))× per 10×; at the largest: \(largest.goal.text)",
                                pass: measured ? misses.isEmpty : nil, misses: misses)
        }
    }

    /// The growth table: workload | sizes | shoal s | peak MB | time per 10× |
    /// ratio at the largest | target | result.
    static func table(_ results: [GrowthResult]) -> String {
        var lines = [
            "| growth | targets | shoal s | shoal peak MB | time per 10× targets | ratio at the largest | target | result |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        func list(_ values: [Double?], digits: Int, suffix: String = "") -> String {
            values.map { $0.map { Report.number($0, digits: digits) + suffix } ?? "—" }.joined(separator: " / ")
        }
        for result in results {
            let verdict = switch result.pass {
            case true?: "pass"
            case false?: "MISS (" + result.misses.joined(separator: ", ") + ")"
            case nil: "not measured"
            }
            let cells = [
                "\(result.workload) \(result.command)",
                result.sizes.map { $0.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US"))) }
                    .joined(separator: " / "),
                list(result.seconds, digits: 2),
                list(result.peakMB, digits: 1),
                list(result.timeFactors, digits: 1, suffix: "×"),
                result.ratioAtLargest.map { Report.number($0) + "×" } ?? "—",
                result.target,
                verdict,
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}
