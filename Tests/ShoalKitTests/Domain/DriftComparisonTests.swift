import Foundation
import Testing
@testable import ShoalKit

/// SPEC §10.1's comparison, without a database: groups by database and
/// revisions, the majority as reference, ties, files as reference.
@Suite("Drift comparison: groups, majority, ties, files")
struct DriftComparisonTests {
    static let base = SchemaDescription(lines: ["column {schema}.users.id integer", "table {schema}.users"])
    static let withIndex = SchemaDescription(lines: base.lines + ["index {schema}.users_id CREATE INDEX users_id ON {schema}.users USING btree (id)"])
    static let withoutColumn = SchemaDescription(lines: ["table {schema}.users"])

    static func tenant(_ name: String, database: String = "app", shard: String? = nil) -> Target {
        Target(id: "\(database)/\(name)", database: database, shard: shard, tenant: name, driver: .postgres,
               location: .postgres(url: "postgresql://h/\(database)", schema: "tenant_\(name)"))
    }

    static func compare(_ pairs: [(String, SchemaRead)], against reference: DriftReference = .majority) -> DriftReport {
        DriftReport(comparing: pairs.map { tenant($0.0) }, reads: pairs.map(\.1), against: reference)
    }

    static func at(_ revisions: [String], _ schema: SchemaDescription) -> SchemaRead {
        .described(revisions: revisions, schema)
    }

    func state(_ report: DriftReport, _ id: String) -> TargetDrift.State? {
        report.targets.first { $0.target == id }?.state
    }

    @Test func allSameIsOneGroupWithTheirFingerprint() {
        let report = Self.compare(["a", "b", "c"].map { ($0, Self.at(["r1"], Self.base)) })
        #expect(report.groups == [DriftGroup(database: "app", revisions: ["r1"], fingerprint: Self.base.fingerprint, targets: 3)])
        #expect(report.targets.allSatisfy { $0.state == .same && $0.diff.isEmpty && $0.fingerprint == Self.base.fingerprint })
        #expect(report.summary.same == 3 && report.summary.targets == 3)
        #expect(!report.hasDrift)
    }

    @Test func theMajorityIsTheReferenceAndOthersDriftWithTheirDifference() {
        let report = Self.compare([("a", Self.at(["r1"], Self.base)), ("b", Self.at(["r1"], Self.withIndex)),
                                   ("c", Self.at(["r1"], Self.base)), ("d", Self.at(["r1"], Self.withoutColumn))])
        #expect(report.groups.map(\.fingerprint) == [Self.base.fingerprint])
        #expect(report.targets.map(\.state) == [.same, .drifted, .same, .drifted])
        #expect(report.targets[1].diff == ["+ index {schema}.users_id CREATE INDEX users_id ON {schema}.users USING btree (id)"])
        #expect(report.targets[3].diff == ["- column {schema}.users.id integer"])
        #expect(report.targets[1].fingerprint == Self.withIndex.fingerprint)
        #expect(report.summary.drifted == 2 && report.summary.same == 2)
        #expect(report.hasDrift)
    }

    @Test func aTieForMostCommonMakesTheGroupAmbiguous() {
        let report = Self.compare([("a", Self.at(["r1"], Self.base)), ("b", Self.at(["r1"], Self.withIndex)),
                                   ("c", Self.at(["r1"], Self.withIndex)), ("d", Self.at(["r1"], Self.base))])
        #expect(report.groups.count == 1)
        #expect(report.groups[0].fingerprint == nil)
        #expect(report.groups[0].message?.contains("no single most common schema among the 4 targets of app at r1") == true)
        #expect(report.targets.allSatisfy { $0.state == .ambiguous && $0.diff.isEmpty && $0.fingerprint != nil && $0.message != nil })
        #expect(report.summary.ambiguous == 4)
        #expect(report.hasDrift)
    }

    @Test func twoDifferentTargetsAloneAreATieButAGroupOfOneIsSame() {
        let pair = Self.compare([("a", Self.at(["r1"], Self.base)), ("b", Self.at(["r1"], Self.withIndex))])
        #expect(pair.targets.map(\.state) == [.ambiguous, .ambiguous])
        let one = Self.compare([("a", Self.at(["r1"], Self.withIndex))])
        #expect(one.targets.map(\.state) == [.same])
        #expect(one.groups[0].fingerprint == Self.withIndex.fingerprint)
    }

