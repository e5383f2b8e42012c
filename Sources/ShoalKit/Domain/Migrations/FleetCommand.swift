/// What a fan-out run does to each target.
public enum FleetCommand: Sendable, Hashable {
    /// Up to the spec. With `phase: .expand`, each target stops before its
    /// first pending `contract` migration (SPEC §9.3, `--phase expand`);
    /// `.contract` or nil applies everything.
    case upgrade(RevisionSpec, phase: MigrationPhase? = nil)
    case downgrade(RevisionSpec)
    case stamp(RevisionSpec)

    /// The command's name, as in reports (`upgrade`, `downgrade`, `stamp`).
    public var name: String {
        switch self {
        case .upgrade: "upgrade"
        case .downgrade: "downgrade"
        case .stamp: "stamp"
        }
    }

    public var spec: RevisionSpec {
        switch self {
        case .upgrade(let spec, _), .downgrade(let spec), .stamp(let spec): spec
        }
    }
}
