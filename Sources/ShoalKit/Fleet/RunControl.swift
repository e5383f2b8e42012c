import Foundation

/// Lets whoever started a fan-out run stop it: the CLI on SIGINT or SIGTERM,
/// an app on shutdown.
///
/// An interrupted run starts no new target and no new step: a target between
/// two steps stops there, at a revision it reached by committed migrations,
/// and every target not started is reported `skipped` with the reason. (A
/// step already running finishes, or rolls back if its task is cancelled.)
/// `--on-error stop` uses the weaker ``stopStartingTargets(reason:)``:
/// running targets finish all their steps.
///
/// Targets ask before every step through ``interruptionNow``, a nonisolated
/// read under a lock: a step runs isolated to its database session, and
/// hopping to this actor and back would cost two context switches per step.
public actor RunControl {
    /// Why no new target may start, once that is so.
    public private(set) var stopReason: String?
    /// Why the run was interrupted from outside, if it was.
    public private(set) var interruption: String?

    private nonisolated let interruptionMirror = InterruptionMirror()

    public init() {}

    /// ``interruption``, readable from any isolation without a hop.
    public nonisolated var interruptionNow: String? { interruptionMirror.reason }

    /// Interrupts the run: no new target, no new step. The first reason wins.
    public func interrupt(reason: String) {
        if interruption == nil {
            interruption = reason
            interruptionMirror.reason = reason
        }
        stopStartingTargets(reason: reason)
    }

    /// Starts no new target; running ones go on to their end.
    public func stopStartingTargets(reason: String) {
        if stopReason == nil { stopReason = reason }
    }
}

/// The interruption reason behind a lock, for ``RunControl/interruptionNow``.
private final class InterruptionMirror: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?

    var reason: String? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
