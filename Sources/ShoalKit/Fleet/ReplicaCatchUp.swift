/// Waits until one replica has replayed past a set of WAL positions: the
/// positions the primary reached after each commit of a batch of targets.
///
/// One read-only session polls `pg_last_wal_replay_lsn()`, 10 ms at first,
/// doubling up to 1 s, until every position is replayed or the timeout runs
/// out; each position is settled by the first poll that shows it replayed.
/// So a shard with 1,000 tenants costs one session and a handful of polls,
/// not 1,000 waits.
struct ReplicaCatchUp: Sendable {
    /// What became of one position.
    enum Result: Sendable, Hashable {
        case caughtUp(waitedMs: Int)
        case lagging(waitedMs: Int, lagBytes: Int?, message: String)
        case unreachable(message: String)
    }

    /// The whole wait.
    struct Outcome: Sendable {
        var results: [WALPosition: Result]
        /// Replay positions read.
        var polls: Int
        var waitedMs: Int
    }

    let timeout: Duration
    /// What the positions are, for messages: `has not replayed it after 5.0 s`.
    var change = "it"
    var firstDelay: Duration = .milliseconds(10)
    var maxDelay: Duration = .seconds(1)

    func wait(replicaURL: String, for positions: [WALPosition]) async -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        var pending = Set(positions)
        var results: [WALPosition: Result] = [:]
        var polls = 0
        func outcome() -> Outcome { Outcome(results: results, polls: polls, waitedMs: (clock.now - start).milliseconds) }
        func settle(_ result: Result) {
            for position in pending { results[position] = result }
            pending.removeAll()
        }

        let session: any DatabaseSession
        do {
            session = try await PostgresSession.connectReadOnly(replicaURL)
        } catch {
            settle(.unreachable(message: "cannot be reached: \(Self.message(error))"))
            return outcome()
        }
        var delay = firstDelay
        while !pending.isEmpty {
            let replay: WALPosition?
            do {
                replay = try await session.replayPosition()
                polls += 1
            } catch {
                settle(.unreachable(message: "went away while shoal waited for it: \(Self.message(error))"))
                break
            }
            let waited = (clock.now - start).milliseconds
            guard let replay else {
                settle(.unreachable(message: "reports no replay position (pg_last_wal_replay_lsn() is NULL): it is not a standby"))
                break
            }
            for position in pending where position <= replay { results[position] = .caughtUp(waitedMs: waited) }
            pending = pending.filter { $0 > replay }
            if pending.isEmpty { break }

            let remaining = timeout - (clock.now - start)
            var stopped: (why: String, note: String)?
            if remaining <= .zero {
                let paused = await session.isReplayPaused()
                stopped = ("has not replayed \(change) after \(Self.seconds(waited))",
                           paused ? "; replay is paused on it: pg_wal_replay_resume() on the replica resumes it" : "")
            } else {
                do {
                    try await Task.sleep(for: min(delay, remaining))
                } catch {
                    stopped = ("had not replayed \(change) when the run was interrupted", "")
                }
            }
            if let stopped {
                for position in pending {
                    let lag = WALPosition.bytes(from: replay, to: position)
                    results[position] = .lagging(waitedMs: waited, lagBytes: lag, message: "\(stopped.why) (\(lag) bytes behind)\(stopped.note)")
                }
                pending.removeAll()
            }
            delay = min(delay * 2, maxDelay)
        }
        await session.close()
        return outcome()
    }

    private static func message(_ error: any Error) -> String {
        ShoalError(error).message
    }

    private static func seconds(_ ms: Int) -> String {
        let tenths = (ms + 50) / 100
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
