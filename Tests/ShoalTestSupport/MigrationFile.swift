/// A well-formed migration file (SPEC §4), built from its parts, for tests
/// that need one on disk. Every test that writes a migration file writes it
/// with this; only tests of the parser write text by hand, to get it wrong.
///
///     let file = MigrationFile(revision: "bbbb0002", parents: ["aaaa0001"], message: "add email",
///                              up: "ALTER TABLE users ADD COLUMN email TEXT;")
///     try file.write(in: directory, as: "versions/app/bbbb0002_add_email.sql")
///
/// The text is fixed to the byte (tests compare checksums of files they
/// wrote): the headers, a blank line, then each section, its marker, its
/// SQL and a newline, a blank line before each later section.
public struct MigrationFile: Sendable, Equatable {
    public var revision: String
    public var parents: [String]
    /// The `-- message:` header; none when nil.
    public var message: String?
    public var up: String
    public var down: String?
    public var verify: String?
    /// False writes `-- transaction: false`.
    public var transactional: Bool
    /// The `-- phase:` header (`expand`, `contract`); none when nil.
    public var phase: String?
    /// The `-- allow:` header's rule ids; none when empty.
    public var allow: [String]

    public init(revision: String, parents: [String] = [], message: String? = nil, up: String,
                down: String? = nil, verify: String? = nil, transactional: Bool = true,
                phase: String? = nil, allow: [String] = []) {
        self.revision = revision
        self.parents = parents
        self.message = message
        self.up = up
        self.down = down
        self.verify = verify
        self.transactional = transactional
        self.phase = phase
        self.allow = allow
    }

    /// The file's contents.
    public var text: String {
        var text = "-- revision: \(revision)\n"
        if !parents.isEmpty { text += "-- parents: \(parents.joined(separator: " "))\n" }
        if let message { text += "-- message: \(message)\n" }
        if !transactional { text += "-- transaction: false\n" }
        if let phase { text += "-- phase: \(phase)\n" }
        if !allow.isEmpty { text += "-- allow: \(allow.joined(separator: " "))\n" }
        text += "\n-- shoal:up\n\(up)\n"
        if let down { text += "\n-- shoal:down\n\(down)\n" }
        if let verify { text += "\n-- shoal:verify\n\(verify)\n" }
        return text
    }

    /// Writes ``text`` to `relativePath` in `directory` (creating folders,
    /// replacing a file that was there) and returns the absolute path.
    @discardableResult
    public func write(in directory: TemporaryDirectory, as relativePath: String) throws -> String {
        try directory.write(text, to: relativePath)
    }
}
