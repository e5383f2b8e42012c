/// What a fan-out run tells its caller while it runs, in order per target.
public enum FleetEvent: Sendable {
    /// Every selected target was planned; `work` of them have steps to run.
    case planned(targets: Int, work: Int)
    /// A target started (its lock is being taken).
    case targetStarted(String)
    /// One step of a target committed.
    case stepApplied(target: String, step: TargetReport.AppliedStep)
    /// A target is done: its final report.
    case targetFinished(TargetReport)
    /// `--on-error rollback` is returning targets to where they started.
    case rollingBack(targets: Int)
}
