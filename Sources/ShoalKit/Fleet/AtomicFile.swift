import Foundation

/// Writes files so that a reader never sees half of one and nothing is
/// overwritten by accident: the bytes go to a temporary file in the same
/// folder first, then take the final name in one step.
public enum AtomicFile {
    /// Creates `path`, refusing if it exists. The temporary file is hard-linked
    /// to the final name, which fails atomically when the name is taken.
    public static func create(_ path: String, contents: String) throws {
        let fm = FileManager.default
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ShoalError(.io, "cannot create the folder \(directory): \(error.localizedDescription)")
        }
        let temporary = (directory as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(contents.utf8).write(to: URL(fileURLWithPath: temporary), options: .withoutOverwriting)
        } catch {
            throw ShoalError(.io, "cannot write \(temporary): \(error.localizedDescription)")
        }
        defer { try? fm.removeItem(atPath: temporary) }
        if fm.fileExists(atPath: path) {
            throw ShoalError(.io, "\(path) already exists; shoal never overwrites a file")
        }
        do {
            try fm.linkItem(atPath: temporary, toPath: path)
        } catch {
            throw ShoalError(.io, fm.fileExists(atPath: path)
                             ? "\(path) already exists; shoal never overwrites a file"
                             : "cannot create \(path): \(error.localizedDescription)")
        }
    }

    /// Replaces (or creates) `path` atomically: temporary file, then rename.
    public static func replace(_ path: String, contents: Data) throws {
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try contents.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ShoalError(.io, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
