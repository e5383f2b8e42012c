import Foundation
import ShoalKit

/// The streaming replica `scripts/test` starts next to the primary
/// (`SHOAL_TEST_PG_REPLICA_URL`): a physical copy of the whole primary
/// cluster, so a scratch database created on the primary appears on it under
/// the same name.
///
/// Tests that use it run one at a time, whatever suite they are in: one of
/// them pauses replay, which would make every other wait on the replica time out.
package enum ReplicaTestServer {
    /// Thrown when no replica is configured.
    package struct NotConfigured: Error, CustomStringConvertible {
        package var description: String {
            "replica tests need a streaming replica: run scripts/test (or export SHOAL_TEST_PG_REPLICA_URL)"
        }
    }

    /// Creates a scratch database on the primary, waits until the replica
    /// has replayed its creation, and runs `body` with its URL on both, while
    /// holding the replica for this test alone. The database is dropped after.
    package static func withReplicatedScratchDatabase<Result: Sendable>(
        _ body: (_ primaryURL: String, _ replicaURL: String) async throws -> Result
    ) async throws -> Result {
        guard let replicaServerURL = PostgresTestServer.replicaURL else { throw NotConfigured() }
        await ReplicaLock.shared.lock()
        do {
            let result = try await PostgresTestServer.withScratchDatabase { primaryURL in
                let name = PostgresURL.databaseName(of: primaryURL) ?? ""
                let replicaURL = PostgresURL.replacingDatabase(in: replicaServerURL, with: name)
                try await waitUntilConnectable(replicaURL)
                return try await body(primaryURL, replicaURL)
            }
            await ReplicaLock.shared.unlock()
            return result
        } catch {
            await ReplicaLock.shared.unlock()
            throw error
        }
    }

    /// Runs `body` with the replica server's maintenance URL, holding the
    /// replica for this test alone, for tests that create their own
    /// databases (a database per tenant).
    package static func withExclusiveReplica<Result: Sendable>(
        _ body: (_ replicaServerURL: String) async throws -> Result
    ) async throws -> Result {
        guard let replicaServerURL = PostgresTestServer.replicaURL else { throw NotConfigured() }
        await ReplicaLock.shared.lock()
        do {
            let result = try await body(replicaServerURL)
            await ReplicaLock.shared.unlock()
            return result
        } catch {
            await ReplicaLock.shared.unlock()
            throw error
        }
    }

    /// Runs `body` with WAL replay paused on the replica, and resumes it
    /// afterwards, also when `body` throws.
    package static func withReplayPaused<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        guard let replicaServerURL = PostgresTestServer.replicaURL else { throw NotConfigured() }
        let admin = try await PostgresSession.connect(replicaServerURL)
        _ = try await admin.query("SELECT pg_wal_replay_pause()")
        let result: Result
        do {
            result = try await body()
        } catch {
            _ = try? await admin.query("SELECT pg_wal_replay_resume()")
            await admin.close()
            throw error
        }
        _ = try await admin.query("SELECT pg_wal_replay_resume()")
        await admin.close()
        return result
    }

    /// Resumes WAL replay on the replica (inside ``withReplayPaused(_:)``,
    /// which resumes it again, harmlessly, when `body` ends).
    package static func resumeReplay() async throws {
        guard let replicaServerURL = PostgresTestServer.replicaURL else { throw NotConfigured() }
        let admin = try await PostgresSession.connect(replicaServerURL)
        do {
            _ = try await admin.query("SELECT pg_wal_replay_resume()")
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
    }

    /// Polls until the replica has replayed the scratch database's creation.
    /// The deadline is generous: on a loaded two-core machine replay can lag
    /// the primary by many seconds, and a late replica is not a test failure.
    private static func waitUntilConnectable(_ url: String) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            do {
                let session = try await PostgresSession.connect(url)
                await session.close()
                return
            } catch where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            } catch {
                throw ReplicaBehind(url: url, underlying: error)
            }
        }
    }

    /// Thrown when the replica did not show a new scratch database in time.
    package struct ReplicaBehind: Error, CustomStringConvertible {
        let url: String
        let underlying: any Error
        package var description: String {
            "the replica did not replay the creation of the scratch database within 120 s (\(url)): \(underlying)"
        }
    }
}

/// A process-wide mutex for tests that use the replica, FIFO.
actor ReplicaLock {
    static let shared = ReplicaLock()
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func unlock() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
