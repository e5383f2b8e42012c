/// A counting semaphore for tasks: at most `limit` holders at once, the rest
/// wait in FIFO order without blocking a thread.
///
/// The fleet holds one for `--concurrency` and one per shard with
/// `max_connections`, so neither limit is ever exceeded.
package actor AsyncLimiter {
    package let limit: Int
    private var inUse = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    package init(limit: Int) {
        precondition(limit > 0, "a limiter needs a positive limit")
        self.limit = limit
    }

    /// Waits for a free slot and takes it.
    package func acquire() async {
        if inUse < limit {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Gives a slot back, handing it straight to the oldest waiter.
    package func release() {
        if waiters.isEmpty {
            inUse -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Runs `body` while holding a slot.
    package func withSlot<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }
}
