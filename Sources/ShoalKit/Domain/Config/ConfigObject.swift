import Foundation

/// A JSON object of a config file being read, with its key path, so that
/// every error can say which key is wrong, where, and what was expected.
///
/// Readers return nil for an absent key and throw for a present one of the
/// wrong type; defaults belong to the caller.
struct ConfigObject {
    let members: [JSONMember]
    /// Dotted key path of this object: "" at top level, `databases.core`, …
    let keyPath: String
    let line: Int
    let file: String

    init(_ node: JSONNode, keyPath: String, file: String) throws {
        guard case .object(let members) = node.value else {
            let name = keyPath.isEmpty ? "the top level of \(FilePath.lastComponent(of: file))" : "`\(keyPath)`"
            throw ShoalError(.config, "\(name) must be an object, not \(node.kindDescription)", file: file, line: node.line)
        }
        self.members = members
        self.keyPath = keyPath
        self.line = node.line
        self.file = file
    }

    /// Where this object is, for messages: `at top level of config.json` or `in databases.core`.
    var location: String {
        keyPath.isEmpty ? "at top level of \(FilePath.lastComponent(of: file))" : "in `\(keyPath)`"
    }

    func path(_ key: String) -> String { keyPath.isEmpty ? key : "\(keyPath).\(key)" }

    func error(_ message: String, line: Int? = nil) -> ShoalError {
        ShoalError(.config, message, file: file, line: line ?? self.line)
    }

    /// Rejects keys outside `allowed` (with a suggestion) and keys written twice.
    func checkKeys(allowed: [String]) throws {
        var seen: [String: Int] = [:]
        for member in members {
            if let first = seen[member.key] {
                throw error("duplicate key `\(member.key)` \(location) (first at line \(first))", line: member.line)
            }
            seen[member.key] = member.line
            guard allowed.contains(member.key) else {
                let suggestion = Suggestion.closest(to: member.key, in: allowed)
                let hint = suggestion.map { "; did you mean `\($0)`?" } ?? "; allowed keys: \(allowed.map { "`\($0)`" }.joined(separator: ", "))"
                let place = keyPath.isEmpty ? location : "at `\(path(member.key))`"
                throw error("unknown key `\(member.key)` \(place)\(hint)", line: member.line)
            }
        }
    }

    subscript(key: String) -> JSONNode? {
        members.first { $0.key == key }?.node
    }

    func has(_ key: String) -> Bool { self[key] != nil }

    func typeError(_ key: String, _ node: JSONNode, expected: String) -> ShoalError {
        error("`\(path(key))` must be \(expected), not \(node.kindDescription)", line: node.line)
    }

    func string(_ key: String) throws -> String? {
        guard let node = self[key] else { return nil }
        guard let text = node.stringValue else { throw typeError(key, node, expected: "a string") }
        return text
    }

    /// A string that must not be empty (after variable expansion).
    func nonEmptyString(_ key: String) throws -> String? {
        guard let text = try string(key) else { return nil }
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            throw error("`\(path(key))` is empty", line: self[key]?.line)
        }
        return text
    }

    /// An integer within `range`; `rule` describes the range in the error ("a positive integer").
    func integer(_ key: String, in range: ClosedRange<Int>, rule: String) throws -> Int? {
        guard let node = self[key] else { return nil }
        guard case .integer(let value) = node.value else { throw typeError(key, node, expected: rule) }
        guard range.contains(value) else {
            throw error("`\(path(key))` must be \(rule), got \(value)", line: node.line)
        }
        return value
    }

    func object(_ key: String) throws -> ConfigObject? {
        guard let node = self[key] else { return nil }
        guard case .object = node.value else { throw typeError(key, node, expected: "an object") }
        return try ConfigObject(node, keyPath: path(key), file: file)
    }

    func array(_ key: String) throws -> [JSONNode]? {
        guard let node = self[key] else { return nil }
        guard case .array(let elements) = node.value else { throw typeError(key, node, expected: "an array") }
        return elements
    }

    /// An array of strings, each with its line.
    func stringArray(_ key: String) throws -> [(value: String, line: Int)]? {
        guard let elements = try array(key) else { return nil }
        return try elements.enumerated().map { index, element in
            guard let text = element.stringValue else {
                throw error("`\(path(key))[\(index)]` must be a string, not \(element.kindDescription)", line: element.line)
            }
            return (text, element.line)
        }
    }
}
