import Foundation

/// Reads a database's migration directory (`versions/<database>/`) into
/// parsed migrations, ready for ``RevisionGraph``.
///
/// Only the directory's own `*.sql` files count: subdirectories, other files
/// (a README, an editor's backup) and hidden files (`.#x.sql` locks) are
/// ignored. Files are read in file-name order, so errors come out the same on
/// every machine, and each ``Migration/path`` is absolute.
package enum MigrationDirectory {
    /// Every migration of `directory`, sorted by file name. Errors are
    /// `ShoalError(.migrationFile)`: a missing directory, an unreadable file, a
    /// parse error, or two files declaring the same revision.
    package static func load(_ directory: String) throws -> [Migration] {
        let absolute = absolutePath(directory)
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: absolute, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ShoalError(.migrationFile,
                             "migration directory \(directory) does not exist; create it, or set `versions` for "
                                 + "this database in config.json.",
                             file: directory)
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: absolute)
        } catch {
            throw ShoalError(.migrationFile, "cannot list migration directory \(directory): \(error.localizedDescription)",
                             file: directory)
        }

        var migrations: [Migration] = []
        var files: [String: String] = [:]
        for name in names.sorted() where name.hasSuffix(".sql") && !name.hasPrefix(".") {
            let path = absolute + "/" + name
            var isSubdirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isSubdirectory), !isSubdirectory.boolValue else { continue }
            guard let data = manager.contents(atPath: path) else {
                throw ShoalError(.migrationFile, "cannot read migration file; check its permissions.", file: path)
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ShoalError(.migrationFile, "migration file is not valid UTF-8; save it as UTF-8.", file: path)
            }
            let migration = try MigrationParser.parse(text, path: path)
            if let other = files[migration.revision] {
                throw ShoalError(.migrationFile,
                                 "revision \(migration.revision) is declared by two files, \(other) and \(path); "
                                     + "give one of them a new revision id.",
                                 file: path, revision: migration.revision)
            }
            files[migration.revision] = path
            migrations.append(migration)
        }
        return migrations
    }

    /// `path` made absolute against the current directory, with `.` and `..`
    /// removed, so that messages name files plainly.
    static func absolutePath(_ path: String) -> String {
        URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL.path
    }
}
