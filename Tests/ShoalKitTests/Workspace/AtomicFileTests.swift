import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit
#if canImport(Glibc)
import Glibc
#endif

/// Files shoal writes (`init`, `revision`, `merge`, tenant registries) are
/// never overwritten by accident, never seen half-written, and leave no
/// temporary file behind, whether the write succeeds or fails.
@Suite struct AtomicFileTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    /// Every name in `folder`, hidden ones included.
    static func listing(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    // MARK: create

    @Test func createWritesTheFileAndNothingElse() throws {
        let path = directory.file("versions/app/5c1e9a0b7f3d_x.sql")
        try AtomicFile.create(path, contents: "-- revision: 5c1e9a0b7f3d\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "-- revision: 5c1e9a0b7f3d\n")
        #expect(Self.listing(directory.file("versions/app")) == ["5c1e9a0b7f3d_x.sql"])
    }

    @Test func createRefusesAnExistingFileAndLeavesItAlone() throws {
        let path = try directory.write("mine", to: "5c1e9a0b7f3d_x.sql")
        let error = shoalError { try AtomicFile.create(path, contents: "theirs") }
        #expect(error?.kind == .io)
        #expect(error?.message.contains("\(path) already exists; shoal never overwrites a file") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "mine")
        #expect(Self.listing(directory.path) == ["5c1e9a0b7f3d_x.sql"], "no temporary file is left")
    }

    @Test func createRefusesAnExistingDirectoryOrLink() throws {
        try FileManager.default.createDirectory(atPath: directory.file("taken"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.file("dangling"), withDestinationPath: directory.file("nowhere"))
        for name in ["taken", "dangling"] {
            let error = shoalError { try AtomicFile.create(directory.file(name), contents: "x") }
            #expect(error?.kind == .io, "\(name)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("nowhere")), "the link was not followed")
        #expect(Self.listing(directory.path) == ["dangling", "taken"])
    }

    /// Two writers racing for one name (two `shoal revision` runs drawing the
    /// same id): exactly one wins, and the file is all of its contents.
    @Test func racingCreatorsOfOneNameLeaveOneWholeFile() async throws {
        let path = directory.file("race.sql")
        let contents = (0..<8).map { String(repeating: "\($0)", count: 100_000) }
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for text in contents {
                group.addTask { (try? AtomicFile.create(path, contents: text)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(contents.contains(try String(contentsOfFile: path, encoding: .utf8)))
        #expect(Self.listing(directory.path) == ["race.sql"])
    }

    /// A folder that cannot be written: under a regular file (which stops
    /// root too), or read-only when not running as root.
    @Test func aFailedCreateLeavesNothingBehind() throws {
        try directory.write("a file", to: "blocker")
        let underFile = shoalError { try AtomicFile.create(directory.file("blocker/versions/x.sql"), contents: "x") }
        #expect(underFile?.kind == .io)
        #expect(Self.listing(directory.path) == ["blocker"])
        guard getuid() != 0 else { return } // root writes into read-only folders
        let readOnly = directory.file("read-only")
        try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: true)
        #expect(chmod(readOnly, 0o555) == 0)
        defer { chmod(readOnly, 0o755) }
        #expect(shoalError { try AtomicFile.create(readOnly + "/x.sql", contents: "x") }?.kind == .io)
        #expect(Self.listing(readOnly).isEmpty)
    }

    // MARK: replace

    /// Runs each body on its own thread (not the two-thread cooperative
    /// pool, which would run them in turn) and returns their results.
    static func onThreads(_ bodies: [@Sendable () -> Int]) -> [Int] {
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var values: [Int: Int] = [:]
        }
        let results = Results()
        let group = DispatchGroup()
        for (index, body) in bodies.enumerated() {
            group.enter()
            Thread {
                let value = body()
                results.lock.withLock { results.values[index] = value }
                group.leave()
            }.start()
        }
        group.wait()
        return bodies.indices.map { results.values[$0] ?? 0 }
    }

    /// Readers of a registry being rewritten see the old file or the new
    /// one, never a mix or a cut: `tenants add` while `upgrade` reads it.
    @Test func readersNeverSeeAHalfReplacedFile() throws {
        let path = directory.file("tenants.json")
        let versions = (0..<4).map { version in
            TenantRegistry.encode((0..<(2_000 * (version + 1))).map { Tenant(name: "t\(version)-\($0)") })
        }
        try AtomicFile.replace(path, contents: versions[0])
        let deadline = ContinuousClock.now + .seconds(1)
        let writer: @Sendable () -> Int = {
            var attempts = 0
            var replaced = 0  // only replaces that succeeded count
            while ContinuousClock.now < deadline {
                attempts += 1
                if (try? AtomicFile.replace(path, contents: versions[attempts % versions.count])) != nil { replaced += 1 }
            }
            return replaced
        }
        let reader: @Sendable () -> Int = {
            var torn = 0
            while ContinuousClock.now < deadline {
                if let data = FileManager.default.contents(atPath: path), !versions.contains(data) { torn += 1 }
            }
            return torn
        }
        let results = Self.onThreads([writer, reader, reader])
        #expect(results[0] > 10, "the writer replaced the file only \(results[0]) times")
        #expect(results[1] + results[2] == 0, "\(results[1] + results[2]) reads saw a partial file")
        #expect(Self.listing(directory.path) == ["tenants.json"], "no temporary file is left")
    }

    @Test func replaceKeepsTheFilesPermissions() throws {
        let path = try directory.write("[]\n", to: "tenants.json")
        #expect(chmod(path, 0o640) == 0)
        try AtomicFile.replace(path, contents: Data("[\"acme\"]\n".utf8))
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o640)
    }

    @Test func aFailedReplaceLeavesTheOldFile() throws {
        try directory.write("a file", to: "blocker")
        let error = shoalError { try AtomicFile.replace(directory.file("blocker/tenants.json"), contents: Data("[]".utf8)) }
        #expect(error?.kind == .io)
        #expect(Self.listing(directory.path) == ["blocker"])
    }

    // MARK: Writers

    @Test func initRefusesWhenAnyDemoFileExistsAndWritesNothing() throws {
        let existing = try #require(DemoFleet.files.last).path
        try directory.write("mine", to: existing)
        let error = shoalError { _ = try DemoInstaller.install(into: directory.path) }
        #expect(error?.message.contains(existing) == true)
        #expect(try String(contentsOfFile: directory.file(existing), encoding: .utf8) == "mine")
        var written: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory.file(name), isDirectory: &isDirectory), !isDirectory.boolValue {
                written.append(name)
            }
        }
        #expect(written == [existing])
    }

    @Test func revisionsGetFreshIdsAndLeaveNoTemporaryFile() throws {
        let database = DatabaseConfig(name: "app", driver: .sqlite, path: directory.file("app.sqlite"),
                                      versionsDirectory: directory.file("versions/app"))
        let first = try RevisionWriter.create(in: database, message: "same message", parents: [], transactional: true)
        let second = try RevisionWriter.create(in: database, message: "same message", parents: [], transactional: true)
        #expect(first != second)
        #expect(Self.listing(database.versionsDirectory) == [first, second].map { ($0 as NSString).lastPathComponent }.sorted())
        for path in [first, second] {
            let migration = try MigrationParser.parse(try String(contentsOfFile: path, encoding: .utf8), path: path)
            #expect(migration.message == "same message")
        }
    }
}
