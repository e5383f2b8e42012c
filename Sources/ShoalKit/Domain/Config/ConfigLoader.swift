import Crypto
import Foundation

/// Finds, reads and validates config.json (SPEC §2) into a ``FleetConfig``.
///
/// Everything a user can get wrong in the file is reported here, before any
/// connection is opened: malformed JSON with its line and column, unknown
/// keys with a suggestion, wrong types, unset variables, and the rules that
/// tie databases together (`after`, `tenants.from`). Errors are
/// `ShoalError(.config)` carrying the file and line; one error names every
/// unset variable of the file.
///
/// Connection settings (the `url` of a database, a shard or a replica, and
/// a database's `scratch_url`) are
/// needed only by commands that connect. With `resolvingConnections: false`
/// a connection setting whose variables are unset keeps its text as written
/// and is listed in ``FleetConfig/unresolvedConnections`` instead of being an
/// error, so that `check`, `revision` or `sql` work without production
/// secrets; ``Fleet/targets(_:)`` then refuses with the error a connecting
/// command would have given.
///
/// ```swift
/// let path = ConfigLoader.locate(explicit: nil, environment: env, currentDirectory: cwd)
/// let config = try ConfigLoader.load(path: path, environment: env)
/// ```
public enum ConfigLoader: Sendable {
    static let topLevelKeys = ["concurrency", "databases", "lock_timeout_ms", "statement_timeout_ms", "lock_retries", "lint",
                                 "transaction_mode", "journal_dir", "journal"]

    /// The config file to use: `--config PATH`, then `SHOAL_CONFIG`, then
    /// `./config.json`; relative paths are taken from `currentDirectory`.
    /// Returns an absolute path; whether the file exists is ``load(path:environment:)``'s concern.
    public static func locate(explicit: String?, environment: [String: String], currentDirectory: String) -> String {
        let chosen = [explicit, environment["SHOAL_CONFIG"]].compactMap { $0 }.first { !$0.isEmpty } ?? "config.json"
        let directory = FilePath.absolute(currentDirectory, relativeTo: FileManager.default.currentDirectoryPath)
        return FilePath.absolute(chosen, relativeTo: directory)
    }

    /// Reads the file at `path` and validates it. A missing file gets an error
    /// naming the path and how to create one (`shoal init`) or point elsewhere.
    /// `resolvingConnections: false` leaves connection settings with unset
    /// variables unresolved (see the type's notes), for commands that never connect.
    public static func load(path: String, environment: [String: String], resolvingConnections: Bool = true) throws -> FleetConfig {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ShoalError(.config, "no config file at \(path); create one with `shoal init`, "
                             + "or pass --config PATH (or set SHOAL_CONFIG)", file: path)
        }
        guard !isDirectory.boolValue else {
            throw ShoalError(.config, "\(path) is a directory, not a config file; pass --config \(path)/config.json",
                             file: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShoalError(.config, "cannot read config file \(path) (check its permissions)", file: path)
        }
        return try parse(data, file: path, environment: environment, resolvingConnections: resolvingConnections)
    }

    /// Validates config bytes as if they were read from `file`: `file` names
    /// the config in errors and its directory anchors relative paths.
    public static func parse(_ data: Data, file: String, environment: [String: String],
                             resolvingConnections: Bool = true) throws -> FleetConfig {
        let file = FilePath.absolute(file, relativeTo: FileManager.default.currentDirectoryPath)
        let directory = FilePath.directory(of: file)
        let document: JSONNode
        do {
            document = try JSONParser.parse(Array(data))
        } catch {
            throw ShoalError(.config, error.message, file: file, line: error.line)
        }
        let (expanded, unresolved) = try expandVariables(in: document, file: file, environment: environment,
                                                         resolvingConnections: resolvingConnections)
        let root = try ConfigObject(expanded, keyPath: "", file: file)
        try root.checkKeys(allowed: topLevelKeys)
        let concurrency = try root.integer("concurrency", in: 1...Int.max, rule: "a positive integer") ?? 8
        let settings = try DatabaseEntryParser.sessionSettings(root, defaults: SessionSettings())
        guard let databasesObject = try root.object("databases") else {
            throw root.error("`databases` is required: an object naming each database (see `shoal init` for an example)")
        }
        guard !databasesObject.members.isEmpty else {
            throw databasesObject.error("`databases` is empty; configure at least one database")
        }
        var parsed: [ParsedDatabase] = []
        for member in databasesObject.members {
            if parsed.contains(where: { $0.config.name == member.key }) {
                throw databasesObject.error("duplicate key `\(member.key)` in `databases`", line: member.line)
            }
            parsed.append(try DatabaseEntryParser.parse(name: member.key, node: member.node, nameLine: member.line,
                                                        defaults: settings, directory: directory, file: file,
                                                        unresolved: Set(unresolved.map(\.keyPath))))
        }
        let databases = try checkReferences(parsed, file: file)
        return FleetConfig(file: file, directory: directory, concurrency: concurrency, settings: settings,
                           databases: databases, unresolvedConnections: unresolved,
                           journalDirectory: try journalDirectory(root, directory: directory),
                           configSHA256: SHA256.hash(data: data).lowercaseHex)
    }

    /// Where runs write their journals (SPEC §11): `journal_dir`, relative
    /// to config.json's folder, by default `.shoal/runs`; nil with
    /// `"journal": false`.
    private static func journalDirectory(_ root: ConfigObject, directory: String) throws -> String? {
        let folder = try root.nonEmptyString("journal_dir")
        if let node = root["journal"] {
            guard case .bool(let on) = node.value else {
                throw root.typeError("journal", node, expected: "a boolean (`false` turns the run journal off)")
            }
            if !on {
                if folder != nil {
                    throw root.error("`journal_dir` names a journal folder but `\"journal\": false` turns the journal off; remove one of them",
                                     line: root["journal_dir"]?.line)
                }
                return nil
            }
        }
        return FilePath.absolute(folder ?? ".shoal/runs", relativeTo: directory)
    }

