import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit

/// Proves that sqlite3 calls block their session's own queue, not Swift's
/// cooperative pool (two threads on a two-core machine).
@Suite struct SQLiteSessionConcurrencyTests {
    /// Counts statements started and finished on their own.
    actor Progress {
        private(set) var started = 0
        private(set) var finished = 0
        func start() { started += 1 }
        func finish() { finished += 1 }
    }

    /// A CPU-bound statement that never ends in practice (3e7 rows: seconds
    /// of CPU each), so the test never depends on how fast it is: it ends when
    /// the task is cancelled.
    static let endless = """
        WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000)
        SELECT count(*) FROM c
        """

    /// Eight sessions run endless statements at once while this test, on the
    /// cooperative pool, keeps sleeping and waking; then cancelling the tasks
    /// interrupts every statement.
    ///
    /// Deterministic both ways: if sqlite3 ran on the pool, the statements
    /// would hold both of its threads, this test could not tick until they
    /// ran to completion (tens of seconds, then `finished > 0` fails it);
    /// with the session queues, the ticks and the interrupts never wait on
    /// the statements.
    @Test(.timeLimit(.minutes(2)))
    func longStatementsDoNotStarveTheCooperativePool() async throws {
        let dir = try TemporaryDirectory()
        var sessions: [SQLiteSession] = []
        for index in 0..<8 {
            sessions.append(try await SQLiteSession.open(path: dir.file("\(index).sqlite"), mode: .readWrite))
        }
        let progress = Progress()

        let outcomes = try await withThrowingTaskGroup(of: ShoalError.Kind?.self) { group in
            for session in sessions {
                group.addTask {
                    await progress.start()
                    do {
                        _ = try await session.query(Self.endless)
                        await progress.finish()
                        return nil
                    } catch let error as ShoalError {
                        return error.kind
                    }
                }
            }
            while await progress.started < sessions.count {
                try await Task.sleep(for: .milliseconds(5))
            }
            // The pool is free: this test sleeps and wakes ten times while
            // every statement runs. Were the statements on the pool, it could
            // not wake until two of them had finished, and the check fails.
            for _ in 0..<10 {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(await progress.finished == 0, "every statement was still running while the pool ticked")

            group.cancelAll()
            var outcomes: [ShoalError.Kind?] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.count == 8)
        #expect(outcomes.allSatisfy { $0 == .interrupted }, "cancellation interrupts each statement: \(outcomes)")

        // The sessions are usable after an interrupt.
        for session in sessions {
            #expect(try await session.query("SELECT 1") == [["1"]])
        }
    }

    /// A cancelled task can still roll back, and the transaction is gone.
    @Test func cancelledTaskRollsBack() async throws {
        let dir = try TemporaryDirectory()
        let session = try await SQLiteSession.open(path: dir.file("db.sqlite"), mode: .readWrite)
        try await session.execute("CREATE TABLE t (x)")
        let progress = Progress()
        let task = Task {
            do {
                try await session.begin()
                try await session.execute("INSERT INTO t VALUES (1)")
                await progress.start()
                _ = try await session.query(Self.endless)
            } catch {
                await session.rollback()
                throw error
            }
        }
        // Not `session.isInTransaction`: that call would queue behind the statement.
        while await progress.started == 0 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        let error = await #expect(throws: ShoalError.self) { try await task.value }
        #expect(error?.kind == .interrupted)
        #expect(await !session.isInTransaction)
        #expect(try await session.query("SELECT count(*) FROM t") == [["0"]])
    }
}
