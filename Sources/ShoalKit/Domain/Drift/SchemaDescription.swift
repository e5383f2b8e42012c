import Crypto

/// What a target's schema *is* (SPEC §10.1): one canonical line per object,
/// read from the catalog, sorted, with the tenant's own schema name written
/// `{schema}` and shoal's version tables left out, so that two tenants in
/// differently named schemas that ran the same migrations have equal lines.
///
/// Lines start with the object's kind (`table`, `column`, `constraint`,
/// `index`, `view`, `sequence`, `function`, `trigger`, `enum`; SQLite also
/// `foreign-key`), then its qualified name, then what defines it:
///
/// ```
/// column {schema}.users.email text not null default ''::text
/// index {schema}.users_email_key CREATE UNIQUE INDEX users_email_key ON {schema}.users USING btree (email)
/// ```
public struct SchemaDescription: Sendable, Hashable {
    /// The canonical lines, sorted, each once.
    public let lines: [String]

    /// `lines` sorted and made unique; whitespace inside each line is
    /// expected normalised already (``SchemaDescription/normalisedWhitespace(_:)``).
    public init<Lines: Sequence<String>>(lines: Lines) {
        self.lines = Array(Set(lines)).sorted()
    }

    /// The first 12 hex digits of the SHA-256 of the lines, each ended by a
    /// newline: equal descriptions, equal fingerprints.
    public var fingerprint: String { Self.fingerprint(of: lines) }

    /// The fingerprint of already sorted, unique `lines`.
    static func fingerprint(of lines: [String]) -> String {
        var hash = SHA256()
        for line in lines {
            hash.update(data: Array(line.utf8))
            hash.update(data: [0x0A])
        }
        return hash.finalize().prefix(6).lowercaseHex
    }

    /// How this schema differs from `reference`: `+ <line>` for each object
    /// present here and not there, `- <line>` for each object missing here,
    /// in line order (a changed object shows as its `-` and its `+`).
    public func diff(against reference: SchemaDescription) -> [String] {
        var result: [String] = []
        var mine = lines[...]
        var theirs = reference.lines[...]
        while let line = mine.first, let other = theirs.first {
            if line == other {
                mine.removeFirst()
                theirs.removeFirst()
            } else if line < other {
                result.append("+ " + line)
                mine.removeFirst()
            } else {
                result.append("- " + other)
                theirs.removeFirst()
            }
        }
        result += mine.map { "+ " + $0 }
        result += theirs.map { "- " + $0 }
        return result
    }

    /// `text` with every run of whitespace (newlines included) made one
    /// space, and none at either end: view definitions and SQLite's stored
    /// `CREATE` statements compare by their words, not their layout.
    public static func normalisedWhitespace(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
