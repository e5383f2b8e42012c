/// The last line of `shoal lint` and its JSON `summary` (SPEC §9.1):
/// `errors` and `warnings` count findings that are not allowed.
public struct LintSummary: Sendable, Hashable, Encodable {
    public var migrations: Int
    public var errors: Int
    public var warnings: Int
    public var allowed: Int

    public init(migrations: Int, errors: Int, warnings: Int, allowed: Int) {
        self.migrations = migrations
        self.errors = errors
        self.warnings = warnings
        self.allowed = allowed
    }

    /// The summary of `findings` from linting `migrations` migrations.
    public init(migrations: Int, findings: [LintFinding]) {
        self.migrations = migrations
        errors = findings.filter { !$0.allowed && $0.severity == .error }.count
        warnings = findings.filter { !$0.allowed && $0.severity == .warning }.count
        allowed = findings.filter(\.allowed).count
    }
}
