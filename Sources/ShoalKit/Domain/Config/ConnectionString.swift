/// Reads the database name out of a libpq connection string, either form:
/// a URL (`postgres://user@host:5432/app_{tenant}?sslmode=require`) or a
/// conninfo (`host=db dbname='app_{tenant}'`).
///
/// `layout: database` puts `{tenant}` in the database name, and the name must
/// fit PostgreSQL's 63-byte identifier limit, so both checks need it.
enum ConnectionString {
    /// The database name, percent-decoded for URLs; nil when the string names none
    /// (libpq then uses the user name).
    static func databaseName(in connection: String) -> String? {
        let trimmed = connection.trimmingPrefixWhitespace()
        for scheme in ["postgresql://", "postgres://"] where trimmed.lowercased().hasPrefix(scheme) {
            return urlDatabaseName(String(trimmed.dropFirst(scheme.count)))
        }
        return conninfoParameters(trimmed)["dbname"]
    }

    private static func urlDatabaseName(_ rest: String) -> String? {
        let withoutFragment = rest.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = withoutFragment.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if keyValue.count == 2, percentDecode(keyValue[0]) == "dbname" { return percentDecode(keyValue[1]) }
            }
        }
        guard let slash = parts[0].firstIndex(of: "/") else { return nil }
        let name = percentDecode(parts[0][parts[0].index(after: slash)...])
        return name.isEmpty ? nil : name
    }

    /// `key = value` pairs; values may be single-quoted with backslash escapes.
    static func conninfoParameters(_ text: String) -> [String: String] {
        let characters = Array(text)
        var parameters: [String: String] = [:]
        var index = 0
        func skipSpaces() { while index < characters.count, characters[index].isWhitespace { index += 1 } }
        while true {
            skipSpaces()
            guard index < characters.count else { return parameters }
            var key = ""
            while index < characters.count, characters[index] != "=", !characters[index].isWhitespace {
                key.append(characters[index])
                index += 1
            }
            skipSpaces()
            guard index < characters.count, characters[index] == "=" else { return parameters }
            index += 1
            skipSpaces()
            var value = ""
            let quoted = index < characters.count && characters[index] == "'"
            if quoted { index += 1 }
            while index < characters.count {
                let character = characters[index]
                if quoted ? character == "'" : character.isWhitespace { break }
                if character == "\\", index + 1 < characters.count {
                    index += 1
                }
                value.append(characters[index])
                index += 1
            }
            if quoted { index += 1 }
            parameters[key] = value
        }
    }

    private static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

private extension String {
    func trimmingPrefixWhitespace() -> String {
        String(drop { $0.isWhitespace })
    }
}
