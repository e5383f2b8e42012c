/// Writes a tenant's own schema as `{schema}` in its description lines
/// (SPEC §10.1), so that `tenant_acme.users` and `tenant_globex.users` read
/// the same.
package enum SchemaPlaceholder {
    /// `line` with every `qualifier` (a quoted schema and its dot,
    /// `tenant_acme.` or `"Acme Co".`) that starts a name written
    /// `placeholder`. An occurrence inside a longer name is left alone: the
    /// schema `a` does not turn `data.x` into `dat{schema}.x`.
    package static func writing(_ qualifier: String, as placeholder: String, in line: String) -> String {
        guard line.contains(qualifier) else { return line }
        var result = ""
        var rest = line[...]
        while let range = rest.range(of: qualifier) {
            let before = rest[..<range.lowerBound]
            result += before
            let previous = before.last ?? result.last
            if let previous, continuesName(previous) {
                result += rest[range]
            } else {
                result += placeholder
            }
            rest = rest[range.upperBound...]
        }
        return result + rest
    }

    /// Whether `character` may be part of an identifier before a qualifier.
    private static func continuesName(_ character: Character) -> Bool {
        character == "_" || character == "$" || character == "\"" || character.isLetter || character.isNumber
    }
}
