/// The rules of `shoal lint` (SPEC §9): their stable ids, default severity
/// and the safe pattern each one points to. Static rules read a migration's
/// text; `observed-*` rules come from watching PostgreSQL apply it
/// (`shoal lint --observe`).
public enum LintRule: String, CaseIterable, Sendable, Hashable, Codable {
    case requireConcurrentIndex = "require-concurrent-index"
    case requireConcurrentIndexDrop = "require-concurrent-index-drop"
    case concurrentlyInTransaction = "concurrently-in-transaction"
    case volatileDefault = "volatile-default"
    case notNullWithoutDefault = "not-null-without-default"
    case setNotNull = "set-not-null"
    case columnTypeChange = "column-type-change"
    case constraintNotValid = "constraint-not-valid"
    case uniqueWithoutIndex = "unique-without-index"
    case rename
    case drop
    case blockingCommand = "blocking-command"
    case observedRewrite = "observed-rewrite"
    case observedScanUnderLock = "observed-scan-under-lock"
    case observedBlocksWrites = "observed-blocks-writes"

    /// The rule's id, as allow comments and reports spell it.
    public var id: String { rawValue }

    /// Severity outside a `contract` migration.
    public var severity: LintSeverity {
        switch self {
        case .setNotNull, .observedBlocksWrites: .warning
        default: .error
        }
    }

    /// Severity in a migration of `phase`: in a `contract` migration,
    /// `rename`, `drop` and `column-type-change` are what the phase is for,
    /// and only warn (SPEC §9.3).
    public func severity(in phase: MigrationPhase?) -> LintSeverity {
        if phase == .contract, [.rename, .drop, .columnTypeChange].contains(self) { return .warning }
        return severity
    }

    /// The help line in a migration of `phase`: in a `contract` migration
    /// the rules it downgrades (``severity(in:)``) say what to check, not to
    /// move the statement into a contract migration it already is in.
    public func help(in phase: MigrationPhase?) -> String {
        guard phase == .contract, severity(in: phase) != severity else { return help }
        return "this is a contract migration: ship it only once no running code, on the primary or any replica, still uses what it changes"
    }

    /// True for the rules that come from observing PostgreSQL, not from text.
    public var isObserved: Bool { rawValue.hasPrefix("observed-") }

    /// Whether the rule applies to databases of `driver`: SQLite has no
    /// concurrent index builds, table rewrites or lock modes to speak of, so
    /// only `rename` and `drop` apply to it.
    public func applies(to driver: DriverKind) -> Bool {
        switch driver {
        case .postgres: true
        case .sqlite: self == .rename || self == .drop
        }
    }

    /// The safe pattern, in a sentence.
    public var help: String {
        switch self {
        case .requireConcurrentIndex:
            "use CREATE INDEX CONCURRENTLY in a `-- transaction: false` migration"
        case .requireConcurrentIndexDrop:
            "use DROP INDEX CONCURRENTLY in a `-- transaction: false` migration"
        case .concurrentlyInTransaction:
            "add `-- transaction: false` to the header: PostgreSQL refuses CONCURRENTLY inside a transaction"
        case .volatileDefault:
            "add the column without a default (or with a constant one), then backfill it in batches"
        case .notNullWithoutDefault:
            "give the column a default, or add it nullable, backfill it, and add the constraint later"
        case .setNotNull:
            "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later migration, then SET NOT NULL"
        case .columnTypeChange:
            "expand/contract: add a new column, backfill it, switch the code over, then drop the old one"
        case .constraintNotValid:
            "add the constraint NOT VALID, then VALIDATE CONSTRAINT in a later migration"
        case .uniqueWithoutIndex:
            "build a unique index CONCURRENTLY first, then ADD CONSTRAINT … USING INDEX"
        case .rename:
            "expand/contract: add the new name, move the code over, drop the old name in a `-- phase: contract` migration"
        case .drop:
            "stop using it first, then drop it in a `-- phase: contract` migration"
        case .blockingCommand:
            "use the CONCURRENTLY form where there is one, or run it in a maintenance window"
        case .observedRewrite:
            "the statement rewrote a table while holding a lock that blocks it: use an expand/contract sequence"
        case .observedScanUnderLock:
            "the statement read a whole table while holding a lock that blocks writes: use NOT VALID and VALIDATE later, or CONCURRENTLY"
        case .observedBlocksWrites:
            "writes to the table wait while the statement works through its data: use the CONCURRENTLY form"
        }
    }

    /// The rule named `id`, or an error that names the file and line where
    /// `id` was read and suggests the closest id.
    package static func named(_ id: String, file: String, line: Int) throws -> LintRule {
        if let rule = LintRule(rawValue: id) { return rule }
        let ids = allCases.map(\.rawValue)
        throw ShoalError(.migrationFile,
                         "unknown lint rule `\(id)`.\(Suggestion.didYouMeanAny(id, among: ids)) "
                             + "The rules are listed by `shoal lint --help` and in docs/lint.md.",
                         file: file, line: line)
    }
}

/// How much a finding matters: an error fails `shoal lint` (and, with
/// `"lint": "refuse"`, an upgrade); a warning fails only `--strict`.
public enum LintSeverity: String, Sendable, Hashable, Codable {
    case error, warning
}
