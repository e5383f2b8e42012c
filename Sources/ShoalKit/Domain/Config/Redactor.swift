/// Hides passwords in any text before it is printed, logged or put in an
/// error: shoal's errors are detailed on purpose, so they must never carry a
/// secret from a URL or a libpq conninfo string (SPEC §2).
///
/// Redaction errs on the side of hiding: anything after `password=` up to the
/// end of the value is replaced, whatever the surrounding text is.
public enum Redactor: Sendable {
    /// The mask that replaces a secret.
    static let mask = "***"

    /// `text` with every password replaced by `***`:
    /// - URLs: `postgres://user:secret@host/db` → `postgres://user:***@host/db`;
    /// - conninfo: `password=secret`, `password = 'se cret'` → `password=***`;
    /// - URL query parameters: `?password=secret&…` → `?password=***&…`.
    public static func redact(_ text: String) -> String {
        guard text.contains("://") || text.lowercased().contains("password") else { return text }
        return redactPasswordParameters(redactURLUserInfo(Array(text)))
    }

    /// Replaces the password of every `scheme://user:password@host`.
    ///
    /// The authority ends at the first `/`, `?` or `#` (as browsers and libpq
    /// read a URL) and the user info at the last `@` in it, so a raw `@` in a
    /// password is hidden too.
    private static func redactURLUserInfo(_ characters: [Character]) -> [Character] {
        var output: [Character] = []
        var index = 0
        while index < characters.count {
            guard let authorityStart = schemeEnd(in: characters, at: index) else {
                output.append(characters[index])
                index += 1
                continue
            }
            output.append(contentsOf: characters[index..<authorityStart])
            var end = authorityStart
            while end < characters.count, !isURLTerminator(characters[end]), !"/?#".contains(characters[end]) { end += 1 }
            let authority = characters[authorityStart..<end]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                output.append(contentsOf: characters[authorityStart...colon])
                output.append(contentsOf: mask)
                output.append(contentsOf: characters[at..<end])
            } else {
                output.append(contentsOf: authority)
            }
            index = end
        }
        return output
    }

    /// If a `scheme://` starts at `index`, the index just after `://`.
    private static func schemeEnd(in characters: [Character], at index: Int) -> Int? {
        guard characters[index].isASCII, characters[index].isLetter else { return nil }
        if index > 0, isSchemeCharacter(characters[index - 1]) { return nil }
        var end = index
        while end < characters.count, isSchemeCharacter(characters[end]) { end += 1 }
        guard end + 2 < characters.count, characters[end] == ":", characters[end + 1] == "/", characters[end + 2] == "/" else {
            return nil
        }
        return end + 3
    }

    private static func isSchemeCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "+-.".contains(character))
    }

    /// Only whitespace ends a URL here: a quote may be part of a raw password.
    private static func isURLTerminator(_ character: Character) -> Bool {
        character.isWhitespace
    }

    /// Replaces the value of every `password=` (any case, `sslpassword` too),
    /// in conninfo (value ends at whitespace, or is a quoted string) or in a
    /// URL query (value ends at `&` or `#`).
    private static func redactPasswordParameters(_ characters: [Character]) -> String {
        let keyword = Array("password")
        var output = ""
        var index = 0
        while index < characters.count {
            guard index + keyword.count <= characters.count,
                  characters[index..<(index + keyword.count)].map({ Character($0.lowercased()) }) == keyword else {
                output.append(characters[index])
                index += 1
                continue
            }
            var cursor = index + keyword.count
            while cursor < characters.count, characters[cursor] == " " || characters[cursor] == "\t" { cursor += 1 }
            guard cursor < characters.count, characters[cursor] == "=" else {
                output.append(characters[index])
                index += 1
                continue
            }
            let inQuery = index > 0 && (characters[index - 1] == "?" || characters[index - 1] == "&")
            cursor += 1
            while cursor < characters.count, characters[cursor] == " " || characters[cursor] == "\t" { cursor += 1 }
            output += "password=" + mask
            index = endOfValue(in: characters, from: cursor, inQuery: inQuery)
        }
        return output
    }

    private static func endOfValue(in characters: [Character], from start: Int, inQuery: Bool) -> Int {
        var cursor = start
        if !inQuery, cursor < characters.count, characters[cursor] == "'" {
            cursor += 1
            while cursor < characters.count, characters[cursor] != "'" {
                cursor += characters[cursor] == "\\" ? 2 : 1
            }
            return min(cursor + 1, characters.count)
        }
        while cursor < characters.count, !characters[cursor].isWhitespace {
            if inQuery && (characters[cursor] == "&" || characters[cursor] == "#") { break }
            cursor += 1
        }
        return cursor
    }
}
