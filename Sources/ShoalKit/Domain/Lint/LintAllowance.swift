/// The two ways a migration allows lint rules (SPEC §9.1):
///
/// ```sql
/// -- allow: drop rename                      (header: the whole migration)
///
/// -- shoal:up
/// -- shoal:allow require-concurrent-index small table, built in 10 ms
/// CREATE INDEX users_email ON users (email);  (only this statement)
/// ```
///
/// Rule ids are separated by commas or blanks in the header; in a comment
/// they are the comma-separated word after `shoal:allow`, and the rest of
/// the line is the reason. An unknown id is an error naming file and line.
public enum LintAllowance {
    /// The rules of a comment line `-- shoal:allow RULE[,RULE] reason`, or
    /// nil when `line` is not such a comment. Throws for an unknown id or a
    /// comment that names none.
    package static func comment(_ line: String, file: String, lineNumber: Int) throws -> [LintRule]? {
        guard let rest = commentBody(line) else { return nil }
        let word = rest.prefix(while: { $0 != " " && $0 != "\t" })
        let ids = word.split(separator: ",").map(String.init)
        guard !ids.isEmpty else {
            throw ShoalError(.migrationFile,
                             "`-- shoal:allow` names no rule; write `-- shoal:allow RULE[,RULE] <reason>`.",
                             file: file, line: lineNumber)
        }
        return try ids.map { try LintRule.named($0, file: file, line: lineNumber) }
    }

    /// True when `line` is a `-- shoal:allow` comment (valid or not).
    package static func isComment(_ line: String) -> Bool { commentBody(line) != nil }

    /// The rules of an `allow:` header value.
    package static func header(_ value: String, file: String, line: Int) throws -> [LintRule] {
        let ids = value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
        guard !ids.isEmpty else {
            throw ShoalError(.migrationFile, "`-- allow:` names no rule; list rule ids, as in `-- allow: drop rename`.",
                             file: file, line: line)
        }
        return try ids.map { try LintRule.named($0, file: file, line: line) }
    }

    /// What follows `shoal:allow` and blanks, for a line that is `--`,
    /// optional blanks, `shoal:allow`, then a blank or the end.
    private static func commentBody(_ line: String) -> Substring? {
        // Every line of every file passes here: look before copying anything.
        var rest = Substring(line).drop(while: { $0 == " " || $0 == "\t" })
        guard rest.hasPrefix("--") else { return nil }
        rest = rest.dropFirst(2).drop(while: { $0 == " " || $0 == "\t" })
        guard rest.hasPrefix("shoal:allow") else { return nil }
        rest = rest.dropFirst("shoal:allow".count)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        return rest.drop(while: { $0 == " " || $0 == "\t" })
    }
}
