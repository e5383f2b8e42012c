/// A finding as `--json` prints it, in `shoal lint`'s `findings` and an
/// upgrade report's `lint` (SPEC §9.1): the rule by id, the severity by name.
extension LintFinding: Encodable {
    private enum CodingKeys: String, CodingKey {
        case database, revision, file, line, rule, severity, message, help, statement, allowed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(database, forKey: .database)
        try container.encode(revision, forKey: .revision)
        try container.encode(file, forKey: .file)
        try container.encode(line, forKey: .line)
        try container.encode(rule.id, forKey: .rule)
        try container.encode(severity, forKey: .severity)
        try container.encode(message, forKey: .message)
        try container.encode(help, forKey: .help)
        try container.encode(statement, forKey: .statement)
        try container.encode(allowed, forKey: .allowed)
    }
}
