import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a reader never sees half of one and nothing is
/// overwritten by accident: the bytes go to a temporary file in the same
/// folder first, then take the final name in one step. The temporary file
/// is removed whatever fails.
package enum AtomicFile {
    /// Creates `path`, refusing if it exists. The temporary file is hard-linked
    /// to the final name, which fails atomically when the name is taken.
    package static func create(_ path: String, contents: String) throws {
        let fm = FileManager.default
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ShoalError(.io, "cannot create the folder \(directory): \(error.localizedDescription)")
        }
        if fm.fileExists(atPath: path) {
            throw ShoalError(.io, "\(path) already exists; shoal never overwrites a file")
        }
        let temporary = try writeTemporary(for: path, contents: Data(contents.utf8), like: nil)
        defer { unlink(temporary) }
        guard link(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw ShoalError(.io, errno == EEXIST ? "\(path) already exists; shoal never overwrites a file"
                                                  : "cannot create \(path): \(reason)")
        }
    }

    /// Replaces (or creates) `path` atomically: temporary file, then rename.
    /// A file that exists keeps its permissions (and, where the process may
    /// set it, its owner): rewriting a `0640` registry must not make it `0644`.
    package static func replace(_ path: String, contents: Data) throws {
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
        } catch {
            throw ShoalError(.io, "cannot write \(path): \(error.localizedDescription)")
        }
        var existing = stat()
        let temporary = try writeTemporary(for: path, contents: contents, like: stat(path, &existing) == 0 ? existing : nil)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ShoalError(.io, "cannot write \(path): \(reason)")
        }
    }

    /// Writes `contents` to a new hidden file beside `path`, flushed to disk,
    /// with the mode (and owner) of `like`, or the default mode; returns its path.
    private static func writeTemporary(for path: String, contents: Data, like existing: stat?) throws -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory as NSString).appendingPathComponent(
            ".\((path as NSString).lastPathComponent).\(UUID().uuidString).tmp")
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw ShoalError(.io, "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        var failure: String?
        if let existing {
            _ = fchown(descriptor, existing.st_uid, existing.st_gid) // only root may give a file away; best effort
            if fchmod(descriptor, existing.st_mode & 0o7777) != 0 { failure = String(cString: strerror(errno)) }
        }
        if failure == nil {
            failure = contents.withUnsafeBytes { buffer -> String? in
                var offset = 0
                while offset < buffer.count {
                    let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return String(cString: strerror(errno))
                    }
                    offset += written
                }
                return nil
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        if close(descriptor) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw ShoalError(.io, "cannot write \(temporary): \(failure)")
        }
        return temporary
    }
}
