import ShoalTestSupport
import Testing
@testable import shoal
@testable import ShoalKit

/// A complexity guard for the text report (issue 16): a line per target
/// and the summary cost the same per target at any fleet size. 8 times
/// the targets may take about 8 times as long (24 allowed; a quadratic
/// path would take 64), by the thread's CPU time (``Growth``).
@Suite struct ReportTextGrowthTests {
    @Test func theLinesAndTheSummaryGrowLinearly() throws {
        let reports = (0..<16_000).map { index in
            TargetReport(target: Target(id: "app/tenant_\(index)", database: "app", tenant: "tenant_\(index)", driver: .sqlite,
                                        location: .sqlite(path: "/f/tenant_\(index).sqlite")),
                         status: .upToDate, from: ["aaaa0001"], to: ["aaaa0001"], durationMs: index % 7)
        }
        let ratio = Growth.ratio(size: 2_000) { count in
            let report = FleetReport(command: "upgrade", durationMs: 1, targets: Array(reports.prefix(count)))
            let lines = report.targets.map { ReportText.line($0, width: 18, command: .upgrade(.head)) }
            #expect(lines.count == count && lines.allSatisfy { $0.hasSuffix("up-to-date") })
            #expect(ReportText.summary(report).hasPrefix("\(count) targets: \(count) ok"))
        }
        #expect(ratio < 24, "8 times the targets took \(ratio) times longer to print")
    }
}
