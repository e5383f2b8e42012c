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
/// Targets ask before every step through ``interruption``, a nonisolated
/// read under a lock: a step runs isolated to its database session, and
/// hopping to this actor and back would cost two context switches per step.
public actor RunControl {
    /// Why no new target may start, once that is so.
    public private(set) var stopReason: String?
    private nonisolated let interruptionReason = InterruptionReason()

    public init() {}

    /// Why the run was interrupted from outside, if it was; readable from
    /// any isolation without a hop.
    public nonisolated var interruption: String? { interruptionReason.value }

    /// Interrupts the run: no new target, no new step. The first reason wins.
    public func interrupt(reason: String) {
        interruptionReason.setIfUnset(reason)
        stopStartingTargets(reason: reason)
    }

    /// Starts no new target; running ones go on to their end.
    public func stopStartingTargets(reason: String) {
        if stopReason == nil { stopReason = reason }
    }
}

/// The interruption reason behind a lock, for ``RunControl/interruption``.
private final class InterruptionReason: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?

    var value: String? { lock.withLock { stored } }

    func setIfUnset(_ reason: String) {
        lock.withLock { if stored == nil { stored = reason } }
    }
}
