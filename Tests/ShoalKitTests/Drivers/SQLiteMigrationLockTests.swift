import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit

/// shoal's migrator lock on a SQLite file (issue 17 item 1): a hidden file
/// beside the database, left behind by nobody. That one session at a time
/// holds it, others see it without taking it, and a waiter takes it when
/// the holder lets go is in DatabaseSessionTests, for both drivers.
@Suite struct SQLiteMigrationLockTests {
    @Test func theLockIsAHiddenFileBesideTheDatabaseWhileItIsHeld() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("acme.sqlite")
        let first = try await SQLiteSession.open(path: path, mode: .readWrite)
        let second = try await SQLiteSession.open(path: path, mode: .readWrite)
        #expect(try await first.acquireMigrationLock(key: "", timeout: .zero))
        #expect(FileManager.default.fileExists(atPath: dir.file(".acme.sqlite.shoal-lock")))

        await first.releaseMigrationLock(key: "")
        #expect(!FileManager.default.fileExists(atPath: dir.file(".acme.sqlite.shoal-lock")), "no file left behind")
        #expect(try await second.acquireMigrationLock(key: "", timeout: .zero))
        await second.close()  // closing lets it go too, at once
        #expect(try await first.isMigrationLockHeld(key: "") == false)
        await first.close()
    }

    @Test func aLockFileNobodyHoldsIsNoLock() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("acme.sqlite")
        FileManager.default.createFile(atPath: dir.file(".acme.sqlite.shoal-lock"), contents: nil)
        let session = try await SQLiteSession.open(path: path, mode: .readWrite)
        #expect(try await session.isMigrationLockHeld(key: "") == false)
        #expect(try await session.acquireMigrationLock(key: "", timeout: .zero))
        await session.close()
    }

    @Test func aMissingFolderIsAnErrorNotALock() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("acme.sqlite")
        let session = try await SQLiteSession.open(path: path, mode: .readWrite)
        try FileManager.default.removeItem(atPath: dir.path)  // the folder is gone under the open file
        await #expect(throws: ShoalError.self) {
            _ = try await session.acquireMigrationLock(key: "", timeout: .zero)
        }
        await session.close()
    }
}
