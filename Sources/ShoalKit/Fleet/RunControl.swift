/// Lets whoever started a fan-out run stop it: the CLI on SIGINT or SIGTERM,
/// an app on shutdown.
///
/// An interrupted run starts no new target and no new step: a target between
/// two steps stops there, at a revision it reached by committed migrations,
/// and every target not started is reported `skipped` with the reason. (A
/// step already running finishes, or rolls back if its task is cancelled.)
/// `--on-error stop` uses the weaker ``stopStartingTargets(reason:)``:
/// running targets finish all their steps.
public actor RunControl {
    /// Why no new target may start, once that is so.
    public private(set) var stopReason: String?
    /// Why the run was interrupted from outside, if it was.
    public private(set) var interruption: String?

    public init() {}

    /// Interrupts the run: no new target, no new step. The first reason wins.
    public func interrupt(reason: String) {
        if interruption == nil { interruption = reason }
        stopStartingTargets(reason: reason)
    }

    /// Starts no new target; running ones go on to their end.
    public func stopStartingTargets(reason: String) {
        if stopReason == nil { stopReason = reason }
    }
}
