/// What `shoal verify` reads of a target: its version rows and, oldest
/// first, the revision, operation and checksum of every history row. The
/// latest row of a revision says whether it is applied (and with which
/// checksum), or was undone.
struct AppliedLog: Sendable, Hashable {
    /// One history row, as far as verify needs it.
    struct Entry: Sendable, Hashable {
        var revision: String
        var operation: Operation
        var checksum: String?
    }

    /// false when the version table does not exist.
    var initialized: Bool
    /// The version rows, sorted.
    var current: [String]
    /// Every history row, oldest first (by id).
    var entries: [Entry]

    static let uninitialized = AppliedLog(initialized: false, current: [], entries: [])
}
