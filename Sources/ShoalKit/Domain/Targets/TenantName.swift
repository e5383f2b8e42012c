import Foundation

/// The rules a tenant name must follow before shoal builds a schema name,
/// a database name or a file path from it (SPEC §2).
///
/// Names are plain (`[A-Za-z0-9][A-Za-z0-9_-]*`), so no path traversal,
/// quoting or SQL can hide in them, and they must fit PostgreSQL's 63-byte
/// identifier limit after templating: PostgreSQL would silently truncate a
/// longer name, and two long tenants would then share one schema.
package enum TenantName: Sendable {
    /// PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes.
    package static let maximumIdentifierBytes = 63
    /// A file name limit common to Linux and macOS file systems, in bytes.
    static let maximumFileNameBytes = 255

    /// Throws `ShoalError(.config)` naming the tenant, the database and the rule
    /// broken, when `name` cannot be a tenant of `database`.
    package static func validate(_ name: String, database: DatabaseConfig) throws {
        var subject: String { "tenant `\(name)` of database `\(database.name)`" }
        guard !name.isEmpty else {
            throw ShoalError(.config, "empty tenant name in database `\(database.name)`; tenant \(NameRule.description)")
        }
        guard NameRule.isValid(name) else {
            throw ShoalError(.config, "\(subject) is not a valid name: tenant \(NameRule.description)")
        }
        guard database.isMultiTenant else { return }
        // Lengths are counted without building the names (this runs for
        // every tenant of a fleet); a name holds no `/`, so the file name is
        // the template's last component with the name put in.
        let nameBytes = name.utf8.count
        switch (database.driver, database.layout) {
        case (.sqlite, _):
            let fileBytes = withBytes(database.path ?? "") { path in
                let fileName = path.lastIndex(of: UInt8(ascii: "/")).map { UnsafeBufferPointer(rebasing: path[($0 + 1)...]) } ?? path
                return substitutedByteCount(fileName, nameBytes: nameBytes)
            }
            if fileBytes > maximumFileNameBytes {
                let file = FilePath.lastComponent(of: substitute(name, in: database.path ?? ""))
                throw ShoalError(.config, "\(subject) is too long: its file name `\(file)` is \(file.utf8.count) bytes, "
                                 + "more than the \(maximumFileNameBytes) a file system allows")
            }
        case (.postgres, .schema):
            if substitutedByteCount(database.schemaTemplate, nameBytes: nameBytes) > maximumIdentifierBytes {
                try checkIdentifier(substitute(name, in: database.schemaTemplate), what: "schema name", subject: subject)
            }
        case (.postgres, .database):
            let urls = [database.url].compactMap { $0 } + database.shards.map(\.url)
            for url in urls {
                if let databaseName = ConnectionString.databaseName(in: substitute(name, in: url)) {
                    try checkIdentifier(databaseName, what: "database name", subject: subject)
                }
            }
        }
    }

    /// `template` with every `{tenant}` replaced by `name`: one allocation
    /// and a byte copy. This runs for every tenant of a fleet; the standard
    /// library's generic `replacing` costs several times more.
    static func substitute(_ name: String, in template: String) -> String {
        withBytes(template) { template in
            withBytes(name) { name in
                String(unsafeUninitializedCapacity: substitutedByteCount(template, nameBytes: name.count)) { out in
                    var written = 0
                    var index = 0
                    while index < template.count {
                        if isPlaceholder(template, at: index) {
                            for byte in name { out[written] = byte; written += 1 }
                            index += placeholder.count
                        } else {
                            out[written] = template[index]
                            written += 1
                            index += 1
                        }
                    }
                    return written
                }
            }
        }
    }

    /// The byte count of `template` once every `{tenant}` holds a name of `nameBytes` bytes.
    static func substitutedByteCount(_ template: UnsafeBufferPointer<UInt8>, nameBytes: Int) -> Int {
        var count = template.count
        var index = 0
        while index < template.count {
            if isPlaceholder(template, at: index) {
                count += nameBytes - placeholder.count
                index += placeholder.count
            } else {
                index += 1
            }
        }
        return count
    }

    /// As ``substitutedByteCount(_:nameBytes:)-(UnsafeBufferPointer<UInt8>,_)``, for a String.
    static func substitutedByteCount(_ template: String, nameBytes: Int) -> Int {
        withBytes(template) { substitutedByteCount($0, nameBytes: nameBytes) }
    }

    private static let placeholder = Array(DatabaseEntryParser.tenantPlaceholder.utf8)

    private static func isPlaceholder(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard bytes[index] == placeholder[0], bytes.count - index >= placeholder.count else { return false }
        for offset in 1..<placeholder.count where bytes[index + offset] != placeholder[offset] { return false }
        return true
    }

    /// `text`'s UTF-8 bytes, contiguous (native strings already are).
    private static func withBytes<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable(body)!
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
