// TEMPORARY: a stand-in for `Redactor` in Domain/Config, which is written on
// another branch. The integrator deletes this file when that one lands; keep
// the signature identical so nothing else changes.

/// Removes passwords from text that may hold a libpq URL or conninfo
/// (TEMPORARY stand-in, see the note at the top of this file).
///
/// `postgres://user:secret@host/db` becomes `postgres://user:***@host/db` and
/// `password=secret` (bare, quoted, or as a URL query parameter) becomes
/// `password=***`.
public enum Redactor {
    /// The text with every password it holds replaced by `***`.
    public static func redact(_ text: String) -> String {
        redactKeyValuePasswords(in: redactURLPasswords(in: text))
    }

    /// `scheme://user:secret@` → `scheme://user:***@`, for each URL in `text`.
    private static func redactURLPasswords(in text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let schemeEnd = rest.firstRange(of: "://") {
            result += rest[..<schemeEnd.upperBound]
            rest = rest[schemeEnd.upperBound...]
            // The URL runs to the next blank or quote; its user info ends at
            // the last `@` in it, so a password holding `/` or `@` is still caught.
            let urlEnd = rest.firstIndex { $0 == " " || $0 == "\"" || $0 == "'" || $0.isNewline } ?? rest.endIndex
            let url = rest[..<urlEnd]
            if let at = url.lastIndex(of: "@"), let colon = url[..<at].firstIndex(of: ":") {
                result += url[...colon]
                result += "***"
                rest = rest[at...]
            }
        }
        return result + rest
    }

    /// `password=secret`, `password = 'se cret'`, `?password=secret&…` → `password=***`.
    private static func redactKeyValuePasswords(in text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let key = firstCaseInsensitiveRange(of: "password", in: rest) {
            result += rest[..<key.upperBound]
            rest = rest[key.upperBound...]
            var cursor = rest.drop { $0 == " " || $0 == "\t" }
            guard cursor.first == "=" else { continue }
            cursor = cursor.dropFirst().drop { $0 == " " || $0 == "\t" }
            result += "=***"
            if cursor.first == "'" {
                // libpq quoting: backslash escapes the next character.
                var index = cursor.index(after: cursor.startIndex)
                while index < cursor.endIndex, cursor[index] != "'" {
                    if cursor[index] == "\\" { index = cursor.index(after: index) }
                    if index < cursor.endIndex { index = cursor.index(after: index) }
                }
                rest = index < cursor.endIndex ? cursor[cursor.index(after: index)...] : cursor[index...]
            } else {
                rest = cursor.drop { !($0.isWhitespace || $0 == "&" || $0 == "\"") }
            }
        }
        return result + rest
    }

    /// Where `word` (lowercase ASCII) first occurs in `text`, ignoring ASCII case.
    private static func firstCaseInsensitiveRange(of word: String, in text: Substring) -> Range<Substring.Index>? {
        let pattern = Array(word.utf8)
        let bytes = text.utf8
        var start = bytes.startIndex
        while start != bytes.endIndex {
            var index = start
            var matched = 0
            while matched < pattern.count, index != bytes.endIndex,
                  bytes[index] | 0x20 == pattern[matched] {
                matched += 1
                index = bytes.index(after: index)
            }
            if matched == pattern.count { return start..<index }
            start = bytes.index(after: start)
        }
        return nil
    }
}
