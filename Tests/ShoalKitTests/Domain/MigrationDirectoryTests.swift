import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit

struct MigrationDirectoryTests {
    @Test func loadsSQLFilesSortedByName() throws {
        let directory = try TemporaryDirectory()
        try MigrationFile(revision: "0002", parents: ["0001"], up: "SELECT 1;").write(in: directory, as: "0002_second.sql")
        try MigrationFile(revision: "0001", up: "SELECT 1;").write(in: directory, as: "0001_first.sql")
        try MigrationFile(revision: "0003", parents: ["0002"], up: "SELECT 1;").write(in: directory, as: "0003_third.sql")
        try directory.write("not a migration", to: "README.md")
        try directory.write("not a migration either", to: "0004_draft.sql.bak")
        try directory.write("an editor's lock file", to: ".#0005_lock.sql")
        try FileManager.default.createDirectory(atPath: directory.path + "/old.sql", withIntermediateDirectories: false)

        let migrations = try MigrationDirectory.load(directory.path)
        #expect(migrations.map(\.revision) == ["0001", "0002", "0003"])
        #expect(migrations[0].path == directory.path + "/0001_first.sql")
        #expect(migrations[1].parents == ["0001"])
    }

    @Test func pathsAreAbsolute() throws {
        let directory = try TemporaryDirectory()
        try MigrationFile(revision: "abcd", up: "SELECT 1;").write(in: directory, as: "abcd_x.sql")
        // A relative path to the directory, without changing the process's current directory.
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + directory.path.dropFirst() + "/"
        let migrations = try MigrationDirectory.load(relative)
        #expect(migrations.first?.path == directory.path + "/abcd_x.sql")
    }

    @Test func emptyDirectoryHasNoMigrations() throws {
        let directory = try TemporaryDirectory()
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
        try MigrationFile(revision: "abcd", up: "SELECT 1;").write(in: directory, as: "abcd_one.sql")
        try MigrationFile(revision: "abcd", up: "SELECT 1;").write(in: directory, as: "abcd_two.sql")
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
        try directory.write("-- revision: abcd\n-- shoal:up\nSELECT 1;\n-- shoal:upp\n", to: "abcd_x.sql")
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
        try MigrationFile(revision: "aaaa", up: "SELECT 1;").write(in: directory, as: "aaaa_root.sql")
        try MigrationFile(revision: "bbbb", parents: ["aaaa"], up: "SELECT 1;").write(in: directory, as: "bbbb_left.sql")
        try MigrationFile(revision: "cccc", parents: ["aaaa"], up: "SELECT 1;").write(in: directory, as: "cccc_right.sql")
        try MigrationFile(revision: "dddd", parents: ["bbbb", "cccc"], up: "").write(in: directory, as: "dddd_merge.sql")
        let graph = try RevisionGraph(migrations: MigrationDirectory.load(directory.path), directory: directory.path)
        #expect(graph.heads == ["dddd"])
        #expect(graph.isMerge("dddd"))
        #expect(graph.isBranchPoint("aaaa"))
    }
}
