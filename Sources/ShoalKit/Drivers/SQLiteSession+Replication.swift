/// SQLite's answers to what a fleet asks a server about streaming
/// replication (SPEC §7): a SQLite file has no replicas, so it is never a
/// standby, has no WAL position to wait for, and nothing to flush or replay.
/// Nothing here touches the file.
extension SQLiteSession {
    /// Never: a SQLite file is nobody's replica.
    package func isStandby() async throws -> Bool { false }

    /// nil: a SQLite file belongs to no cluster.
    package func systemIdentifier() async throws -> String? { nil }

    /// Nothing to do: no replica waits for a SQLite commit.
    package func flushCommitsLocally() async throws {}

    /// nil: no replica replays a SQLite file.
    package func currentWALPosition() async throws -> WALPosition? { nil }

    /// nil: a SQLite file replays nothing.
    package func replayPosition() async throws -> WALPosition? { nil }

    /// nil: a SQLite file replays nothing.
    package func replayAgeSeconds() async throws -> Double? { nil }

    /// False: a SQLite file replays nothing.
    package func isReplayPaused() async -> Bool { false }
}
