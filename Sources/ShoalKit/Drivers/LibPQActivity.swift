import Foundation

/// The threads inside libpq right now (connecting, running statements,
/// finishing a connection, sending a cancel request), so that a process can
/// wait for them before it exits.
///
/// libpq built with GSSAPI runs krb5 code while it connects, and `exit`
/// runs krb5's library destructor: the two at once abort the process
/// (`krb5int_key_delete: Assertion ... failed`) after shoal has printed its
/// result. The CLI calls ``quiesce(waitingAtMost:)`` right before every
/// exit: from then on a thread that would enter libpq waits for the exit
/// instead, and the call returns once no thread is inside.
///
/// ```swift
/// let connection = try LibPQActivity.shared.tracking { PQconnectdbParams(…) }
/// ```
///
/// Calls never nest: a body passed to ``tracking(_:)`` makes no other
/// tracked call (it would wait forever once the gate is closed).
package final class LibPQActivity: @unchecked Sendable {
    /// The one every libpq call of the process goes through.
    package static let shared = LibPQActivity()

    private let condition = NSCondition()
    private var inside = 0
    private var waiting = 0
    private var closed = false

    package init() {}

    /// Runs `body`, a libpq call, counted as inside libpq. Once the gate is
    /// closed it never returns: the process is exiting.
    package func tracking<Result>(_ body: () throws -> Result) rethrows -> Result {
        condition.lock()
        if closed {
            waiting += 1
            while closed { condition.wait() }
        }
        inside += 1
        condition.unlock()
        defer {
            condition.lock()
            inside -= 1
            if inside == 0 { condition.broadcast() }
            condition.unlock()
        }
        return try body()
    }

    /// Calls inside libpq at this moment.
    package var callsInProgress: Int {
        condition.lock()
        defer { condition.unlock() }
        return inside
    }

    /// Calls held at the closed gate.
    package var callsHeld: Int {
        condition.lock()
        defer { condition.unlock() }
        return waiting
    }

    /// Closes the gate (no tracked call starts any more) and waits until
    /// every call already inside has returned, for at most `timeout`. True
    /// when none is left; false when one still runs after `timeout` (the
    /// caller should then leave with `_exit`, which runs no library
    /// destructor). Only for a process about to exit.
    package func quiesce(waitingAtMost timeout: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.components.seconds)
                                + Double(timeout.components.attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        closed = true
        while inside > 0 {
            if !condition.wait(until: deadline) { break }
        }
        return inside == 0
    }
}
