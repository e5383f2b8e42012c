/// `status --json`'s document (SPEC §6), also `GET /api/status` of `shoal
/// serve` and the data of a status page (SPEC §12).
public struct StatusDocument: Sendable, Encodable {
    public var targets: [TargetStatus]

    public init(targets: [TargetStatus]) {
        self.targets = targets
    }
}
