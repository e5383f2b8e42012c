/// One statement of a migration's `up`, as ``SQLScript/split(_:)`` cuts it,
/// with the file line an editor can jump to and the rules its
/// `-- shoal:allow` comments allow. `shoal lint --observe` runs and reports
/// migrations statement by statement.
package struct UpStatement: Sendable, Hashable {
    /// The statement from its first code to its end, without the final `;`
    /// (the comment lines above it are not part of it).
    package var text: String
    /// 1-based line of the file where the statement's code starts (after
    /// the comments above it).
    package var line: Int
    /// The rules of the `-- shoal:allow` comments directly above the statement.
    package var allowedRules: Set<LintRule>

    /// The statements of `migration.up`, in order. Throws only for an allow
    /// comment ``MigrationParser`` would have refused.
    package static func statements(of migration: Migration) throws -> [UpStatement] {
        let up = migration.up
        var result: [UpStatement] = []
        var searchFrom = up.startIndex
        // Line of the file where `searchFrom` is.
        var line = migration.upLine
        for text in SQLScript.split(up) {
            // Statements are trimmed slices of `up`, in order.
            guard let range = up.range(of: text, range: searchFrom..<up.endIndex) else { continue }
            line += newlines(in: up[searchFrom..<range.lowerBound])
            // Whole-line comments above the code: allow comments, and not part of the statement's text.
            var code = text[...]
            var codeLine = line
            var allowed: Set<LintRule> = []
            while let end = code.firstIndex(where: \.isNewline) {
                let first = code[..<end]
                let trimmed = first.drop(while: { $0 == " " || $0 == "\t" })
                guard trimmed.isEmpty || trimmed.hasPrefix("--") else { break }
                // Only the comments directly above the code allow.
                if trimmed.isEmpty { allowed = [] }
                if let rules = try LintAllowance.comment(String(first), file: migration.path, lineNumber: codeLine) {
                    allowed.formUnion(rules)
                }
                code = code[code.index(after: end)...]
                codeLine += 1
            }
            result.append(UpStatement(text: String(code), line: codeLine, allowedRules: allowed))
            line += newlines(in: up[range])
            searchFrom = range.upperBound
        }
        return result
    }

    /// The number of line feeds in `text` (a CRLF counts once).
    private static func newlines(in text: Substring) -> Int {
        text.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
}
