import Foundation

/// Finds, reads and validates config.json (SPEC §2) into a ``FleetConfig``.
///
/// Everything a user can get wrong in the file is reported here, before any
/// connection is opened: malformed JSON with its line and column, unknown
/// keys with a suggestion, wrong types, unset variables, and the rules that
/// tie databases together (`after`, `tenants.from`). Errors are
/// `ShoalError(.config)` carrying the file and line.
///
/// ```swift
/// let path = ConfigLoader.locate(explicit: nil, environment: env, currentDirectory: cwd)
/// let config = try ConfigLoader.load(path: path, environment: env)
/// ```
public enum ConfigLoader: Sendable {
    static let topLevelKeys = ["concurrency", "databases", "lock_timeout_ms", "statement_timeout_ms", "lock_retries"]

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
    public static func load(path: String, environment: [String: String]) throws -> FleetConfig {
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
        return try parse(data, file: path, environment: environment)
    }

    /// Validates config bytes as if they were read from `file`: `file` names
    /// the config in errors and its directory anchors relative paths.
    public static func parse(_ data: Data, file: String, environment: [String: String]) throws -> FleetConfig {
        let file = FilePath.absolute(file, relativeTo: FileManager.default.currentDirectoryPath)
        let directory = FilePath.directory(of: file)
        let document: JSONNode
        do {
            document = try JSONParser.parse(Array(data))
        } catch {
            throw ShoalError(.config, error.message, file: file, line: error.line)
        }
        let root = try ConfigObject(try expandVariables(in: document, keyPath: "", file: file, environment: environment),
                                    keyPath: "", file: file)
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
                                                        defaults: settings, directory: directory, file: file))
        }
        let databases = try checkReferences(parsed, file: file)
        return FleetConfig(file: file, directory: directory, concurrency: concurrency, settings: settings,
                           databases: databases)
    }

    /// `${VAR}` in every string value, before any validation reads it; keys are left alone.
    static func expandVariables(in node: JSONNode, keyPath: String, file: String,
                                environment: [String: String]) throws -> JSONNode {
        var node = node
        switch node.value {
        case .string(let text):
            do {
                node.value = .string(try EnvironmentExpander.expand(text, keyPath: keyPath, environment: environment))
            } catch var error as ShoalError {
                error.file = file
                error.line = node.line
                throw error
            }
        case .array(let elements):
            node.value = .array(try elements.enumerated().map { index, element in
                try expandVariables(in: element, keyPath: "\(keyPath)[\(index)]", file: file, environment: environment)
            })
        case .object(let members):
            node.value = .object(try members.map { member in
                var member = member
                let path = keyPath.isEmpty ? member.key : "\(keyPath).\(member.key)"
                member.node = try expandVariables(in: member.node, keyPath: path, file: file, environment: environment)
                return member
            })
        case .null, .bool, .integer, .number:
            break
        }
        return node
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