    @Test func targetsAtOtherRevisionsOrInOtherDatabasesAreOtherGroups() {
        let targets = [Self.tenant("a"), Self.tenant("b"), Self.tenant("old"), Self.tenant("x", database: "crm")]
        let reads: [SchemaRead] = [Self.at(["r2"], Self.withIndex), Self.at(["r2"], Self.withIndex),
                                   Self.at(["r1"], Self.base), Self.at(["r2"], Self.base)]
        let report = DriftReport(comparing: targets, reads: reads, against: .majority)
        #expect(report.groups.map { "\($0.database)@\($0.revisions) \($0.targets)" } == ["app@[\"r2\"] 2", "app@[\"r1\"] 1", "crm@[\"r2\"] 1"])
        #expect(report.targets.allSatisfy { $0.state == .same })
        #expect(report.targets.map(\.revisions) == [["r2"], ["r2"], ["r1"], ["r2"]])
    }

    @Test func uninitializedAndUnreachableAreInNoGroupAndCountInNoMajority() {
        // Two unreadable targets would outnumber `a`'s schema were they counted.
        let report = Self.compare([("a", Self.at(["r1"], Self.base)), ("b", Self.at(["r1"], Self.base)),
                                   ("c", Self.at(["r1"], Self.withIndex)),
                                   ("gone", .uninitialized(message: "its schema tenant_gone does not exist")),
                                   ("far", .unreachable(message: "connection refused")),
                                   ("far2", .unreachable(message: "connection refused"))])
        #expect(report.groups.map(\.targets) == [3])
        #expect(report.targets.map(\.state) == [.same, .same, .drifted, .uninitialized, .unreachable, .unreachable])
        let gone = report.targets[3]
        #expect(gone.fingerprint == nil && gone.revisions.isEmpty && gone.message == "its schema tenant_gone does not exist")
        #expect(report.targets[4].message == "connection refused")
        #expect(report.summary == {
            var summary = DriftSummary()
            summary.targets = 6; summary.same = 2; summary.drifted = 1; summary.uninitialized = 1; summary.unreachable = 2
            return summary
        }())
    }

    @Test func filesReferenceFindsTheMajorityDriftedAndGroupsWithoutFilesAmbiguous() {
        let r1 = DriftGroupKey(database: "app", revisions: ["r1"])
        let unknown = DriftGroupKey(database: "app", revisions: ["zz"])
        let report = Self.compare([("a", Self.at(["r1"], Self.withIndex)), ("b", Self.at(["r1"], Self.withIndex)),
                                   ("c", Self.at(["r1"], Self.base)), ("d", Self.at(["zz"], Self.base)),
                                   ("e", Self.at(["r9"], Self.base))],
                                  against: .files([r1: .built(Self.base),
                                                   unknown: .unavailable(message: "zz is not in versions/app")]))
        #expect(report.against == .files)
        #expect(report.targets.map(\.state) == [.drifted, .drifted, .same, .ambiguous, .ambiguous])
        #expect(report.targets[0].diff == ["+ index {schema}.users_id CREATE INDEX users_id ON {schema}.users USING btree (id)"])
        #expect(report.groups.map(\.fingerprint) == [Self.base.fingerprint, nil, nil])
        #expect(report.targets[3].message == "zz is not in versions/app")
        #expect(report.groups[1].message == "zz is not in versions/app")
        #expect(report.targets[4].message == "no reference was built for app at r9")
    }

    @Test func jsonHasEveryFieldOfTheSpecWithNullsWritten() throws {
        let targets = [Self.tenant("a", shard: "eu-1"), Target(id: "core", database: "core", driver: .sqlite, location: .sqlite(path: "/c"))]
        let report = DriftReport(comparing: targets, reads: [Self.at(["r1"], Self.base), .uninitialized(message: "no version table")],
                                 against: .majority)
        let data = try JSONEncoder().encode(report)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["against"] as? String == "majority")
        let group = try #require((json["groups"] as? [[String: Any]])?.first)
        #expect(Set(group.keys) == ["database", "revisions", "fingerprint", "targets"])
        #expect(group["targets"] as? Int == 1 && group["revisions"] as? [String] == ["r1"])
        let listed = try #require(json["targets"] as? [[String: Any]])
        #expect(Set(listed[0].keys) == ["target", "database", "shard", "tenant", "revisions", "fingerprint", "state", "diff"])
        #expect(listed[0]["shard"] as? String == "eu-1" && listed[0]["state"] as? String == "same")
        #expect(listed[1]["shard"] is NSNull && listed[1]["tenant"] is NSNull && listed[1]["fingerprint"] is NSNull)
        #expect(listed[1]["state"] as? String == "uninitialized" && listed[1]["message"] as? String == "no version table")
        let summary = try #require(json["summary"] as? [String: Int])
        #expect(summary == ["targets": 2, "same": 1, "drifted": 0, "ambiguous": 0, "uninitialized": 1, "unreachable": 0])
    }
}
