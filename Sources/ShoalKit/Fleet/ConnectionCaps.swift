/// One limiter per shard that sets `max_connections`, shared by every target
/// on that shard, so shoal never holds more sessions to one server than the
/// user allowed, whatever `--concurrency` says.
struct ConnectionCaps: Sendable {
    private let limiters: [String: AsyncLimiter]

    init(targets: [Target]) {
        var limiters: [String: AsyncLimiter] = [:]
        for cap in targets.compactMap(\.connectionCap) where limiters[cap.key] == nil {
            limiters[cap.key] = AsyncLimiter(limit: cap.limit)
        }
        self.limiters = limiters
    }

    /// Runs `body` holding one of the target's shard slots (if it has a cap).
    func withSlot<T: Sendable>(for target: Target, _ body: @Sendable () async -> T) async -> T {
        guard let key = target.connectionCap?.key, let limiter = limiters[key] else { return await body() }
        return await limiter.withSlot(body)
    }
}
