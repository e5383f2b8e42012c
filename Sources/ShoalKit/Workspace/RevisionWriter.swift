import Foundation

/// Writes new migration files (`shoal revision`, `shoal merge`).
package enum RevisionWriter {
    /// A new 12-hex-digit revision id, as Alembic makes them.
    package static func newRevisionID() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%012llx", generator.next() & 0xFFFF_FFFF_FFFF)
    }

    /// The file-name part of a message: lowercase words joined by `_`, at most 40 characters.
    package static func slug(_ message: String) -> String {
        let words = message.lowercased().split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        var slug = ""
        for word in words {
            let next = slug.isEmpty ? String(word) : slug + "_" + word
            if next.count > 40 { break }
            slug = next
        }
        return slug.isEmpty ? String((words.first ?? "revision").prefix(40)) : slug
    }

    /// The text of a new migration file.
    package static func render(revision: String, parents: [String], message: String, transactional: Bool,
                               phase: MigrationPhase? = nil) -> String {
        var text = "-- revision: \(revision)\n"
        if !parents.isEmpty { text += "-- parents: \(parents.joined(separator: " "))\n" }
        text += "-- message: \(message)\n"
        if !transactional { text += "-- transaction: false\n" }
        if let phase { text += "-- phase: \(phase.rawValue)\n" }
        text += "\n-- shoal:up\n\n\n-- shoal:down\n\n"
        return text
    }

    /// Creates a migration file in `database`'s versions directory and returns its path.
    /// `parents` are full revision ids (resolve them with the graph first).
    package static func create(in database: DatabaseConfig, message: String, parents: [String], transactional: Bool,
                               phase: MigrationPhase? = nil) throws -> String {
        let message = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !message.isEmpty else {
            throw ShoalError(.usage, "a revision needs a message: -m \"what it changes\"")
        }
        guard !message.contains("\n") else {
            throw ShoalError(.usage, "the message must fit on one line")
        }
        let revision = newRevisionID()
        let path = (database.versionsDirectory as NSString).appendingPathComponent("\(revision)_\(slug(message)).sql")
        try AtomicFile.create(path, contents: render(revision: revision, parents: parents, message: message,
                                                      transactional: transactional, phase: phase))
        return path
    }

    /// The revision graph of `database`, or an empty one when its versions
    /// directory does not exist yet (a new database's first revision).
    /// Reads the folder itself, not through ``Fleet/graph(for:)``: Fleet
    /// writes its files through Workspace, so Workspace does not use Fleet.
    package static func graphForNewRevision(_ database: DatabaseConfig) throws -> RevisionGraph {
        let directory = database.versionsDirectory
        let migrations = FileManager.default.fileExists(atPath: directory) ? try MigrationDirectory.load(directory) : []
        return try RevisionGraph(migrations: migrations, directory: directory)
    }
}
