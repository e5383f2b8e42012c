import Foundation

/// `status --json`'s document (SPEC §6), also `GET /api/status` of `shoal
/// serve` and the data of a status page (SPEC §12).
public struct StatusDocument: Sendable, Encodable {
    public var targets: [TargetStatus]

    public init(targets: [TargetStatus]) {
        self.targets = targets
    }

    /// The document, as ``ShoalJSON/encode(_:)`` writes it, handed to
    /// `write` a few hundred targets at a time (``ShoalJSON/stream(_:array:elements:chunk:to:)``).
    public func writeJSON(chunk: Int = 512, to write: (Data) throws -> Void) throws {
        try ShoalJSON.stream(StatusDocument(targets: []), array: "targets", elements: targets, chunk: chunk, to: write)
    }
}
