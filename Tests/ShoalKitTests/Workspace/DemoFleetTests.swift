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

    @Test(arguments: DemoFleet.files.map(\.path).filter { $0 != ".gitignore" })
    func fileEqualsRepositoryRootFile(path: String) throws {
        let contents = try #require(DemoFleet.files.first { $0.path == path }).contents
        let url = Self.repositoryRoot.appending(path: path)
        let onDisk = try #require(
            try? String(contentsOf: url, encoding: .utf8),
            "DemoFleet has \(path) but the repository root does not; \(Self.fix)"
        )
        #expect(contents == onDisk, "DemoFleet's \(path) differs from \(url.path); \(Self.fix)")
    }

    /// The root's `.gitignore` also ignores what building shoal writes:
    /// it has every line of the demo's, not only those.
    @Test func repositoryRootIgnoresWhatTheDemoIgnores() throws {
        let demo = try #require(DemoFleet.files.first { $0.path == ".gitignore" }).contents
        let root = try String(contentsOf: Self.repositoryRoot.appending(path: ".gitignore"), encoding: .utf8)
        let rootLines = Set(root.split(separator: "\n"))
        for line in demo.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(rootLines.contains(line), "the repository's .gitignore lacks \(line); \(Self.fix)")
        }
        #expect(demo.split(separator: "\n").contains("/.shoal/"), "run journals (SPEC §11) are not for version control")
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
