import Foundation
import ShoalKit

/// The fleet as `shoal serve` last read it (SPEC §12): however many
/// clients ask, the fleet is read at most once per interval.
///
/// A request takes the newest snapshot. When the last read started an
/// interval ago or more, the request starts one read (single flight: one
/// at a time, whoever asks) and is answered at once from the snapshot it
/// has, so that a slow fleet (a shard that takes its `connect_timeout` to
/// fail) never makes `/metrics` miss Prometheus's scrape timeout; only
/// before the first read has ended does a request wait for it. Nothing
/// reads while nobody asks. A read that fails keeps the last good snapshot
/// and records why, so endpoints serve the older data and say how old it
/// is; the next read is again an interval later, so a broken fleet is not
/// hammered either.
package actor FleetSnapshotCache {
    /// Why the newest read failed, and when it started.
    package struct ReadFailure: Sendable {
        /// The error as `ShoalError` words it (passwords redacted), on one line.
        package var message: String
        package var at: Date
    }

    /// What the endpoints answer from: the last good snapshot (nil until a
    /// read succeeds) and, when the newest read failed, why.
    package struct State: Sendable {
        package var snapshot: FleetSnapshot?
        package var failure: ReadFailure?
        /// Counts the snapshots taken, so that a consumer can tell a new one.
        package var generation: Int
        /// How many reads failed since the server started.
        package var failedReads: Int
    }

    /// One read of the fleet.
    package typealias Read = @Sendable () async throws -> FleetSnapshot

    private let interval: Duration
    private let read: Read
    private let clock = ContinuousClock()
    private var state = State(generation: 0, failedReads: 0)
    private var lastStart: ContinuousClock.Instant?
    private var inFlight: Task<Void, Never>?
    /// How many reads started: tests check that clients share them.
    package private(set) var reads = 0

    package init(interval: Duration, read: @escaping Read) {
        self.interval = interval
        self.read = read
    }

    /// The state, starting a read of the fleet when the last one started an
    /// interval ago; waits for that read only when no read has ended yet.
    package func current() async -> State {
        if inFlight == nil, lastStart.map({ clock.now - $0 >= interval }) ?? true {
            startRead()
        }
        if state.generation == 0, let inFlight { await inFlight.value }
        return state
    }

    /// The state once the read under way (if any) has ended: for tests
    /// that change the fleet and want to see the change.
    package func settled() async -> State {
        if let inFlight { await inFlight.value }
        return state
    }

    /// The state as it is, without reading (`/healthz`).
    package func peek() -> State { state }

    /// Starts a read unless one is under way (the first read at start-up).
    package func refresh() {
        if inFlight == nil { startRead() }
    }

    private func startRead() {
        lastStart = clock.now
        reads += 1
        let read = self.read
        let startedAt = Date()
        // Unstructured: a client that hangs up must not cancel the read the
        // others await.
        inFlight = Task {
            let result: Result<FleetSnapshot, any Error>
            do { result = .success(try await read()) } catch { result = .failure(error) }
            self.finish(result, startedAt: startedAt)
        }
    }

    private func finish(_ result: Result<FleetSnapshot, any Error>, startedAt: Date) {
        switch result {
        case .success(let snapshot):
            state.snapshot = snapshot
            state.failure = nil
        case .failure(let error):
            let message = (error as? ShoalError)?.description ?? ShoalError(.io, "\(error)").message
            state.failedReads += 1
            state.failure = ReadFailure(message: message.split(whereSeparator: \.isNewline).joined(separator: " "), at: startedAt)
        }
        state.generation += 1
        inFlight = nil
    }
}
