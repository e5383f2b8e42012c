import Foundation

/// Reads, validates and writes tenant registries: the JSON files that list
/// the tenants of a multi-tenant database (SPEC §2),
/// `["acme", {"name": "globex", "shard": "eu-1"}]`.
///
/// Every list of tenants, whether from a registry or a tenant query, goes
/// through ``validate(_:database:source:)`` before shoal builds a target from it.
package enum TenantRegistry: Sendable {
    /// Reads the registry at `path` (absolute) for `database` and validates it.
    /// Errors name the file and, where possible, the line.
    package static func load(path: String, database: DatabaseConfig) throws -> [Tenant] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ShoalError(.config, "the tenant registry of database `\(database.name)` does not exist at \(path); "
                             + "create it with `shoal tenants add NAME --db \(database.name)`, or write `[]` to it", file: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShoalError(.config, "cannot read the tenant registry \(path) (check its permissions)", file: path)
        }
        let document: JSONNode
        do {
            document = try JSONParser.parse(Array(data))
        } catch {
            throw ShoalError(.config, error.message, file: path, line: error.line)
        }
        guard case .array(let elements) = document.value else {
            throw ShoalError(.config, "a tenant registry must be a JSON array, like [\"acme\", {\"name\": \"globex\", "
                             + "\"shard\": \"eu-1\"}], not \(document.kindDescription)", file: path, line: document.line)
        }
        let tenants = try elements.enumerated().map { index, element in
            try tenant(from: element, index: index, file: path)
        }
        return try validate(tenants, database: database, source: path, file: path, lines: elements.map(\.line))
    }

    /// Checks a tenant list from any source for `database`: names, duplicates
    /// and shards. On a one-shard database, tenants without a shard get it.
    /// `source` (a file, "the tenant query of accounts") names the list in errors.
    package static func validate(_ tenants: [Tenant], database: DatabaseConfig, source: String) throws -> [Tenant] {
        try validate(tenants, database: database, source: source, file: nil, lines: nil)
    }

    /// The registry file's contents for `tenants`, one tenant per line:
    /// a plain string for a tenant without a shard, an object otherwise.
    /// Pure; the caller writes the file.
    package static func encode(_ tenants: [Tenant]) -> Data {
        guard !tenants.isEmpty else { return Data("[]\n".utf8) }
        let lines = tenants.map { tenant -> String in
            guard let shard = tenant.shard else { return "  " + tenant.name.jsonQuoted }
            return "  {\"name\": \(tenant.name.jsonQuoted), \"shard\": \(shard.jsonQuoted)}"
        }
        return Data(("[\n" + lines.joined(separator: ",\n") + "\n]\n").utf8)
    }

    /// The shard a new tenant should go to when `tenants add` gets no
    /// `--shard`: the one with the fewest tenants, ties by name; nil when
    /// `database` has no shards.
    package static func leastLoadedShard(_ tenants: [Tenant], database: DatabaseConfig) -> String? {
        let names = database.shards.map(\.name).sorted()
        guard !names.isEmpty else { return nil }
        var counts = Dictionary(uniqueKeysWithValues: names.map { ($0, 0) })
        for tenant in tenants {
            guard let shard = tenant.shard ?? (names.count == 1 ? names[0] : nil) else { continue }
            counts[shard]? += 1
        }
        return names.min { counts[$0]! < counts[$1]! }
    }

    static func validate(_ tenants: [Tenant], database: DatabaseConfig, source: String,
                         file: String?, lines: [Int]?) throws -> [Tenant] {
        let shardNames = database.shards.map(\.name)
        var firstIndex: [String: Int] = [:]
        firstIndex.reserveCapacity(tenants.count)
        var result: [Tenant] = []
        result.reserveCapacity(tenants.count)
        for (index, tenant) in tenants.enumerated() {
            let line = lines?[index]
            func failure(_ message: String) -> ShoalError {
                ShoalError(.config, file == nil ? "\(message) (in \(source))" : message, file: file, line: line)
            }
            do {
                try TenantName.validate(tenant.name, database: database)
            } catch let error as ShoalError {
                throw failure(error.message)
            }
            if let first = firstIndex[tenant.name] {
                let positions = lines.map { " (lines \($0[first]) and \($0[index]))" } ?? ""
                throw failure("tenant `\(tenant.name)` of database `\(database.name)` is listed twice\(positions)")
            }
            firstIndex[tenant.name] = index
            var resolved = tenant
            if let shard = tenant.shard {
                guard !shardNames.isEmpty else {
                    throw failure("tenant `\(tenant.name)` names shard `\(shard)`, but database `\(database.name)` has no shards")
                }
                guard shardNames.contains(shard) else {
                    let hint = Suggestion.closest(to: shard, in: shardNames).map { "; did you mean `\($0)`?" }
                        ?? "; its shards are \(shardNames.joined(separator: ", "))"
                    throw failure("tenant `\(tenant.name)` names shard `\(shard)`, which database `\(database.name)` does not have\(hint)")
                }
            } else if shardNames.count == 1 {
                resolved.shard = shardNames[0]
            } else if shardNames.count > 1 {
                throw failure("tenant `\(tenant.name)` names no shard, but database `\(database.name)` has several "
                              + "(\(shardNames.joined(separator: ", "))): write it as {\"name\": \"\(tenant.name)\", "
                              + "\"shard\": \"\(shardNames[0])\"}")
            }
            result.append(resolved)
        }
        return result
    }

    private static func tenant(from element: JSONNode, index: Int, file: String) throws -> Tenant {
        switch element.value {
        case .string(let name):
            return Tenant(name: name)
        case .object:
            let object = try ConfigObject(element, keyPath: "[\(index)]", file: file)
            try object.checkKeys(allowed: ["name", "shard"])
            guard let name = try object.string("name") else {
                throw object.error("tenant entry [\(index)] has no `name`")
            }
            return Tenant(name: name, shard: try object.string("shard"))
        default:
            throw ShoalError(.config, "tenant entry [\(index)] must be a name (a string) or {\"name\": …, \"shard\": …}, "
                             + "not \(element.kindDescription)", file: file, line: element.line)
        }
    }
}
