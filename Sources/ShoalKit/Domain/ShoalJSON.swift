import Foundation

/// How shoal writes a JSON document (`--json`, `/api/...`, the page's
/// embedded data): pretty, keys sorted, slashes as they are.
public enum ShoalJSON {
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
