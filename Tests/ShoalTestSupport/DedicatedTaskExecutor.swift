import Dispatch

/// A task executor on a dispatch queue of its own, for test tasks that must
/// keep running while other tests keep Swift's cooperative threads busy (a
/// watcher sampling `pg_stat_activity` while the fuzz suite runs
/// synchronously on one of the two cooperative threads):
/// `Task(executorPreference: DedicatedTaskExecutor()) { … }`.
package final class DedicatedTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    package init(label: String = "shoal.test.dedicated") {
        queue = DispatchQueue(label: label)
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    package func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}
