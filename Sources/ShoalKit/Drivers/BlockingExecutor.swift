import Dispatch

/// A serial executor backed by its own dispatch queue, so that an actor using
/// it runs blocking C calls off Swift's cooperative thread pool (after GRDB's
/// `DispatchQueueActor`). Serial queues target libdispatch's overcommit pool,
/// which starts a thread per busy queue instead of capping at the core count.
package final class BlockingExecutor: SerialExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    package init(label: String) {
        queue = DispatchQueue(label: label)
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async {
            job.runSynchronously(on: executor)
        }
    }

    package func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
