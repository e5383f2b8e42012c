import Foundation
import Testing
@testable import ShoalKit

/// A real directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/shoal-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

struct MigrationDirectoryTests {
    static func file(_ revision: String, parents: String = "", up: String = "SELECT 1;") -> String {
        "-- revision: \(revision)\n" + (parents.isEmpty ? "" : "-- parents: \(parents)\n") + "\n-- shoal:up\n\(up)\n"
    }

    @Test func loadsSQLFilesSortedByName() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("0002_second.sql", Self.file("0002", parents: "0001"))
        try directory.write("0001_first.sql", Self.file("0001"))
        try directory.write("0003_third.sql", Self.file("0003", parents: "0002"))
        try directory.write("README.md", "not a migration")
        try directory.write("0004_draft.sql.bak", "not a migration either")
        try directory.write(".#0005_lock.sql", "an editor's lock file")
        try FileManager.default.createDirectory(atPath: directory.path + "/old.sql", withIntermediateDirectories: false)

        let migrations = try MigrationDirectory.load(directory.path)
        #expect(migrations.map(\.revision) == ["0001", "0002", "0003"])
        #expect(migrations[0].path == directory.path + "/0001_first.sql")
        #expect(migrations[1].parents == ["0001"])
    }

    @Test func pathsAreAbsolute() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("abcd_x.sql", Self.file("abcd"))
        // A relative path to the directory, without changing the process's current directory.
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + directory.path.dropFirst() + "/"
        let migrations = try MigrationDirectory.load(relative)
        #expect(migrations.first?.path == directory.path + "/abcd_x.sql")
    }

    @Test func emptyDirectoryHasNoMigrations() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try MigrationDirectory.load(directory.path).isEmpty)
    }

    @Test func missingDirectoryIsNamed() {
        let missing = "/nonexistent/shoal/versions/core"
        #expect {
            try MigrationDirectory.load(missing)
        } throws: { error in
            let error = error as? ShoalError
            return error?.kind == .migrationFile && error?.file == missing && error?.message.contains(missing) == true
        }
    }

    @Test func twoFilesWithOneRevisionAreNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("abcd_one.sql", Self.file("abcd"))
        try directory.write("abcd_two.sql", Self.file("abcd"))
        #expect {
            try MigrationDirectory.load(directory.path)
        } throws: { error in
            guard let error = error as? ShoalError else { return false }
            return error.kind == .migrationFile && error.message.contains("abcd_one.sql")
                && error.message.contains("abcd_two.sql") && error.revision == "abcd"
        }
    }

    @Test func parseErrorsNameTheFileAndLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("abcd_x.sql", "-- revision: abcd\n-- shoal:up\nSELECT 1;\n-- shoal:upp\n")
        #expect(throws: ShoalError.self) { try MigrationDirectory.load(directory.path) }
        do {
            _ = try MigrationDirectory.load(directory.path)
        } catch let error as ShoalError {
            #expect(error.file == directory.path + "/abcd_x.sql")
            #expect(error.line == 4)
        }
    }

    @Test func invalidUTF8IsReported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bytes: [UInt8] = Array("-- revision: abcd\n-- shoal:up\nSELECT '".utf8) + [0xFF, 0xFE] + Array("';\n".utf8)
        #expect(FileManager.default.createFile(atPath: directory.path + "/abcd_x.sql", contents: Data(bytes)))
        #expect {
            try MigrationDirectory.load(directory.path)
        } throws: { error in
            (error as? ShoalError)?.message.contains("UTF-8") == true
        }
    }

    @Test func loadsIntoAGraph() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("aaaa_root.sql", Self.file("aaaa"))
        try directory.write("bbbb_left.sql", Self.file("bbbb", parents: "aaaa"))
        try directory.write("cccc_right.sql", Self.file("cccc", parents: "aaaa"))
        try directory.write("dddd_merge.sql", Self.file("dddd", parents: "bbbb cccc", up: ""))
        let graph = try RevisionGraph(migrations: MigrationDirectory.load(directory.path), directory: directory.path)
        #expect(graph.heads == ["dddd"])
        #expect(graph.isMerge("dddd"))
        #expect(graph.isBranchPoint("aaaa"))
    }
}
