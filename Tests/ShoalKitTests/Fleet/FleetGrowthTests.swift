import Foundation
import ShoalTestSupport
import Testing
@testable import ShoalKit

/// Complexity guards for what `status` and a no-op `upgrade` do per target
/// (issue 16's growth rows, `scripts/bench --only G1,G2`): resolving the
/// targets, folding their version rows, planning, the reports, the journal
/// lines and the JSON. Each part must cost the same per target at any
/// fleet size: 8 times the targets may take about 8 times as long (the
/// guards allow 24: a quadratic path would take 64). No timed thresholds:
/// ``Growth`` compares the thread's CPU time at two sizes.
@Suite struct FleetGrowthTests {
    static let graph = FleetPlanTests.graph
    static let head = ["four4"]

    static func tenants(_ count: Int) -> [String] { (0..<count).map { "t\($0)" } }

    /// Every file's checksum by revision, as the state readers get them.
    static let files: [String: String] = Dictionary(uniqueKeysWithValues: ["one1", "two2", "three3", "four4"].map {
        ($0, graph.migration($0)!.checksum)
    })

    /// The rows of a state query for `count` targets at head: each its
    /// version row and one history row per revision.
    static func rowsAtHead(_ count: Int) -> TextRows {
        var rows: [[String?]] = []
        rows.reserveCapacity(count * 5)
        for slot in 0..<count {
            rows.append([String(slot), "v", "four4", nil, nil, nil])
            for (id, revision) in ["one1", "two2", "three3", "four4"].enumerated() {
                // The checksum a String of its own, as a driver returns it.
                rows.append([String(slot), "h", revision, "upgrade", String(decoding: Array(files[revision]!.utf8), as: UTF8.self),
                             String(id + 1)])
            }
        }
        return TextRows(rows: rows)
    }

    @Test func resolvingTargetsGrowsLinearly() throws {
        let ratio = try Growth.ratio(size: 2_000) { count in
            let targets = try FleetPlanTests.targets(Self.tenants(count))
            #expect(targets.count == count)
        }
        #expect(ratio < 24, "8 times the tenants took \(ratio) times longer to resolve")
    }

    @Test func foldingVersionRowsGrowsLinearly() {
        let ratio = Growth.ratio(size: 2_000) { count in
            let rows = Self.rowsAtHead(count)
            var states = [VersionState](repeating: .uninitialized, count: count)
            VersionStore.fold(rows, targets: Array(0..<count), into: &states) { _ in Self.files }
            #expect(states.allSatisfy { $0.current == Self.head })
        }
        #expect(ratio < 24, "8 times the targets took \(ratio) times longer to fold")
    }

    /// Memory, not time: a target that applied every file as it is keeps
    /// the files' own dictionary, not a copy (issue 16:
    /// 100,000 copies of 20 checksums were most of `status`'s memory).
    @Test func targetsAtHeadShareTheFilesChecksumsAndNames() {
        let rows = Self.rowsAtHead(3)
        var states = [VersionState](repeating: .uninitialized, count: 3)
        VersionStore.fold(rows, targets: [0, 1, 2], into: &states) { _ in Self.files }
        func storage(_ dictionary: [String: String]) -> UInt { unsafeBitCast(dictionary, to: UInt.self) }
        for state in states {
            #expect(state.appliedChecksums == Self.files)
            #expect(storage(state.appliedChecksums) == storage(Self.files), "each target holds its own copy of the checksums")
        }

        // A target whose history differs keeps what it read.
        var behind = [VersionState.uninitialized]
        VersionStore.fold(TextRows(rows: [["0", "v", "two2", nil, nil, nil], ["0", "h", "one1", "upgrade", "x", "1"]]),
                          targets: [0], into: &behind) { _ in Self.files }
        #expect(behind[0].appliedChecksums == ["one1": "x"])
        #expect(behind[0].current == ["two2"])
    }

    @Test func planningGrowsLinearly() throws {
        let ratio = try Growth.ratio(size: 2_000) { count in
            let targets = try FleetPlanTests.targets(Self.tenants(count))
            let state = VersionState(initialized: true, current: Self.head, appliedChecksums: Self.files)
            let plan = FleetPlan(.upgrade(.head), targets: targets, reads: Array(repeating: .success(state), count: count),
                                 graphs: ["app": Self.graph, "core": Self.graph], config: FleetPlanTests.config)
            #expect(plan.workCount == 0 && plan.decisions.count == count)
        }
        #expect(ratio < 24, "8 times the targets took \(ratio) times longer to plan")
    }

    @Test func reportsJournalLinesAndJSONGrowLinearly() throws {
        let all = try FleetPlanTests.targets(Self.tenants(16_000))
        let ratio = try Growth.ratio(size: 2_000) { count in
            let reports = all.prefix(count).map { TargetReport(target: $0, status: .upToDate, from: Self.head, to: Self.head) }
            let report = FleetReport(command: "upgrade", durationMs: 1, targets: reports)
            #expect(report.summary.targets == count)
            let lines = reports.map(\.journalLine)
            #expect(lines.count == count)
            let json = try ShoalJSON.encode(report)
            #expect(json.count > count)
        }
        #expect(ratio < 24, "8 times the targets took \(ratio) times longer to report")
    }
}
