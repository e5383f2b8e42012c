import Foundation

/// The rules a tenant name must follow before shoal builds a schema name,
/// a database name or a file path from it (SPEC §2).
///
/// Names are plain (`[A-Za-z0-9][A-Za-z0-9_-]*`), so no path traversal,
/// quoting or SQL can hide in them, and they must fit PostgreSQL's 63-byte
/// identifier limit after templating: PostgreSQL would silently truncate a
/// longer name, and two long tenants would then share one schema.
public enum TenantName: Sendable {
    /// PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes.
    public static let maximumIdentifierBytes = 63
    /// A file name limit common to Linux and macOS file systems, in bytes.
    static let maximumFileNameBytes = 255

    /// Throws `ShoalError(.config)` naming the tenant, the database and the rule
    /// broken, when `name` cannot be a tenant of `database`.
    public static func validate(_ name: String, database: DatabaseConfig) throws {
        var subject: String { "tenant `\(name)` of database `\(database.name)`" }
        guard !name.isEmpty else {
            throw ShoalError(.config, "empty tenant name in database `\(database.name)`; tenant \(NameRule.description)")
        }
        guard NameRule.isValid(name) else {
            throw ShoalError(.config, "\(subject) is not a valid name: tenant \(NameRule.description)")
        }
        guard database.isMultiTenant else { return }
        switch (database.driver, database.layout) {
        case (.sqlite, _):
            let file = FilePath.lastComponent(of: substitute(name, in: database.path ?? ""))
            if file.utf8.count > maximumFileNameBytes {
                throw ShoalError(.config, "\(subject) is too long: its file name `\(file)` is \(file.utf8.count) bytes, "
                                 + "more than the \(maximumFileNameBytes) a file system allows")
            }
        case (.postgres, .schema):
            let schema = substitute(name, in: database.schemaTemplate)
            try checkIdentifier(schema, what: "schema name", subject: subject)
        case (.postgres, .database):
            let urls = [database.url].compactMap { $0 } + database.shards.map(\.url)
            for url in urls {
                if let databaseName = ConnectionString.databaseName(in: substitute(name, in: url)) {
                    try checkIdentifier(databaseName, what: "database name", subject: subject)
                }
            }
        }
    }

    /// `template` with every `{tenant}` replaced by `name`. Byte by byte:
    /// this runs for every tenant of a fleet, and the standard library's
    /// generic `replacing` costs several times more.
    static func substitute(_ name: String, in template: String) -> String {
        let placeholder = Array(DatabaseEntryParser.tenantPlaceholder.utf8)
        let text = Array(template.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(text.count + name.utf8.count)
        var index = 0
        while index < text.count {
            if text[index] == placeholder[0], text[index...].starts(with: placeholder) {
                result.append(contentsOf: name.utf8)
                index += placeholder.count
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func checkIdentifier(_ identifier: String, what: String, subject: String) throws {
        let bytes = identifier.utf8.count
        guard bytes <= maximumIdentifierBytes else {
            throw ShoalError(.config, "\(subject) is too long: its \(what) `\(identifier)` is \(bytes) bytes, more than "
                             + "PostgreSQL's \(maximumIdentifierBytes) (PostgreSQL would truncate it silently, and two "
                             + "long tenant names could then share one \(what == "schema name" ? "schema" : "database"))")
        }
    }
}
