import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit
#if canImport(Glibc)
import Glibc
#endif

/// A SQLite file shoal creates takes the permissions of the files beside it.
@Suite struct SiblingPermissionsTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    func file(_ name: String, mode: mode_t) throws {
        let path = try directory.write("x", to: name)
        #expect(chmod(path, mode) == 0)
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : 0
    }

    @Test func theModeMostSiblingsShareWins() throws {
        try file("a.sqlite", mode: 0o640)
        try file("b.sqlite", mode: 0o640)
        try file("c.sqlite", mode: 0o644)
        try file(".hidden", mode: 0o600)
        try file(".hidden2", mode: 0o600)
        try FileManager.default.createDirectory(atPath: directory.file("sub1"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.file("sub2"), withIntermediateDirectories: true)
        #expect(SiblingPermissions.mode(for: directory.file("new.sqlite")) == 0o640)
    }

    @Test func tiesGoToTheFewestPermissions() throws {
        try file("a.sqlite", mode: 0o644)
        try file("b.sqlite", mode: 0o600)
        #expect(SiblingPermissions.mode(for: directory.file("new.sqlite")) == 0o600)
    }

    @Test func aLargeFolderIsSampledAndItsCommonModeStillWins() throws {
        // More siblings than are sampled, all but one 0640: whichever the
        // folder lists first, the sample's majority is 0640.
        for index in 0..<(SiblingPermissions.sampleLimit * 3) {
            try file("t\(index).sqlite", mode: index == 5 ? 0o600 : 0o640)
        }
        #expect(SiblingPermissions.mode(for: directory.file("new.sqlite")) == 0o640)
    }

    @Test func anEmptyOrMissingFolderHasNoMode() throws {
        #expect(SiblingPermissions.mode(for: directory.file("new.sqlite")) == nil)
        #expect(SiblingPermissions.mode(for: directory.file("missing/new.sqlite")) == nil)
        try file("new.sqlite", mode: 0o600)
        #expect(SiblingPermissions.mode(for: directory.file("new.sqlite")) == nil, "the file itself does not count")
    }

    @Test func aMigrateSessionCreatesTheFileWithItsSiblingsMode() async throws {
        try file("acme.sqlite", mode: 0o640)
        try file("globex.sqlite", mode: 0o640)
        let path = directory.file("wayne.sqlite")
        let target = Target(id: "app/wayne", database: "app", tenant: "wayne", driver: .sqlite, location: .sqlite(path: path))
        _ = try await SessionPool.withSession(target, access: .migrate) { session in
            try await session.execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
            #expect(Self.mode(path + "-wal") == 0o640, "SQLite gives its WAL file the database's mode")
        }
        #expect(Self.mode(path) == 0o640)
        let rows = try await SessionPool.withSession(target, access: .read) { try await $0.query("SELECT x FROM t", []) }
        #expect(rows == [["1"]])
    }

    @Test func anExistingFileKeepsItsMode() async throws {
        try file("acme.sqlite", mode: 0o640)
        let path = directory.file("wayne.sqlite")
        FileManager.default.createFile(atPath: path, contents: nil)
        #expect(chmod(path, 0o604) == 0)
        let target = Target(id: "app/wayne", database: "app", tenant: "wayne", driver: .sqlite, location: .sqlite(path: path))
        _ = try await SessionPool.withSession(target, access: .migrate) { try await $0.execute("CREATE TABLE t (x int)") }
        #expect(Self.mode(path) == 0o604)
    }

    @Test func aFileAloneInItsFolderGetsSQLitesDefault() async throws {
        let path = directory.file("fresh/wayne.sqlite")
        let target = Target(id: "app/wayne", database: "app", tenant: "wayne", driver: .sqlite, location: .sqlite(path: path))
        _ = try await SessionPool.withSession(target, access: .migrate) { try await $0.execute("CREATE TABLE t (x int)") }
        // SQLite creates files 0644, less the umask (read without changing it).
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let umaskLine = status.split(separator: "\n").first { $0.hasPrefix("Umask:") }
        let umask = umaskLine.flatMap { mode_t($0.split(separator: "\t").last ?? "", radix: 8) } ?? 0o022
        #expect(Self.mode(path) == 0o644 & ~umask)
    }
}
