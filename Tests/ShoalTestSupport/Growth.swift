#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a piece of work grows with its input, for tests that guard against a
/// quadratic path (a hostile or just large input) without holding the
/// machine to an absolute speed: the same test on a loaded CI machine and on
/// a laptop gives about the same ratio.
package enum Growth {
    /// Runs `work` at `size` and at `size * factor`, best of `trials` each,
    /// and returns how many times longer the big run took. Linear work gives
    /// about `factor`; quadratic work about `factor * factor`.
    ///
    /// Time is the calling thread's CPU time (`work` must run on it, as
    /// synchronous code does): tests running alongside take turns on the
    /// cores, which stretches wall time by whatever the scheduler does but
    /// leaves a thread's own CPU time alone. The small and big runs also
    /// alternate, so that what load still shows (caches) hits both sizes.
    package static func ratio(size: Int, factor: Int = 8, trials: Int = 5, _ work: (Int) throws -> Void) rethrows -> Double {
        func timed(_ n: Int) throws -> Double {
            let start = threadCPUSeconds()
            try work(n)
            return threadCPUSeconds() - start
        }
        var small = Double.infinity
        var big = Double.infinity
        for _ in 0..<max(1, trials) {
            small = min(small, try timed(size))
            big = min(big, try timed(size * factor))
        }
        return big / max(small, 1e-6)
    }

    /// CPU time the calling thread has used, in seconds.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
