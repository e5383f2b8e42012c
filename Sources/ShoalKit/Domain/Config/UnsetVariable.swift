/// A `${VAR}` of config.json that the environment does not set, and the key
/// that uses it. ``ConfigLoader`` collects them over the whole file, so that
/// one error names every variable to set (SPEC §2).
public struct UnsetVariable: Sendable, Hashable {
    /// The variable's name: `CORE_DATABASE_URL`.
    public var name: String
    /// The key path of the string that uses it: `databases.core.url`.
    public var keyPath: String
    /// The message of `${VAR:?message}` (empty for `${VAR:?}`); nil for `${VAR}`.
    public var message: String?
    /// The line of that string in the config file, when known.
    public var line: Int?

    public init(name: String, keyPath: String, message: String? = nil, line: Int? = nil) {
        self.name = name
        self.keyPath = keyPath
        self.message = message
        self.line = line
    }

    /// One config error naming every variable of `unset` and the keys that
    /// use it, at the line of the first: a sentence for one variable
    /// ("environment variable `CORE_URL` is not set (used by
    /// `databases.core.url`); set it, …"), a line each for more.
    static func error(_ unset: [UnsetVariable], file: String?) -> ShoalError {
        var names: [String] = []
        var uses: [String: [UnsetVariable]] = [:]
        var seen: Set<[String]> = []
        for variable in unset where seen.insert([variable.name, variable.keyPath]).inserted {
            if uses[variable.name] == nil { names.append(variable.name) }
            uses[variable.name, default: []].append(variable)
        }
        let line = unset.first?.line
        func keys(_ uses: [UnsetVariable], withLines: Bool) -> String {
            let shown = 5
            var text = "used by " + uses.prefix(shown).map { use in
                "`\(use.keyPath)`" + (withLines ? use.line.map { " at line \($0)" } ?? "" : "")
            }.joined(separator: ", ")
            if uses.count > shown { text += " and \(uses.count - shown) more" }
            return text
        }
        // The longest `${VAR:?message}` of the uses; nil when every use is `${VAR}`.
        func message(_ uses: [UnsetVariable]) -> String? {
            uses.compactMap(\.message).max { $0.count < $1.count }
        }
        if names.count == 1, let name = names.first, let all = uses[name] {
            let lines = all.count > 1
            switch message(all) {
            case nil:
                return ShoalError(.config, "environment variable `\(name)` is not set (\(keys(all, withLines: lines))); "
                                  + "set it, or give a default with ${\(name):-default}", file: file, line: line)
            case let message?:
                let reason = message.isEmpty ? "is not set" : "is not set: \(message)"
                return ShoalError(.config, "environment variable `\(name)` \(reason) (\(keys(all, withLines: lines)))",
                                  file: file, line: line)
            }
        }
        var text = "\(names.count) environment variables are not set; set them, or give defaults with ${VAR:-default}:"
        for name in names {
            let all = uses[name] ?? []
            let reason = message(all).flatMap { $0.isEmpty ? nil : ": \($0)" } ?? ""
            text += "\n  `\(name)`\(reason) (\(keys(all, withLines: true)))"
        }
        return ShoalError(.config, text, file: file, line: line)
    }
}
