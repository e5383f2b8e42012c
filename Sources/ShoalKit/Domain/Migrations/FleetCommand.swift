/// What a fan-out run does to each target.
public enum FleetCommand: Sendable, Hashable {
    /// Up to the spec. With `phase: .expand`, each target stops before its
    /// first pending `contract` migration (SPEC §9.3, `--phase expand`);
    /// `.contract` or nil applies everything.
    case upgrade(RevisionSpec, phase: MigrationPhase? = nil)
    case downgrade(RevisionSpec)
    case stamp(RevisionSpec)
    /// `shoal rollback RUN` (SPEC §11): each target the run changed back to
    /// where the run found it.
    case rollback(Compensation)

    /// The command's name, as in reports (`upgrade`, `downgrade`, `stamp`, `rollback`).
    public var name: String {
        switch self {
        case .upgrade: "upgrade"
        case .downgrade: "downgrade"
        case .stamp: "stamp"
        case .rollback: "rollback"
        }
    }

    /// The revision argument; nil for a rollback, whose targets each go
    /// back to their own revisions.
    public var revision: RevisionSpec? {
        switch self {
        case .upgrade(let spec, _), .downgrade(let spec), .stamp(let spec): spec
        case .rollback: nil
        }
    }

    /// The revision argument (``revision``); `heads` for a rollback.
    public var spec: RevisionSpec { revision ?? .heads }
}
