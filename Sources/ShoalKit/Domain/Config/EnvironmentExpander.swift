/// Expands environment variables in config strings, so that secrets and
/// per-environment URLs stay out of config.json (SPEC §2).
///
/// Syntax, as in shells and docker compose:
/// - `${VAR}`: the variable; unset is an error (never a silent empty string);
/// - `${VAR:-default}`: the default when VAR is unset or empty (the default may itself use `${…}`);
/// - `${VAR:?message}`: an error carrying `message` when VAR is unset or empty;
/// - `$$`: a literal `$`. A `$` followed by anything else stays as it is.
package enum EnvironmentExpander: Sendable {
    /// Expands every reference in `text`. `keyPath` (e.g. `databases.core.url`)
    /// names the key in errors so the user knows where the variable is used;
    /// one error names every unset variable of `text`.
    ///
    /// ```swift
    /// try EnvironmentExpander.expand("${DB_URL:-postgres://localhost/app}", keyPath: "databases.core.url",
    ///                                environment: ProcessInfo.processInfo.environment)
    /// ```
    package static func expand(_ text: String, keyPath: String, environment: [String: String]) throws -> String {
        var unset: [UnsetVariable] = []
        let expanded = try expand(text, keyPath: keyPath, environment: environment, unset: &unset)
        guard unset.isEmpty else { throw UnsetVariable.error(unset, file: nil) }
        return expanded
    }

    /// Expands `text` as ``expand(_:keyPath:environment:)`` does, but appends
    /// each unset variable to `unset` (the result is then incomplete) instead
    /// of throwing, so that a caller can name every unset variable of a file
    /// at once. A malformed reference still throws.
    static func expand(_ text: String, keyPath: String, environment: [String: String],
                       unset: inout [UnsetVariable]) throws -> String {
        guard text.contains("$") else { return text }
        if nesting(of: text) > maximumNesting {
            throw ShoalError(.config, "variable references in `\(keyPath)` are nested more than \(maximumNesting) deep "
                             + "(${A:-${B:-…}}); flatten them")
        }
        return try expandChecked(text, keyPath: keyPath, environment: environment, unset: &unset)
    }

    /// How deep `${…}` may nest, as in `${A:-${B:-…}}`. Each level of a
    /// default rescans the rest of the text and recurses, so a hostile
    /// string of 100k `${X:-` would otherwise take hours or overflow the stack.
    static let maximumNesting = 16

    /// The deepest nesting of `${` in `text`, in one pass: a `}` closes the
    /// innermost `{`, whether it opened a reference or not, as in expansion.
    private static func nesting(of text: String) -> Int {
        var opened: [Bool] = [] // true: a `${`
        var depth = 0, deepest = 0
        var previousWasDollar = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "{"):
                opened.append(previousWasDollar)
                if previousWasDollar { depth += 1; deepest = max(deepest, depth) }
            case UInt8(ascii: "}"):
                if opened.popLast() == true { depth -= 1 }
            default:
                break
            }
            // `$$` is a literal `$`: the second one opens nothing.
            previousWasDollar = byte == UInt8(ascii: "$") && !previousWasDollar
        }
        return deepest
    }

    private static func expandChecked(_ text: String, keyPath: String, environment: [String: String],
                                      unset: inout [UnsetVariable]) throws -> String {
        guard text.contains("$") else { return text }
        let characters = Array(text)
        var result = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard character == "$", index + 1 < characters.count else {
                result.append(character)
                index += 1
                continue
            }
            switch characters[index + 1] {
            case "$":
                result.append("$")
                index += 2
            case "{":
                let close = try matchingBrace(in: characters, openingAt: index + 1, keyPath: keyPath)
                let body = String(characters[(index + 2)..<close])
                result += try substitute(body, keyPath: keyPath, environment: environment, unset: &unset)
                index = close + 1
            default:
                result.append("$")
                index += 1
            }
        }
        return result
    }

    /// Index of the `}` closing the `{` at `open`, counting nested `${`.
    private static func matchingBrace(in characters: [Character], openingAt open: Int, keyPath: String) throws -> Int {
        var depth = 0
        var index = open
        while index < characters.count {
            switch characters[index] {
            case "{": depth += 1
            case "}":
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
            index += 1
        }
        throw ShoalError(.config, "unterminated `${` in `\(keyPath)`: every `${` needs a closing `}` (write `$$` for a literal `$`)")
    }

    /// The value of one reference; "" for an unset variable, which goes to `unset`.
    private static func substitute(_ body: String, keyPath: String, environment: [String: String],
                                   unset: inout [UnsetVariable]) throws -> String {
        let nameEnd = body.firstIndex { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) } ?? body.endIndex
        let name = String(body[..<nameEnd])
        let rest = body[nameEnd...]
        guard let first = name.first, !first.isNumber else {
            throw ShoalError(.config, "invalid variable reference `${\(body)}` in `\(keyPath)`: expected a name like ${DATABASE_URL}")
        }
        let value = environment[name]
        if rest.isEmpty {
            guard let value else {
                unset.append(UnsetVariable(name: name, keyPath: keyPath))
                return ""
            }
            return value
        }
        if rest.hasPrefix(":-") {
            if let value, !value.isEmpty { return value }
            return try expandChecked(String(rest.dropFirst(2)), keyPath: keyPath, environment: environment, unset: &unset)
        }
        if rest.hasPrefix(":?") {
            if let value, !value.isEmpty { return value }
            unset.append(UnsetVariable(name: name, keyPath: keyPath, message: String(rest.dropFirst(2))))
            return ""
        }
        throw ShoalError(.config, "invalid variable reference `${\(body)}` in `\(keyPath)`: expected ${\(name)}, ${\(name):-default} or ${\(name):?message}")
    }
}
