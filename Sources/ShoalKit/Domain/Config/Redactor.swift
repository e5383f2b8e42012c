/// Hides passwords in any text before it is printed, logged or put in an
/// error: shoal's errors are detailed on purpose, so they must never carry a
/// secret from a URL or a libpq conninfo string (SPEC §2).
///
/// Redaction errs on the side of hiding: anything after `password=` up to the
/// end of the value is replaced, whatever the surrounding text is.
package enum Redactor: Sendable {
    /// The mask that replaces a secret.
    static let mask = "***"

    /// `text` with every password replaced by `***`:
    /// - URLs: `postgres://user:secret@host/db` → `postgres://user:***@host/db`;
    /// - conninfo: `password=secret`, `password = 'se cret'` → `password=***`;
    /// - URL query parameters: `?password=secret&…` → `?password=***&…`;
    /// - libpq's passphrase of a client key, `sslpassword`, in either form.
    ///
    /// Keywords match in any case, though libpq knows only lower-case ones:
    /// a misspelt `SSLPassword=` is hidden all the same.
    package static func redact(_ text: String) -> String {
        scan(text).redacted
    }

    /// The passwords ``redact(_:)`` hides in `text`, as written there (a URL's
    /// still percent-encoded). The PostgreSQL driver removes them from libpq's
    /// messages too, which may quote a password on its own
    /// (`invalid percent-encoded token: "pa%zz"`).
    static func secrets(in text: String) -> [String] {
        scan(text).secrets
    }

    private static func scan(_ text: String) -> (redacted: String, secrets: [String]) {
        guard text.contains("://") || text.lowercased().contains("password") else { return (text, []) }
        var secrets: [String] = []
        let withoutURLPasswords = redactURLUserInfo(Array(text), secrets: &secrets)
        return (redactPasswordParameters(withoutURLPasswords, secrets: &secrets), secrets)
    }

    /// Replaces the password of every `scheme://user:password@host`, whatever
    /// the scheme (or the text just before `://`).
    ///
    /// The authority ends at the first `/`, as libpq reads a URL (a raw `?` or
    /// `#` is part of a libpq password). When it has user info (an `@`), or a
    /// `:` not followed by a port (a password with a raw `/`, which libpq
    /// cannot read but does echo), the user info is taken to end at the last
    /// `@` of the whole URL: a raw `@`, `/` or `?` in a password is hidden
    /// too, at the cost of also hiding the host when a query value holds an
    /// `@` (`?application_name=a@b`).
    private static func redactURLUserInfo(_ characters: [Character], secrets: inout [String]) -> [Character] {
        var output: [Character] = []
        output.reserveCapacity(characters.count)
        var index = 0
        while index < characters.count {
            guard characters[index] == ":", index + 2 < characters.count,
                  characters[index + 1] == "/", characters[index + 2] == "/" else {
                output.append(characters[index])
                index += 1
                continue
            }
            let start = index + 3
            output.append(contentsOf: characters[index..<start])
            var end = start
            while end < characters.count, !characters[end].isWhitespace { end += 1 }
            let url = characters[start..<end]
            let slash = url.firstIndex(of: "/") ?? end
            if let at = userInfoEnd(in: url, slash: slash), let colon = url[..<at].firstIndex(of: ":") {
                output.append(contentsOf: characters[start...colon])
                output.append(contentsOf: mask)
                let secret = String(characters[(colon + 1)..<at])
                if secret != mask { secrets.append(secret) }
                index = at
            } else {
                output.append(contentsOf: characters[start..<slash])
                index = slash
            }
        }
        return output
    }

    /// The index of the `@` that ends the user info of `url` (the text after
    /// `://`, up to whitespace), or nil when it has none.
    private static func userInfoEnd(in url: ArraySlice<Character>, slash: Int) -> Int? {
        let authority = url[..<slash]
        if !authority.contains("@") {
            guard authority.first != "[", let colon = authority.firstIndex(of: ":") else { return nil }
            let afterColon = authority[(colon + 1)...]
            if !afterColon.isEmpty && afterColon.allSatisfy({ $0.isASCII && $0.isNumber }) { return nil } // host:port
        }
        return url.lastIndex(of: "@")
    }

    /// Replaces the value of every `password=` (any case, `sslpassword` too),
    /// in conninfo (value ends at whitespace, or is a quoted string) or in a
    /// URL query (value ends at `&` or `#`).
    private static func redactPasswordParameters(_ characters: [Character], secrets: inout [String]) -> String {
        let keyword = Array("password")
        var output = ""
        var index = 0
        while index < characters.count {
            guard characters[index] == "p" || characters[index] == "P", index + keyword.count <= characters.count,
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
            // `sslpassword` (libpq's passphrase of a client key) is a query parameter too.
            let parameter = index >= 3 && String(characters[(index - 3)..<index]).lowercased() == "ssl" ? index - 3 : index
            let inQuery = parameter > 0 && (characters[parameter - 1] == "?" || characters[parameter - 1] == "&")
            cursor += 1
            while cursor < characters.count, characters[cursor] == " " || characters[cursor] == "\t" { cursor += 1 }
            output += "password=" + mask
            let end = endOfValue(in: characters, from: cursor, inQuery: inQuery)
            let value = String(characters[cursor..<end])
            if value != mask { secrets.append(value) }
            index = end
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
            // libpq ends a query value at `&` only: a `#` is part of it.
            if inQuery && characters[cursor] == "&" { break }
            cursor += 1
        }
        return cursor
    }
}
