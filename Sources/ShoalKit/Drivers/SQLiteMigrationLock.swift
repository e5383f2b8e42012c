import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// shoal's one-migrator-per-target lock for a SQLite file: an exclusive
/// `flock` on a hidden file beside it, `.<name>.shoal-lock`, held by the
/// migrating session from before its first step until after its last.
///
/// SQLite's own write lock lasts one transaction, and a `transaction: false`
/// migration runs outside any: without this lock nobody could tell a
/// migration that is running now from one that crashed, since both leave
/// the dirty mark (SPEC §6 `in-progress`). The kernel drops a `flock` when
/// its holder dies, so a killed run never leaves the lock behind.
///
/// The database file itself is never locked or opened here: closing any
/// descriptor of a file drops every POSIX lock the process holds on it,
/// sqlite3's included. The lock file is removed when released; a waiter
/// that locked a file that was removed meanwhile notices (its inode is no
/// longer the path's) and tries again.
final class SQLiteMigrationLock: @unchecked Sendable {
    /// The lock file's path.
    let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// `.<name>.shoal-lock` in the folder of the database at `database`.
    static func lockPath(for database: String) -> String {
        let url = URL(fileURLWithPath: database)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).shoal-lock").path
    }

    /// Takes the lock of the database at `database` if nobody holds it;
    /// nil when another session (of this or another process) does.
    static func tryAcquire(database: String) throws -> SQLiteMigrationLock? {
        let path = lockPath(for: database)
        while true {
            // Read-only is enough for flock, so another user who may write
            // the folder (and so the database's journal) can lock a file
            // that one user created; it holds nothing to read.
            let descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                let reason = String(cString: strerror(errno))
                throw ShoalError(.io, "cannot create the migration lock file \(path) beside SQLite database \(database): \(reason)")
            }
            if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                close(descriptor)
                return nil
            }
            // The holder before us removes the file as it releases it: the
            // file we locked must still be the one at `path`.
            var held = stat()
            var named = stat()
            if fstat(descriptor, &held) == 0, stat(path, &named) == 0,
               held.st_dev == named.st_dev, held.st_ino == named.st_ino {
                return SQLiteMigrationLock(path: path, descriptor: descriptor)
            }
            close(descriptor)
        }
    }

    /// Whether some session holds the lock of the database at `database`
    /// now. Takes nothing: a probe that finds the lock free lets it go at once.
    static func isHeld(database: String) -> Bool {
        let descriptor = open(lockPath(for: database), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }  // no lock file: nobody holds it
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) != 0 { return errno == EWOULDBLOCK }
        flock(descriptor, LOCK_UN)
        return false
    }

    /// Removes the lock file and lets the lock go. Idempotent.
    func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }
}
