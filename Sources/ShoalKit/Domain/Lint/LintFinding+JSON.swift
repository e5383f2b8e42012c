/// A finding as JSON prints it (SPEC §9.1): `shoal lint --json` and the
/// `"lint"` list of `shoal upgrade --json`. Observed findings (§9.2) add
/// `"observed": true` and what PostgreSQL showed.
extension LintFinding: Encodable {
    enum CodingKeys: String, CodingKey {
        case database, revision, file, line, rule, severity, message, help, statement, allowed
        case observed, locks, rewrites, scans
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(database, forKey: .database)
        try c.encode(revision, forKey: .revision)
        try c.encode(file, forKey: .file)
        try c.encode(line, forKey: .line)
        try c.encode(rule.id, forKey: .rule)
        try c.encode(severity.rawValue, forKey: .severity)
        try c.encode(message, forKey: .message)
        try c.encode(help, forKey: .help)
        try c.encode(statement, forKey: .statement)
        try c.encode(allowed, forKey: .allowed)
        if let observation {
            try c.encode(true, forKey: .observed)
            try c.encode(observation.locks, forKey: .locks)
            try c.encode(observation.rewrites, forKey: .rewrites)
            try c.encode(observation.scans, forKey: .scans)
        }
    }
}

/// A statement as `shoal lint --observe --json` lists it under
/// `"statements"` (SPEC §9.2), finding or not.
extension StatementObservation: Encodable {
    enum CodingKeys: String, CodingKey {
        case database, revision, line, statement, locks, rewrites, scans
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(database, forKey: .database)
        try c.encode(revision, forKey: .revision)
        try c.encode(line, forKey: .line)
        try c.encode(statement, forKey: .statement)
        try c.encode(locks, forKey: .locks)
        try c.encode(rewrites, forKey: .rewrites)
        try c.encode(scans, forKey: .scans)
    }
}
