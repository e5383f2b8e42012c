/// What a fan-out run tells its caller while it runs, in order per target.
public enum FleetEvent: Sendable {
    /// Lint errors that nothing allows in the migrations the upgrade will
    /// apply (`"lint": "warn"`), each once: sent before ``planned(targets:work:)``
    /// when there are any.
    case linted([LintFinding])
    /// Every selected target was planned; `work` of them have steps to run.
    case planned(targets: Int, work: Int)
    /// The run got its id (SPEC §11), before any target starts: not sent
    /// for a dry run. `journal` is the path of its journal file, nil when
    /// the config turns the journal off.
    case runStarted(RunID, journal: String?)
    /// A target started (its lock is being taken).
    case targetStarted(String)
    /// One step of a target committed.
    case stepApplied(target: String, step: TargetReport.AppliedStep)
    /// A target's primary committed what the run changed, and its replicas
    /// are still to be waited for (SPEC §7): the report as the primary left
    /// it (`ok`, no replica outcomes yet). Its ``targetFinished(_:)`` follows
    /// when the wait settles it. Not sent with `--on-error rollback`, whose
    /// targets are only final after the rollback decision.
    case targetCommitted(TargetReport)
    /// A target is done: its final report.
    case targetFinished(TargetReport)
    /// `--on-error rollback` is returning targets to where they started.
    case rollingBack(targets: Int)
    /// Waiting for a replica to replay what `targets` targets of a batch
    /// committed on its primary (one wait per replica per batch).
    case waitingForReplica(name: String, targets: Int)
    /// That wait ended.
    case replicaWaited(ReplicaWait)
}

/// One wait for one replica: the targets of a batch whose commits it had
/// to replay, and how the wait went.
public struct ReplicaWait: Sendable, Hashable {
    /// The replica's name in config.json.
    public var replica: String
    /// Targets that waited together.
    public var targets: Int
    /// How often the replica's replay position was read, on one session.
    public var polls: Int
    public var waitedMs: Int
    /// True when it replayed every target's change in time.
    public var caughtUp: Bool
    public init(replica: String, targets: Int, polls: Int, waitedMs: Int, caughtUp: Bool) {
        self.replica = replica
        self.targets = targets
        self.polls = polls
        self.waitedMs = waitedMs
        self.caughtUp = caughtUp
    }
}
