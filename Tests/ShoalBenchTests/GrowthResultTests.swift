import Testing
@testable import shoal_bench

/// The growth rows' sizes and their summary (issue 16): time per tenfold
/// fleet, the largest size's ratio and memory, and the verdict.
struct GrowthResultTests {
    static func row(_ workload: String, _ command: String, tenants: Int, seconds: Double?, ratio: Double = 1,
                    peakMB: Double = 100, goal: Goal = Goal(maxRatio: nil)) -> WorkloadResult {
        var row = WorkloadResult(workload: workload, description: "", command: command, tenants: tenants, migrations: 20,
                                 concurrency: 8, raw: "", goal: goal)
        if let seconds {
            let raw = ProcessMeasurement(seconds: seconds / ratio, peakMB: 30, exitCode: 0)
            row.runs = [.init(shoal: ProcessMeasurement(seconds: seconds, peakMB: peakMB, exitCode: 0), raw: raw)]
        } else {
            row.error = "setup: no space left on device"
        }
        row.summarise()
        return row
    }

    @Test func sizesAreTenfoldStepsUpToTheLargest() {
        #expect(WorkloadID.g1.growthSizes(largest: nil) == [1_000, 10_000, 100_000])
        #expect(WorkloadID.g2.growthSizes(largest: nil) == [1_000, 10_000])
        #expect(WorkloadID.g1.growthSizes(largest: 500) == [5, 50, 500])
        #expect(WorkloadID.g1.growthSizes(largest: 30) == [3, 30], "no size below 1")
        #expect(WorkloadID.w4.growthSizes(largest: nil) == nil)
        #expect(WorkloadID.g2.needsPostgres && !WorkloadID.g1.needsPostgres)
    }

    @Test func linearGrowthWithinTheLargestTargetsPasses() {
        let rows = [
            Self.row("G1", "status", tenants: 1_000, seconds: 0.2),
            Self.row("G1", "upgrade", tenants: 1_000, seconds: 0.25),
            Self.row("G1", "status", tenants: 10_000, seconds: 1.5),
            Self.row("G1", "upgrade", tenants: 10_000, seconds: 1.6),
            Self.row("G1", "status", tenants: 100_000, seconds: 14, ratio: 1.1, peakMB: 134, goal: Goal(maxPeakMB: 250)),
            Self.row("G1", "upgrade", tenants: 100_000, seconds: 15, ratio: 1.2, peakMB: 204, goal: Goal(maxPeakMB: 250)),
            Self.row("W4", "status", tenants: 1_000, seconds: 0.3),
        ]
        let growth = GrowthResult.summarise(rows)
        #expect(growth.map { "\($0.workload) \($0.command)" } == ["G1 status", "G1 upgrade"])
        let status = growth[0]
        #expect(status.sizes == [1_000, 10_000, 100_000])
        #expect(status.timeFactors.map { $0.map { ($0 * 10).rounded() / 10 } } == [7.5, 9.3])
        #expect(status.ratioAtLargest.map { ($0 * 100).rounded() / 100 } == 1.1)
        #expect(status.pass == true && status.misses.isEmpty)
        #expect(growth[1].pass == false && growth[1].misses == ["ratio"], "the largest row's own miss counts")
        let table = GrowthResult.table(growth)
        #expect(table.contains("| G1 status | 1,000 / 10,000 / 100,000 | 0.20 / 1.50 / 14.00 | 100.0 / 100.0 / 134.0 | 7.5× / 9.3× | 1.10× |"))
        #expect(table.contains("MISS (ratio)"))
    }

    @Test func fasterThanLinearGrowthIsAMiss() {
        let growth = GrowthResult.summarise([
            Self.row("G2", "status", tenants: 1_000, seconds: 0.3),
            Self.row("G2", "status", tenants: 10_000, seconds: 3.6, goal: Goal(maxPeakMB: 250)),
        ])
        #expect(growth.first?.misses == ["growth"])
        #expect(growth.first?.pass == false)
    }

    @Test func aSizeThatCouldNotBeMeasuredIsNoVerdict() {
        let growth = GrowthResult.summarise([
            Self.row("G1", "status", tenants: 10_000, seconds: 1.5),
            Self.row("G1", "status", tenants: 100_000, seconds: nil, goal: Goal(maxPeakMB: 250)),
        ])
        #expect(growth.first?.pass == nil)
        #expect(GrowthResult.table(growth).contains("| not measured |"))
    }
}
