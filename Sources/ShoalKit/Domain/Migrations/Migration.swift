/// One migration file of `versions/<database>/`, parsed (SPEC §4).
public struct Migration: Sendable, Hashable {
    public var revision: String
    /// Empty for a root; two or more for a merge.
    public var parents: [String]
    public var message: String?
    /// false: the SQL runs outside a transaction (`CREATE INDEX CONCURRENTLY`),
    /// one statement at a time, with the target marked dirty meanwhile.
    public var transactional: Bool
    public var up: String
    /// nil when the file has no down section.
    public var down: String?
    public var verify: String?
    /// SHA-256 (hex) of `up`, line endings normalised and trailing blanks removed.
    public var checksum: String
    /// Absolute path of the file.
    public var path: String
    /// From the `-- phase:` header; nil when the file has none.
    public var phase: MigrationPhase?
    /// Rules the `-- allow:` header allows for the whole migration.
    public var allowedRules: [LintRule]
    /// 1-based line of the file where `up`'s text starts, so that a line of
    /// `up` can be named as a line of the file.
    public var upLine: Int

    public init(revision: String, parents: [String] = [], message: String? = nil, transactional: Bool = true,
                up: String, down: String? = nil, verify: String? = nil, checksum: String, path: String,
                phase: MigrationPhase? = nil, allowedRules: [LintRule] = [], upLine: Int = 1) {
        self.revision = revision
        self.parents = parents
        self.message = message
        self.transactional = transactional
        self.up = up
        self.down = down
        self.verify = verify
        self.checksum = checksum
        self.path = path
        self.phase = phase
        self.allowedRules = allowedRules
        self.upLine = upLine
    }

    public var isMerge: Bool { parents.count > 1 }

    /// True when the file has a `down` section with nothing to run (blanks
    /// and comments only) while `up` runs something: a downgrade through it
    /// would move the version table and leave the schema as `up` made it,
    /// which is rarely meant (`shoal check` warns). A revision whose `up` is
    /// empty too, as a merge's usually is, undoes nothing with nothing.
    public var hasEmptyDown: Bool {
        guard let down else { return false }
        return SQLScript.isEmpty(down) && !SQLScript.isEmpty(up)
    }
}
