import Foundation

/// One token of a SQL statement, as `shoal lint` reads it.
package struct SQLToken: Sendable, Hashable {
    package enum Kind: Sendable, Hashable {
        /// A keyword or an unquoted name, lowercased as PostgreSQL folds it.
        case word
        /// A `"quoted"` (or SQLite `` `quoted` ``) name, unescaped, case kept.
        case quotedName
        /// A string constant: `'…'`, `E'…'`, `$tag$…$tag$`. Never a keyword.
        case string
        case number
        /// Any other character: `(`, `)`, `,`, `.`, `=`, `::`'s colons, …
        case symbol
    }

    package var kind: Kind
    /// Lowercased for a word, unescaped for a quoted name, the source text otherwise.
    package var text: String

    /// True for the unquoted word `keyword` (lowercase).
    package func isWord(_ keyword: String) -> Bool { kind == .word && text == keyword }

    /// True for the symbol `character`.
    package func isSymbol(_ character: String) -> Bool { kind == .symbol && text == character }

    /// True for a word or a quoted name: what can name a table or column.
    package var isName: Bool { kind == .word || kind == .quotedName }
}

/// Reads one statement into tokens, at the level `shoal lint` needs: comments
/// are dropped, and strings, dollar quotes and quoted names are single tokens,
/// so that `'CONCURRENTLY'`, `"drop"` or a `-- CONCURRENTLY` comment is never
/// a keyword. It uses ``SQLScript``'s scanner, so both agree on where quotes
/// and comments end.
package enum SQLTokenizer {
    package static func tokens(_ statement: String) -> [SQLToken] {
        var scanner = SQLScript.Scanner(bytes: Array(statement.utf8))
        let bytes = scanner.bytes
        var tokens: [SQLToken] = []
        func text(from start: Int) -> String { String(decoding: bytes[start..<scanner.index], as: UTF8.self) }
        while scanner.index < bytes.count {
            let start = scanner.index
            let byte = bytes[start]
            switch byte {
            case _ where scanner.isBlank(byte):
                scanner.index += 1
            case UInt8(ascii: "-") where scanner.peek(1) == UInt8(ascii: "-"):
                scanner.skipLineComment()
            case UInt8(ascii: "/") where scanner.peek(1) == UInt8(ascii: "*"):
                scanner.skipBlockComment()
            case UInt8(ascii: "'"):
                scanner.skipQuoted(byte, backslashEscapes: false)
                tokens.append(SQLToken(kind: .string, text: text(from: start)))
            case UInt8(ascii: "\""), UInt8(ascii: "`"):
                scanner.skipQuoted(byte, backslashEscapes: false)
                let quote = String(UnicodeScalar(byte))
                let inner = bytes[(start + 1)..<max(start + 1, scanner.index - 1)]
                tokens.append(SQLToken(kind: .quotedName,
                                       text: String(decoding: inner, as: UTF8.self).replacingOccurrences(of: quote + quote, with: quote)))
            case UInt8(ascii: "$"):
                if let tag = scanner.dollarTag() {
                    scanner.skipDollarQuoted(tag)
                    tokens.append(SQLToken(kind: .string, text: text(from: start)))
                } else {
                    scanner.index += 1
                    while scanner.index < bytes.count && isDigit(bytes[scanner.index]) { scanner.index += 1 }
                    tokens.append(SQLToken(kind: .symbol, text: text(from: start)))
                }
            case _ where isDigit(byte):
                while scanner.index < bytes.count && (scanner.isIdentifierByte(bytes[scanner.index]) || bytes[scanner.index] == UInt8(ascii: ".")) {
                    scanner.index += 1
                }
                tokens.append(SQLToken(kind: .number, text: text(from: start)))
            case _ where scanner.isIdentifierByte(byte):
                while scanner.index < bytes.count && (scanner.isIdentifierByte(bytes[scanner.index]) || bytes[scanner.index] == UInt8(ascii: "$")) {
                    scanner.index += 1
                }
                let word = text(from: start).lowercased()
                if scanner.index < bytes.count && bytes[scanner.index] == UInt8(ascii: "'") && ["e", "b", "x", "n"].contains(word) {
                    // A prefixed string constant: E'…' (backslash escapes), B'…', X'…', N'…'.
                    scanner.skipQuoted(UInt8(ascii: "'"), backslashEscapes: word == "e")
                    tokens.append(SQLToken(kind: .string, text: text(from: start)))
                } else {
                    tokens.append(SQLToken(kind: .word, text: word))
                }
            default:
                scanner.index += 1
                tokens.append(SQLToken(kind: .symbol, text: text(from: start)))
            }
        }
        return tokens
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
