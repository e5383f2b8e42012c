/// The primary's side of a primary/replica rollout (SPEC §7), called by
/// ``TargetRun`` and the planning pass: refuse a primary that is a
/// standby, and take the WAL position the replicas must replay. Waiting for
/// them is ``ReplicaWaiter``'s job.
enum ReplicaRollout {
    /// The refusal of a target whose configured primary is a standby.
    static func standbyError(_ target: Target) -> ShoalError {
        var url = ""
        if case .postgres(let primary, _) = target.location { url = " " + primary }
        return ShoalError(.plan, "\(target.id): the configured primary\(url) is a standby (pg_is_in_recovery() is true); migrations cannot run on a replica, so nothing was changed",
                          hint: "point `url` at the primary, and list the standby under `replicas`")
    }

    /// Before a target with replicas migrates: make its commits wait for
    /// their local WAL flush, so the position read after them covers them
    /// (with `synchronous_commit = off` a commit returns before its WAL is
    /// written, and the replica could replay past the position read without
    /// having the commit).
    static func prepareCommits(_ session: any DatabaseSession, target: Target) async throws {
        guard !target.replicas.isEmpty else { return }
        try await session.flushCommitsLocally()
    }

    /// After a target's last commit: the primary's WAL position, when the
    /// target has replicas and this run changed it; nil otherwise (and when
    /// the server cannot say, which ``ReplicaWaiter`` reports).
    static func commitPosition(_ session: any DatabaseSession, target: Target, report: TargetReport) async -> WALPosition? {
        guard !target.replicas.isEmpty, report.status == .ok else { return nil }
        return try? await session.currentWALPosition()
    }
}
