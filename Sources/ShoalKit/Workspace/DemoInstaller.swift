import Foundation

/// Writes the demo fleet (`shoal init`).
public enum DemoInstaller {
    /// Writes every demo file under `directory`. Refuses, writing nothing,
    /// when any of them exists already. Returns the paths written.
    public static func install(into directory: String) throws -> [String] {
        let fm = FileManager.default
        let paths = DemoFleet.files.map { (directory as NSString).appendingPathComponent($0.path) }
        let existing = paths.filter { fm.fileExists(atPath: $0) }
        guard existing.isEmpty else {
            throw ShoalError(.usage, "shoal init never overwrites: \(existing.joined(separator: ", ")) already exist\(existing.count == 1 ? "s" : ""). Pick an empty folder: shoal init DIR")
        }
        for (path, file) in zip(paths, DemoFleet.files) {
            try AtomicFile.create(path, contents: file.contents)
        }
        return paths
    }
}
