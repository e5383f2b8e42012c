import Crypto

/// The fingerprint of what a revision does to a database (SPEC §4), recorded in
/// the history table when it is applied and compared by `shoal verify` and by
/// every run: a migration edited after it ran is reported, not re-run.
///
/// Only the `up` section counts, and only its meaning: line endings are
/// normalised to `\n` (a file checked out on Windows stays the same revision),
/// trailing blanks are removed from each line, and blank lines at the start and
/// end are dropped. Anything else, even a comment, changes the checksum.
///
/// ```swift
/// Checksum.of(up: "CREATE TABLE t (id int);\r\n")   // same as for "CREATE TABLE t (id int);"
/// ```
package enum Checksum {
    /// Lowercase hex SHA-256 of the normalised `up` section.
    package static func of(up: String) -> String {
        let lines = MigrationText.trimmingBlankLines(MigrationText.lines(up).map(MigrationText.trimmingTrailingBlanks))
        let normalised = lines.joined(separator: "\n")
        return SHA256.hash(data: Array(normalised.utf8)).lowercaseHex
    }
}
