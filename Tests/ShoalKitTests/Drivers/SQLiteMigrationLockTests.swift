import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit

/// shoal's migrator lock on a SQLite file (issue 17 item 1): held by one
/// session at a time, visible to others without being taken, gone with
/// its holder, and leaving no file behind.
@Suite struct SQLiteMigrationLockTests {
    @Test func oneSessionHoldsTheLockAndOthersSeeIt() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("acme.sqlite")
        let first = try await SQLiteSession.open(path: path, mode: .readWrite)
        let second = try await SQLiteSession.open(path: path, mode: .readWrite)
        #expect(try await first.isMigrationLockHeld(key: "") == false)
        #expect(try await first.acquireMigrationLock(key: "", timeout: .zero))
        #expect(FileManager.default.fileExists(atPath: dir.file(".acme.sqlite.shoal-lock")))
        #expect(try await second.isMigrationLockHeld(key: ""))
        #expect(try await second.acquireMigrationLock(key: "", timeout: .milliseconds(50)) == false)
        // The probe took nothing: the holder still holds it.
        #expect(try await second.isMigrationLockHeld(key: ""))

        await first.releaseMigrationLock(key: "")
        #expect(!FileManager.default.fileExists(atPath: dir.file(".acme.sqlite.shoal-lock")), "no file left behind")
        #expect(try await second.isMigrationLockHeld(key: "") == false)
        #expect(try await second.acquireMigrationLock(key: "", timeout: .zero))
        await second.close()  // closing lets it go too
        #expect(try await first.isMigrationLockHeld(key: "") == false)
        await first.close()
    }

    @Test func aWaiterTakesTheLockWhenTheHolderLetsGo() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("acme.sqlite")
        let first = try await SQLiteSession.open(path: path, mode: .readWrite)
        let second = try await SQLiteSession.open(path: path, mode: .readWrite)
        #expect(try await first.acquireMigrationLock(key: "", timeout: .zero))
        async let taken = second.acquireMigrationLock(key: "", timeout: .seconds(60))
        await first.releaseMigrationLock(key: "")
        #expect(try await taken)
        #expect(try await first.acquireMigrationLock(key: "", timeout: .zero) == false, "the waiter holds it now")
        await second.close()
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
