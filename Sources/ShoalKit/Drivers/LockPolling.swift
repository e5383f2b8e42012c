/// How sessions wait for shoal's migrator lock: try, and while another
/// holds it sleep 10 ms, doubling up to 500 ms, until `timeout`; never
/// blocked inside the database (SPEC §7).
enum LockPolling {
    /// Calls `attempt` until it returns true (the lock is taken) or
    /// `timeout` has passed (false). Runs on the caller's executor, so a
    /// session's attempts stay on its own thread. A cancelled wait throws
    /// `.interrupted`.
    nonisolated(nonsending) static func poll(timeout: Duration, _ attempt: () async throws -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var delay = Duration.milliseconds(10)
        while true {
            if try await attempt() { return true }
            let remaining = deadline - clock.now
            if remaining <= .zero { return false }
            do {
                try await Task.sleep(for: min(delay, remaining))
            } catch {
                throw ShoalError(.interrupted, "cancelled while waiting for the migration lock")
            }
            delay = min(delay * 2, .milliseconds(500))
        }
    }
}
