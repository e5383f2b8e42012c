import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A new SQLite tenant file gets the permissions of the files already in
/// its folder: where the other tenants' files are `0640`, a new one must not
/// be readable by everyone just because SQLite creates files `0644`.
/// (SQLite gives a database's `-wal`, `-shm` and `-journal` files the
/// database file's permissions by itself.)
enum SiblingPermissions {
    /// The permission bits most of the other regular, non-hidden files in
    /// `path`'s folder share (ties: the fewest bits, then the lowest mode), or
    /// nil when the folder has none or does not exist.
    ///
    /// Only the first ``sampleLimit`` such files the folder lists are
    /// looked at: a run that creates thousands of tenant files in one folder
    /// would otherwise list and stat the whole, growing folder once per new
    /// file, O(n²) system calls. A folder's files normally share one mode,
    /// and a sample that size finds the one most of them have.
    static func mode(for path: String) -> mode_t? {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard let stream = opendir(directory.isEmpty ? "." : directory) else { return nil }
        defer { closedir(stream) }
        var counts: [mode_t: Int] = [:]
        var sampled = 0
        while sampled < sampleLimit, let entry = readdir(stream) {
            let sibling = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard sibling != name, !sibling.hasPrefix(".") else { continue }
            var info = stat()
            guard lstat((directory as NSString).appendingPathComponent(sibling), &info) == 0,
                  info.st_mode & S_IFMT == S_IFREG else { continue }
            counts[info.st_mode & 0o777, default: 0] += 1
            sampled += 1
        }
        func rank(_ entry: (key: mode_t, value: Int)) -> (Int, Int, Int) {
            (entry.value, -entry.key.nonzeroBitCount, -Int(entry.key))
        }
        return counts.max { rank($0) < rank($1) }?.key
    }

    /// How many sibling files ``mode(for:)`` looks at, at most.
    static let sampleLimit = 32

    /// Creates the empty file at `path` with its siblings' permissions, when
    /// it does not exist and the folder has other files; SQLite then opens it
    /// as a new database. Otherwise does nothing, and SQLite creates the file
    /// with its default permissions. The file is created `0600` and then
    /// given the siblings' mode, so it is never more open than either.
    static func createFile(_ path: String) throws {
        guard !FileManager.default.fileExists(atPath: path), let mode = mode(for: path) else { return }
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { return } // another run created it first
            throw ShoalError(.io, "cannot create the SQLite database \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else {
            throw ShoalError(.io, "cannot set the permissions of \(path) to \(String(mode, radix: 8)): \(String(cString: strerror(errno)))")
        }
    }
}
