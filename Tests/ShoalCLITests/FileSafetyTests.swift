import Foundation
import ShoalTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What shoal writes on disk: `init`, `revision` and `merge` never overwrite
/// and never leave a temporary file; `tenants add` keeps the registry's
/// permissions and gives a new SQLite file those of the files beside it.
@Suite("files shoal writes")
struct FileSafetyTests {
    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : 0
    }

    /// Every file under the sandbox whose name marks it as temporary.
    static func temporaryFiles(_ sandbox: Sandbox) -> [String] {
        var found: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: sandbox.root)
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasSuffix(".tmp") { found.append(relative) }
        }
        return found
    }

    @Test func tenantsAddGivesTheNewFileItsSiblingsPermissions() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        #expect(try await sandbox.shoal("upgrade").status == 0)
        for tenant in Fixture.tenants { #expect(chmod(sandbox.path(Fixture.tenantFile(tenant)), 0o640) == 0) }
        #expect(chmod(sandbox.path("tenants/app.json"), 0o640) == 0)
        let result = try await sandbox.shoal("tenants", "add", "wayne", "--db", "app")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.mode(sandbox.path(Fixture.tenantFile("wayne"))) == 0o640)
        #expect(Self.mode(sandbox.path("tenants/app.json")) == 0o640, "rewriting the registry keeps its permissions")
        #expect(Self.temporaryFiles(sandbox).isEmpty)
    }

    @Test func tenantsAddInAnEmptyFolderKeepsSQLitesDefault() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox, tenants: [])
        let result = try await sandbox.shoal("tenants", "add", "wayne", "--db", "app")
        #expect(result.status == 0, "\(result.stderr)")
        // What the same umask makes of SQLite's 0644.
        let probe = sandbox.path("probe")
        let descriptor = open(probe, O_CREAT | O_WRONLY, 0o644)
        close(descriptor)
        #expect(Self.mode(sandbox.path(Fixture.tenantFile("wayne"))) == Self.mode(probe))
    }

    @Test func revisionAndMergeLeaveOnlyTheirFile() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        try sandbox.write("versions/app/4444dddd0004_branch.sql",
                          MigrationFile(revision: "4444dddd0004", parents: [Fixture.r2], message: "branch", up: "SELECT 1;").text)
        let before = try FileManager.default.contentsOfDirectory(atPath: sandbox.path("versions/app"))
        let merge = try await sandbox.shoal("merge", "--db", "app", "-m", "join the branches")
        #expect(merge.status == 0, "\(merge.stderr)")
        let revision = try await sandbox.shoal("revision", "--db", "app", "-m", "after the merge")
        #expect(revision.status == 0, "\(revision.stderr)")
        let after = try FileManager.default.contentsOfDirectory(atPath: sandbox.path("versions/app"))
        let written = Set(after).subtracting(before)
        #expect(written.count == 2, "\(written)")
        #expect(written.allSatisfy { !$0.hasPrefix(".") && $0.hasSuffix(".sql") })
        #expect(try await sandbox.shoal("check").status == 0)
        #expect(Self.temporaryFiles(sandbox).isEmpty)
    }

    /// A versions folder that cannot be written: under a regular file, and
    /// on a file system mounted read-only or a folder whose permissions
    /// forbid writing. Root writes through permissions, so that half uses a
    /// folder nobody may write: `/proc` (read-only for root too).
    @Test func aRevisionThatCannotBeWrittenLeavesNothingBehind() async throws {
        let sandbox = try Sandbox()
        try Fixture.sqliteFleet(sandbox)
        try sandbox.write("blocker", "a file")
        try sandbox.write("config.json", """
        { "databases": { "app": { "driver": "sqlite", "path": "app.sqlite", "versions": "blocker/app" } } }
        """)
        let before = try sandbox.snapshot()
        for args in [["revision", "-m", "x"], ["merge", "-m", "x"]] {
            let result = try await sandbox.run(args)
            #expect(result.status != 0)
            #expect(result.stderr.contains("blocker"), "\(result.stderr)")
        }
        #expect(try sandbox.snapshot() == before)

        // A folder this user may not write to. Not as root (root writes
        // through permission bits): then the sandbox's versions live in a
        // folder of /proc, which refuses every new file, root's too.
        try Fixture.sqliteFleet(sandbox)
        let folder: String
        if getuid() == 0 {
            folder = "/proc/self/fdinfo"
            try sandbox.write("config.json", """
            { "databases": { "app": { "driver": "sqlite", "path": "app.sqlite", "versions": "\(folder)" } } }
            """)
        } else {
            folder = sandbox.path("versions/app")
            #expect(chmod(folder, 0o555) == 0)
        }
        defer { if getuid() != 0 { chmod(folder, 0o755) } }
        let listed = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }
        let readOnly = try await sandbox.shoal("revision", "--db", "app", "-m", "x")
        #expect(readOnly.status != 0, "\(readOnly.stdout)")
        #expect(readOnly.stderr.contains(folder), "the error names the folder: \(readOnly.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") } == listed)
        #expect(Self.temporaryFiles(sandbox).isEmpty)
    }

    @Test func initNeverOverwritesAnyFileAndWritesNothingThen() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("demo/versions/app/9c3a3c3f3e1b_create_users.sql", "mine")
        let result = try await sandbox.shoal("init", "demo")
        #expect(result.status == 2)
        #expect(result.stderr.contains("9c3a3c3f3e1b_create_users.sql"))
        #expect(try sandbox.read("demo/versions/app/9c3a3c3f3e1b_create_users.sql") == "mine")
        #expect(!sandbox.exists("demo/config.json"))
        try sandbox.write("file", "a file")
        let underFile = try await sandbox.shoal("init", "file/demo")
        #expect(underFile.status != 0)
        let fresh = try await sandbox.shoal("init", "fresh")
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(Self.temporaryFiles(sandbox).isEmpty)
    }
}
