/// What a fan-out run does to each target.
public enum FleetCommand: Sendable, Hashable {
    case upgrade(RevisionSpec)
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
        case .upgrade(let spec), .downgrade(let spec), .stamp(let spec): spec
        }
    }
}
