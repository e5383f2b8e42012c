/// One statement of a script with where it is, as
/// ``SQLScript/locatedStatements(_:)`` returns it: what `shoal lint` needs to
/// name a `file:line` and to find the allow comment above a statement.
package struct LocatedStatement: Sendable, Hashable {
    /// A whole-line `--` comment directly above the statement.
    package struct Comment: Sendable, Hashable {
        /// 1-based line in the script.
        package var line: Int
        /// The comment, trimmed, `--` included.
        package var text: String
    }

    /// From the statement's first code to its end, trimmed, without the
    /// final `;`; comments inside it are kept.
    package var text: String
    /// 1-based line in the script where the code starts.
    package var line: Int
    /// The run of comment lines that ends on the line above ``line``.
    package var commentsAbove: [Comment]
}
