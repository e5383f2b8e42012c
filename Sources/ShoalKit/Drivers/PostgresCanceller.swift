import CLibPQ
import Dispatch

/// Asks the server to cancel whatever a connection is running, from any
/// thread: a `PGcancel` (`PQgetCancel`), owned and freed once in `deinit`.
///
/// `PQcancel` only reads the object and is documented as safe to call from
/// another thread (even a signal handler) while the connection is busy, which
/// is what makes this type Sendable. The `PGcancel` does not point into the
/// `PGconn`, so it stays valid after the connection is finished.
final class PostgresCanceller: @unchecked Sendable {
    private let handle: OpaquePointer

    /// nil when libpq cannot make a cancel object (the connection is bad).
    init?(connection: OpaquePointer) {
        guard let handle = PQgetCancel(connection) else { return nil }
        self.handle = handle
    }

    deinit {
        PQfreeCancel(handle)
    }

    /// Sends the cancel request on the calling thread. It opens a new
    /// connection to the server, so it blocks briefly. Called while a
    /// statement runs, inside its ``LibPQActivity/tracking(_:)``.
    func cancel() {
        var buffer = [CChar](repeating: 0, count: 256)
        // A failed request changes nothing: the statement simply runs on.
        _ = PQcancel(handle, &buffer, Int32(buffer.count))
    }

    /// Sends the cancel request from a dispatch thread, so that a task
    /// cancellation handler (which may run on the cooperative pool) never
    /// blocks on the network. The request counts as a call inside libpq
    /// (``LibPQActivity``): a process exits only once it is sent.
    func cancelInBackground() {
        DispatchQueue.global().async { LibPQActivity.shared.tracking { self.cancel() } }
    }
}
