/// A JSON value that remembers where it was written, so that config and
/// registry errors can point at a line. Foundation's `JSONSerialization`
/// loses key order, duplicate keys and positions, which shoal's errors need.
struct JSONNode: Sendable {
    /// The value itself; objects keep their members in file order, duplicates included.
    enum Value: Sendable {
        case null
        case bool(Bool)
        case integer(Int)
        case number(Double)
        case string(String)
        case array([JSONNode])
        case object([JSONMember])
    }

    var value: Value
    /// 1-based line of the value's first character.
    var line: Int

    /// "a string", "an array", … for type errors.
    var kindDescription: String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    var stringValue: String? {
        if case .string(let text) = value { return text }
        return nil
    }
}

/// One `"key": value` pair of a JSON object.
struct JSONMember: Sendable {
    var key: String
    var node: JSONNode
    /// Line of the key (where a reader looks for it).
    var line: Int
}
