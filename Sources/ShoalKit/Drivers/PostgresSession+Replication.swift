/// What shoal asks a primary and its streaming replicas during a rollout
/// (SPEC §7): where the primary's WAL is, how far a standby has replayed it,
/// and whether the two belong to the same cluster. Every query here only
/// reads.
extension PostgresSession {
    /// Connects like ``connect(_:settings:)`` and makes the session read-only
    /// (`default_transaction_read_only`), for sessions on replicas: nothing
    /// can be written through it even when the URL points at a primary.
    package static func connectReadOnly(_ conninfo: String, settings: SessionSettings = SessionSettings()) async throws -> PostgresSession {
        let session = try await connect(conninfo, settings: settings)
        do {
            try await session.setReadOnly()
        } catch {
            await session.close()
            throw error
        }
        return session
    }

    /// Makes every later transaction of this session read-only.
    package func setReadOnly() async throws {
        _ = try await query("SELECT set_config('default_transaction_read_only', 'on', false)")
    }

    /// The cluster's system identifier (`pg_control_system()`), the same on a
    /// primary and on every standby made from it by `pg_basebackup`; nil if
    /// the server does not say.
    package func systemIdentifier() async throws -> String? {
        try await query("SELECT system_identifier::text FROM pg_control_system()").first?.first ?? nil
    }

    /// `pg_current_wal_lsn()`: how far the primary has written its WAL.
    /// Read after a commit that waited for its WAL flush, it is at or past
    /// that commit's record. Fails on a standby.
    package func currentWALPosition() async throws -> WALPosition? {
        WALPosition(try await query("SELECT pg_current_wal_lsn()::text").first?.first ?? nil)
    }

    /// Makes this session's commits wait for their WAL to be flushed
    /// locally when the server does not (`synchronous_commit = off`), so
    /// that ``currentWALPosition()`` read after a commit covers it. Leaves
    /// stronger settings (`on`, `remote_apply`, …) alone.
    package func flushCommitsLocally() async throws {
        _ = try await query("""
            SELECT set_config('synchronous_commit', 'local', false)
            WHERE current_setting('synchronous_commit') = 'off'
            """)
    }

    /// On a standby, `pg_last_wal_replay_lsn()`: the end of the last WAL
    /// record replayed, which readers of the standby see. nil on a server
    /// that was never in recovery.
    package func replayPosition() async throws -> WALPosition? {
        WALPosition(try await query("SELECT pg_last_wal_replay_lsn()::text").first?.first ?? nil)
    }

    /// Seconds since the last transaction the standby replayed committed on
    /// the primary (`pg_last_xact_replay_timestamp()`); nil when it has
    /// replayed none since it started.
    package func replayAgeSeconds() async throws -> Double? {
        let rows = try await query("SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())::text")
        return (rows.first?.first ?? nil).flatMap(Double.init)
    }

    /// True when replay is paused on a standby (`pg_wal_replay_pause()`);
    /// false when it is not, or the server cannot say.
    package func isReplayPaused() async -> Bool {
        let rows = try? await query("SELECT pg_is_in_recovery() AND pg_is_wal_replay_paused()")
        return rows?.first?.first == "t"
    }
}
