/// Splits SQL scripts into statements, for `transaction: false` migrations
/// (SPEC §5): PostgreSQL runs a multi-statement string as one implicit
/// transaction, where `CREATE INDEX CONCURRENTLY` is refused, so such a
/// migration is sent one statement at a time.
///
/// A `;` ends a statement only outside of:
/// - single-quoted strings (`'it''s'`), and `E'...'` strings with backslash escapes;
/// - double-quoted identifiers (`"a;b"`, `""` escapes) and SQLite's backquoted ones;
/// - dollar quotes (`$$ ... $$`, `$body$ ... $body$`), as in `CREATE FUNCTION` bodies;
/// - `--` line comments and `/* ... */` block comments, which nest as in PostgreSQL.
///
/// SQLite's `CREATE TRIGGER ... BEGIN ...; END` is not recognised: keep
/// triggers in transactional migrations, which run the section as one script.
///
/// ```swift
/// SQLScript.split("CREATE INDEX CONCURRENTLY i ON t (a); -- done;\nSELECT ';'")
/// // ["CREATE INDEX CONCURRENTLY i ON t (a)", "-- done;\nSELECT ';'"]
/// ```
package enum SQLScript {
    /// The statements of `sql`, trimmed, without their final `;`. Empty
    /// statements and statements made only of comments are dropped.
    package static func split(_ sql: String) -> [String] {
        var scanner = Scanner(bytes: Array(sql.utf8))
        return scanner.statements().compactMap { range in
            let text = MigrationText.trimmed(String(decoding: scanner.bytes[range.start..<range.end], as: UTF8.self))
            return text.isEmpty ? nil : text
        }
    }

    /// The statements of `sql` as ``split(_:)`` finds them, each with the
    /// line its code starts on and the comment lines directly above it, for
    /// `shoal lint`. Slower than `split`: only lint asks for it.
    package static func locatedStatements(_ sql: String) -> [LocatedStatement] {
        var scanner = Scanner(bytes: Array(sql.utf8))
        var located: [LocatedStatement] = []
        var lines = LineCounter(bytes: scanner.bytes)
        for range in scanner.statements() {
            let code = MigrationText.trimmed(String(decoding: scanner.bytes[range.firstCode..<range.end], as: UTF8.self))
            guard !code.isEmpty else { continue }
            let line = lines.line(at: range.firstCode)
            let lead = String(decoding: scanner.bytes[range.start..<range.firstCode], as: UTF8.self)
            located.append(LocatedStatement(text: code, line: line,
                                            commentsAbove: commentLines(endingAbove: line, in: lead,
                                                                        leadStartsLine: range.start == 0)))
        }
        return located
    }

    /// The run of whole-line `--` comments of `lead` (the text between the
    /// previous statement's `;` and a statement's code) that ends on the line
    /// above `codeLine`, in file order. A comment after the previous `;` on
    /// its line is that statement's, not this one's; a blank line ends the run.
    private static func commentLines(endingAbove codeLine: Int, in lead: String, leadStartsLine: Bool) -> [LocatedStatement.Comment] {
        var pieces = MigrationText.lines(lead)
        // The piece before the code, on the code's line, is not above it.
        if let last = lead.utf8.last, last != UInt8(ascii: "\n"), last != UInt8(ascii: "\r"), !pieces.isEmpty { pieces.removeLast() }
        var comments: [LocatedStatement.Comment] = []
        for (offset, piece) in pieces.enumerated().reversed() {
            guard offset > 0 || leadStartsLine else { break }
            let trimmed = MigrationText.trimmed(piece)
            guard trimmed.hasPrefix("--") else { break }
            comments.append(.init(line: codeLine - (pieces.count - offset), text: trimmed))
        }
        return comments.reversed()
    }

    /// True when `sql` has nothing to run: only blanks and comments. A merge
    /// revision's `up` is typically empty.
    /// Stops at the first code: a step asks this of its SQL every time it
    /// runs, and a migration with a backfill can be long.
    package static func isEmpty(_ sql: String) -> Bool {
        var scanner = Scanner(bytes: Array(sql.utf8))
        // Unsure (a non-ASCII byte first, maybe a Unicode blank): split.
        guard let containsCode = scanner.containsCode() else { return split(sql).isEmpty }
        return !containsCode
    }

    /// 1-based line numbers of byte offsets, asked in increasing order;
    /// `\r\n`, `\r` and `\n` each end a line, as in ``MigrationText/lines(_:)``.
    private struct LineCounter {
        let bytes: [UInt8]
        var offset = 0
        var line = 1

        mutating func line(at target: Int) -> Int {
            while offset < target {
                let byte = bytes[offset]
                if byte == UInt8(ascii: "\n") && (offset == 0 || bytes[offset - 1] != UInt8(ascii: "\r")) || byte == UInt8(ascii: "\r") {
                    line += 1
                }
                offset += 1
            }
            return line
        }
    }

    /// Byte offsets of one statement in the script: `start` just after the
    /// previous `;`, `firstCode` at its first byte that is not a blank or a
    /// comment, `end` at its `;` or the end of the script.
    struct StatementRange {
        var start: Int
        var firstCode: Int
        var end: Int
    }

    /// Walks a script's bytes, skipping strings, quoted identifiers, dollar
    /// quotes and comments; ``SQLTokenizer`` reads statements with it too.
    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        /// The statements that have code, in order.
        mutating func statements() -> [StatementRange] {
            var result: [StatementRange] = []
            var start = 0
            var firstCode: Int?
            func markCode() {
                if firstCode == nil { firstCode = index }
            }
            func flush(_ end: Int) {
                if let firstCode { result.append(StatementRange(start: start, firstCode: firstCode, end: end)) }
                firstCode = nil
            }
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: ";"):
                    flush(index)
                    index += 1
                    start = index
                case UInt8(ascii: "'"):
                    markCode()
                    skipQuoted(UInt8(ascii: "'"), backslashEscapes: isEscapeStringPrefix(before: index))
                case UInt8(ascii: "\""), UInt8(ascii: "`"):
                    markCode()
                    skipQuoted(byte, backslashEscapes: false)
                case UInt8(ascii: "-") where peek(1) == UInt8(ascii: "-"):
                    skipLineComment()
                case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                    skipBlockComment()
                case UInt8(ascii: "$"):
                    markCode()
                    if let tag = dollarTag() {
                        skipDollarQuoted(tag)
                    } else {
                        index += 1
                    }
                default:
                    if !isBlank(byte) { markCode() }
                    index += 1
                }
            }
            flush(bytes.count)
            return result
        }

        /// Whether anything but blanks, comments and `;` comes before the
        /// end: exactly when ``statements()`` would return some. Nil when
        /// the first such byte is not ASCII (it may start a Unicode blank,
        /// which trimming removes).
        mutating func containsCode() -> Bool? {
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: ";"):
                    index += 1
                case UInt8(ascii: "-") where peek(1) == UInt8(ascii: "-"):
                    skipLineComment()
                case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                    skipBlockComment()
                default:
                    if !isBlank(byte) { return byte < 0x80 ? true : nil }
                    index += 1
                }
            }
            return false
        }

        func peek(_ offset: Int) -> UInt8? {
            index + offset < bytes.count ? bytes[index + offset] : nil
        }

        /// Skips a quoted run starting at `index`; a doubled quote is an escaped quote.
        mutating func skipQuoted(_ quote: UInt8, backslashEscapes: Bool) {
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                if backslashEscapes && byte == UInt8(ascii: "\\") {
                    index += 2
                } else if byte == quote {
                    if peek(1) == quote {
                        index += 2
                    } else {
                        index += 1
                        return
                    }
                } else {
                    index += 1
                }
            }
            index = bytes.count
        }

        mutating func skipLineComment() {
            while index < bytes.count && bytes[index] != UInt8(ascii: "\n") && bytes[index] != UInt8(ascii: "\r") {
                index += 1
            }
        }

        mutating func skipBlockComment() {
            var depth = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                    depth += 1
                    index += 2
                } else if bytes[index] == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                    depth -= 1
                    index += 2
                    if depth == 0 { return }
                } else {
                    index += 1
                }
            }
        }

        /// The opening `$tag$` at `index` (bytes included), or nil when the `$`
        /// is not a dollar quote: a parameter (`$1`) or part of an identifier (`a$b$`).
        func dollarTag() -> ArraySlice<UInt8>? {
            if index > 0 && isIdentifierByte(bytes[index - 1]) { return nil }
            var end = index + 1
            while end < bytes.count && bytes[end] != UInt8(ascii: "$") {
                let byte = bytes[end]
                let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
                if !isIdentifierByte(byte) || (isDigit && end == index + 1) { return nil }
                end += 1
            }
            guard end < bytes.count else { return nil }
            return bytes[index...end]
        }

        mutating func skipDollarQuoted(_ tag: ArraySlice<UInt8>) {
            index += tag.count
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "$") && bytes[index...].starts(with: tag) {
                    index += tag.count
                    return
                }
                index += 1
            }
        }

        /// True when the quote at `quoteIndex` opens a PostgreSQL `E'...'` string.
        func isEscapeStringPrefix(before quoteIndex: Int) -> Bool {
            guard quoteIndex > 0, bytes[quoteIndex - 1] == UInt8(ascii: "E") || bytes[quoteIndex - 1] == UInt8(ascii: "e")
            else { return false }
            return quoteIndex < 2 || !isIdentifierByte(bytes[quoteIndex - 2])
        }

        func isIdentifierByte(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte >= 0x80
        }

        func isBlank(_ byte: UInt8) -> Bool {
            byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
        }
    }
}