    /// `${VAR}` in every string value, before any validation reads it; keys
    /// are left alone. Every unset variable of the file is named in one error,
    /// except, with `resolvingConnections` false, those of connection settings:
    /// those strings stay as written and their variables are returned.
    static func expandVariables(in document: JSONNode, file: String, environment: [String: String],
                                resolvingConnections: Bool) throws -> (JSONNode, unresolved: [UnsetVariable]) {
        var expansion = VariableExpansion(file: file, environment: environment, resolvingConnections: resolvingConnections)
        let node = try expansion.expand(document, keyPath: "", path: [])
        guard expansion.unset.isEmpty else { throw UnsetVariable.error(expansion.unset, file: file) }
        return (node, expansion.unresolved)
    }

    /// Whether the value at `path` (keys from the top; `[]` for an array
    /// element) is a connection setting: the `url` of a database, of one of
    /// its shards, or of a replica of either, and a database's `scratch_url`.
    static func isConnectionSetting(_ path: [String]) -> Bool {
        if path.count == 3, path[0] == "databases", path[2] == "scratch_url" { return true }
        guard path.count >= 3, path[0] == "databases", path.last == "url" else { return false }
        let between = Array(path[2..<(path.count - 1)])
        switch between.count {
        case 0: return true
        case 2: return between == ["replicas", "[]"] || between[0] == "shards"
        case 4: return between[0] == "shards" && Array(between[2...]) == ["replicas", "[]"]
        default: return false
        }
    }

    /// `after` and `tenants.from` name configured databases; the result is in run order.
    private static func checkReferences(_ parsed: [ParsedDatabase], file: String) throws -> [DatabaseConfig] {
        let names = parsed.map(\.config.name)
        for database in parsed {
            let name = database.config.name
            for dependency in database.after where !names.contains(dependency.name) {
                throw ShoalError(.config, "`databases.\(name).after` names `\(dependency.name)`, which is not a configured database"
                                 + Suggestion.didYouMean(dependency.name, in: names), file: file, line: dependency.line)
            }
            if let from = database.tenantsFrom {
                let source = parsed.first { $0.config.name == from.name }?.config
                let key = "`databases.\(name).tenants.from`"
                guard let source else {
                    throw ShoalError(.config, "\(key) names `\(from.name)`, which is not a configured database"
                                     + Suggestion.didYouMean(from.name, in: names), file: file, line: from.line)
                }
                guard source.name != name else {
                    throw ShoalError(.config, "\(key) names `\(name)` itself; the tenant query runs on another database",
                                     file: file, line: from.line)
                }
                guard source.driver == .postgres else {
                    throw ShoalError(.config, "\(key) names `\(from.name)`, a \(source.driver.rawValue) database; "
                                     + "the tenant query runs on a postgres database", file: file, line: from.line)
                }
                guard !source.isMultiTenant && source.shards.isEmpty else {
                    throw ShoalError(.config, "\(key) names `\(from.name)`, which has several targets (shards or tenants); "
                                     + "the tenant query needs a single database", file: file, line: from.line)
                }
            }
        }
        let order: [String]
        do {
            order = try DependencyOrder.sorted(Dictionary(uniqueKeysWithValues: parsed.map { ($0.config.name, $0.after.map(\.name)) }))
        } catch {
            let first = parsed.first { $0.config.name == error.names[0] }
            throw ShoalError(.config, "`after` forms a cycle: \(error.names.joined(separator: " -> ")); "
                             + "remove one of these dependencies", file: file, line: first?.line)
        }
        return order.compactMap { name in parsed.first { $0.config.name == name }?.config }
    }
}

/// One pass of ``ConfigLoader/expandVariables(in:file:environment:resolvingConnections:)``
/// over a config document, collecting the unset variables as it goes.
private struct VariableExpansion {
    let file: String
    let environment: [String: String]
    let resolvingConnections: Bool
    /// Unset variables that make the config unusable.
    var unset: [UnsetVariable] = []
    /// Unset variables of connection settings left as written.
    var unresolved: [UnsetVariable] = []

    mutating func expand(_ node: JSONNode, keyPath: String, path: [String]) throws -> JSONNode {
        var node = node
        switch node.value {
        case .string(let text):
            var missing: [UnsetVariable] = []
            let expanded: String
            do {
                expanded = try EnvironmentExpander.expand(text, keyPath: keyPath, environment: environment, unset: &missing)
            } catch var error as ShoalError {
                error.file = file
                error.line = node.line
                throw error
            }
            guard !missing.isEmpty else {
                node.value = .string(expanded)
                break
            }
            let line = node.line
            missing = missing.map { variable in
                var variable = variable
                variable.line = line
                return variable
            }
            if !resolvingConnections && ConfigLoader.isConnectionSetting(path) {
                unresolved += missing
            } else {
                unset += missing
            }
        case .array(let elements):
            var expanded: [JSONNode] = []
            expanded.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                expanded.append(try expand(element, keyPath: "\(keyPath)[\(index)]", path: path + ["[]"]))
            }
            node.value = .array(expanded)
        case .object(let members):
            var expanded: [JSONMember] = []
            expanded.reserveCapacity(members.count)
            for var member in members {
                let memberPath = keyPath.isEmpty ? member.key : "\(keyPath).\(member.key)"
                member.node = try expand(member.node, keyPath: memberPath, path: path + [member.key])
                expanded.append(member)
            }
            node.value = .object(expanded)
        case .null, .bool, .integer, .number:
            break
        }
        return node
    }
}
