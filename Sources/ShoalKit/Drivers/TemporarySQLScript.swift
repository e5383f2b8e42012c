// TEMPORARY: a stand-in so that the `sqlite` branch builds until the real
// `SQLScript.split(_:)` lands in Sources/ShoalKit/Domain/Migrations/SQLScript.swift
// (graph branch). The integrator deletes this whole file; nothing else
// depends on it beyond the `SQLScript.split` call in VersionStore.

/// TEMPORARY stand-in for the shared SQL script splitter (see the note at the
/// top of this file).
enum SQLScript {
    /// Splits `sql` on `;` outside quotes ('…', "…", `…`), dollar quotes
    /// ($$…$$, $tag$…$tag$), line comments and (nested) block comments.
    /// Returns the statements trimmed and without their `;`, dropping pieces
    /// that hold only whitespace and comments. Does not know SQLite's
    /// `CREATE TRIGGER … BEGIN …; END` nor PostgreSQL's `E'\''` escapes.
    static func split(_ sql: String) -> [String] {
        let scalars = Array(sql.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var index = 0

        func take(_ count: Int) {
            let end = min(index + count, scalars.count)
            current.append(contentsOf: scalars[index..<end])
            index = end
        }
        func starts(_ text: String, at position: Int) -> Bool {
            let pattern = Array(text.unicodeScalars)
            guard position + pattern.count <= scalars.count else { return false }
            return Array(scalars[position..<position + pattern.count]) == pattern
        }
        func isIdentifier(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_" || scalar == "$"
        }
        /// `$tag$` starting at `index`, if there is one.
        func dollarTag() -> String? {
            if index > 0, isIdentifier(scalars[index - 1]) { return nil }
            var end = index + 1
            while end < scalars.count, scalars[end] != "$" {
                let scalar = scalars[end]
                let valid = scalar == "_" || scalar.properties.isAlphabetic
                    || (end > index + 1 && scalar.properties.numericType != nil)
                if !valid { return nil }
                end += 1
            }
            guard end < scalars.count else { return nil }
            return String(String.UnicodeScalarView(scalars[index...end]))
        }

        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "'", "\"", "`":
                hasCode = true
                take(1)
                while index < scalars.count {
                    let closing = scalars[index] == scalar
                    take(1)
                    if closing {
                        if index < scalars.count, scalars[index] == scalar { take(1) } else { break }
                    }
                }
            case "-" where starts("--", at: index):
                while index < scalars.count, scalars[index] != "\n" { take(1) }
            case "/" where starts("/*", at: index):
                var depth = 0
                repeat {
                    if starts("/*", at: index) {
                        depth += 1
                        take(2)
                    } else if starts("*/", at: index) {
                        depth -= 1
                        take(2)
                    } else {
                        take(1)
                    }
                } while depth > 0 && index < scalars.count
            case "$":
                hasCode = true
                if let tag = dollarTag() {
                    take(tag.unicodeScalars.count)
                    while index < scalars.count, !starts(tag, at: index) { take(1) }
                    take(tag.unicodeScalars.count)
                } else {
                    take(1)
                }
            case ";":
                if hasCode { statements.append(String(current).trimmingWhitespace()) }
                current = String.UnicodeScalarView()
                hasCode = false
                index += 1
            default:
                if !scalar.properties.isWhitespace { hasCode = true }
                take(1)
            }
        }
        if hasCode { statements.append(String(current).trimmingWhitespace()) }
        return statements
    }
}

private extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
