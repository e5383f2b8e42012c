/// A table as a statement names it: `users`, `public.users`, `"Users"`.
package struct TableName: Sendable, Hashable, CustomStringConvertible {
    /// The schema, when the name is qualified.
    package var schema: String?
    package var name: String

    package init(schema: String? = nil, name: String) {
        self.schema = schema
        self.name = name
    }

    package var description: String { schema.map { "\($0).\(name)" } ?? name }

    /// True when both name the same table as far as the text can tell: the
    /// same name, and the same schema where both give one (an unqualified
    /// name is found through the search path, usually the same schema).
    package func matches(_ other: TableName) -> Bool {
        name == other.name && (schema == nil || other.schema == nil || schema == other.schema)
    }
}
