import Foundation
import Testing
@testable import ShoalKit

/// `shoal init` writes `DemoFleet.files`; the repository root holds the same
/// fleet for `swift run shoal upgrade`. These tests keep the two from drifting.
struct DemoFleetTests {
    /// Tests/ShoalKitTests/Workspace/DemoFleetTests.swift -> the repository root.
    static let repositoryRoot = URL(filePath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static let fix = "update Sources/ShoalKit/Workspace/DemoFleet.swift and the repository root together"

    @Test(arguments: DemoFleet.files.map(\.path))
    func fileEqualsRepositoryRootFile(path: String) throws {
        let contents = try #require(DemoFleet.files.first { $0.path == path }).contents
        let url = Self.repositoryRoot.appending(path: path)
        let onDisk = try #require(
            try? String(contentsOf: url, encoding: .utf8),
            "DemoFleet has \(path) but the repository root does not; \(Self.fix)"
        )
        #expect(contents == onDisk, "DemoFleet's \(path) differs from \(url.path); \(Self.fix)")
    }

    @Test func repositoryRootHasNoMigrationOrRegistryMissingFromDemoFleet() throws {
        let known = Set(DemoFleet.files.map(\.path))
        var onDisk: [String] = []
        for database in try contents(of: "versions") {
            onDisk += try contents(of: "versions/\(database)").map { "versions/\(database)/\($0)" }
        }
        onDisk += try contents(of: "tenants").filter { $0.hasSuffix(".json") }.map { "tenants/\($0)" }
        #expect(onDisk.contains { $0.hasPrefix("versions/app/") })
        for path in onDisk {
            #expect(known.contains(path), "\(path) is missing from DemoFleet; \(Self.fix)")
        }
    }

    @Test func pathsAreRelativeAndUnique() {
        let paths = DemoFleet.files.map(\.path)
        #expect(Set(paths).count == paths.count)
        for path in paths {
            #expect(!path.hasPrefix("/") && !path.split(separator: "/").contains(".."), "\(path)")
        }
    }

    private func contents(of directory: String) throws -> [String] {
        let path = Self.repositoryRoot.appending(path: directory).path
        return try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}
