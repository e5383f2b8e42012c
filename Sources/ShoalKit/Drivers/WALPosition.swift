/// A position in PostgreSQL's write-ahead log: an LSN as the server prints
/// it (`16/B374D848`, two hexadecimal halves of a 64-bit byte offset).
///
/// Positions of one cluster compare as byte offsets, so a replica has
/// replayed a commit once its `pg_last_wal_replay_lsn()` is at or past the
/// primary's `pg_current_wal_lsn()` read after that commit:
///
/// ```swift
/// let primary = WALPosition("0/3000148")!
/// let replay = WALPosition("0/3000060")!
/// replay >= primary                      // false
/// WALPosition.bytes(from: replay, to: primary)  // 232
/// ```
package struct WALPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The byte offset in the cluster's WAL.
    package var offset: UInt64

    package init(offset: UInt64) {
        self.offset = offset
    }

    /// Parses the server's text form (`pg_lsn` cast to text); nil for
    /// anything else, NULL included.
    package init?(_ text: String?) {
        guard let text else { return nil }
        let halves = text.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, halves.allSatisfy({ (1...8).contains($0.count) }),
              let high = UInt64(halves[0], radix: 16), let low = UInt64(halves[1], radix: 16) else { return nil }
        offset = high << 32 | low
    }

    package var description: String {
        String(offset >> 32, radix: 16, uppercase: true) + "/" + String(offset & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    package static func < (lhs: WALPosition, rhs: WALPosition) -> Bool {
        lhs.offset < rhs.offset
    }

    /// How many bytes `position` is behind `target`: 0 when it is at or past it.
    package static func bytes(from position: WALPosition, to target: WALPosition) -> Int {
        target.offset > position.offset ? Int(clamping: target.offset - position.offset) : 0
    }
}
